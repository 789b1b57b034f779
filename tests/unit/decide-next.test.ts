import { describe, expect, it } from "vitest";
import { backoffDelay, decideNext, type DecisionInput } from "../../src/engine/decide-next.js";

const base: DecisionInput = {
  outcome: "ok",
  rung: 0,
  rungs: 1,
  retriesOnRung: 0,
  repairedOnRung: false,
  maxRetries: 1,
  backoffMs: 100,
};

describe("decideNext: retry and escalation as a pure decision", () => {
  it.each<[string, Partial<DecisionInput>, ReturnType<typeof decideNext>]>([
    ["accepts an ok answer", { outcome: "ok" }, { action: "accept" }],
    [
      "never retries a cancelled attempt",
      { outcome: "cancelled", rungs: 3, maxRetries: 5 },
      { action: "stop", outcome: "cancelled" },
    ],
    [
      "retries a transient fault on the same model with backoff",
      { outcome: "transient" },
      { action: "retry", delayMs: 100 },
    ],
    [
      "honours retry-after on a rate limit",
      { outcome: "rate_limited", retryAfterMs: 2500 },
      { action: "retry", delayMs: 2500 },
    ],
    [
      "uses backoff for a rate limit without retry-after",
      { outcome: "rate_limited" },
      { action: "retry", delayMs: 100 },
    ],
    [
      "escalates a transient fault once retries are used up",
      { outcome: "transient", retriesOnRung: 1, rungs: 2 },
      { action: "escalate" },
    ],
    [
      "fails a transient fault with no retries and no rung left",
      { outcome: "transient", retriesOnRung: 1 },
      { action: "stop", outcome: "failed" },
    ],
    ["repairs the first invalid answer on a rung", { outcome: "invalid", rungs: 2 }, { action: "repair" }],
    [
      "escalates an invalid answer after the repair",
      { outcome: "invalid", repairedOnRung: true, rungs: 2 },
      { action: "escalate" },
    ],
    [
      "ends invalid when repair and ladder are used up",
      { outcome: "invalid", repairedOnRung: true, rung: 1, rungs: 2 },
      { action: "stop", outcome: "invalid" },
    ],
    ["escalates an empty answer", { outcome: "empty", rungs: 2 }, { action: "escalate" }],
    ["fails an empty answer on the last rung", { outcome: "empty" }, { action: "stop", outcome: "failed" }],
    [
      "retries a timed-out attempt on the same model while retries are left",
      { outcome: "timeout", rungs: 1 },
      { action: "retry", delayMs: 100 },
    ],
    [
      "escalates a timeout once retries are used up",
      { outcome: "timeout", rungs: 3, rung: 1, retriesOnRung: 1 },
      { action: "escalate" },
    ],
    [
      "ends timeout on the last rung with no retry left",
      { outcome: "timeout", rungs: 3, rung: 2, retriesOnRung: 1 },
      { action: "stop", outcome: "timeout" },
    ],
    [
      "escalates a fatal error without retrying the same model",
      { outcome: "fatal", rungs: 2, maxRetries: 5 },
      { action: "escalate" },
    ],
    [
      "fails a fatal error on the last rung",
      { outcome: "fatal", maxRetries: 5 },
      { action: "stop", outcome: "failed" },
    ],
    [
      "does not retry when retries are 0",
      { outcome: "transient", maxRetries: 0 },
      { action: "stop", outcome: "failed" },
    ],
  ])("%s", (_name, input, expected) => {
    expect(decideNext({ ...base, ...input })).toEqual(expected);
  });

  it("backs off exponentially with jitter, capped", () => {
    const at = (retry: number, r: number) => backoffDelay(retry, { baseMs: 100, maxMs: 1000, random: () => r });
    expect(at(0, 0)).toBe(50);
    expect(at(0, 1)).toBe(100);
    expect(at(2, 1)).toBe(400);
    expect(at(10, 1)).toBe(1000);
    expect(at(10, 0)).toBe(500);
  });
});
