// The OpenAI HTTP port's rate-limit handling: parseRetryAfter as a table, then a real 429 with `retry-after` over HTTP,
// read by the port and honoured by the engine before its retry.
import type http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { SessionError } from "../../src/engine/port.js";
import { createOpenAiHttpPort, parseRetryAfter } from "../../src/host/openai-http-port.js";
import { byMarker, startHarness, summary, type Harness } from "../helpers/harness.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0); // a whole second: HTTP dates have second resolution
const httpDate = (offsetMs: number) => new Date(NOW + offsetMs).toUTCString();

describe("parseRetryAfter", () => {
  const cases: Array<[string, http.IncomingHttpHeaders, number | undefined]> = [
    ["integer seconds", { "retry-after": "1" }, 1000],
    ["fractional seconds", { "retry-after": "1.5" }, 1500],
    ["zero: retry at once", { "retry-after": "0" }, 0],
    ["negative seconds: clamped to zero", { "retry-after": "-5" }, 0],
    ["seconds over the 60 s cap", { "retry-after": "120" }, 60_000],
    ["an HTTP date 30 s in the future", { "retry-after": httpDate(30_000) }, 30_000],
    ["an HTTP date in the past: clamped to zero", { "retry-after": httpDate(-30_000) }, 0],
    ["an HTTP date 10 min in the future: capped at 60 s", { "retry-after": httpDate(600_000) }, 60_000],
    ["garbage", { "retry-after": "soon" }, undefined],
    ["an empty value", { "retry-after": "" }, undefined],
    ["no header", {}, undefined],
    ["retry-after-ms", { "retry-after-ms": "250" }, 250],
    ["retry-after-ms wins over retry-after", { "retry-after-ms": "250", "retry-after": "5" }, 250],
    ["retry-after-ms over the 60 s cap", { "retry-after-ms": "900000" }, 60_000],
    ["a zero retry-after-ms falls back to retry-after", { "retry-after-ms": "0", "retry-after": "2" }, 2000],
    ["a garbage retry-after-ms falls back to retry-after", { "retry-after-ms": "abc", "retry-after": "2" }, 2000],
  ];

  it.each(cases)("%s", (_, headers, expected) => {
    expect(parseRetryAfter(headers, NOW)).toBe(expected);
  });
});

describe("a 429 with retry-after over real HTTP", () => {
  let server: ScriptedModelServer | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    h?.server.assertNoUnexpected();
    await h?.close();
    await server?.close();
    h = undefined;
    server = undefined;
  });

  it("the port rejects with a rate_limited SessionError carrying the server's delay", async () => {
    server = await startScriptedModelServer(() => ({ status: 429, retryAfter: 2 }));
    const port = createOpenAiHttpPort({ baseUrl: server.url, defaultModel: "scripted-default" });
    const request = {
      system: "s",
      message: "m",
      label: "a",
      attemptKey: "a-1",
      timeoutMs: 5000,
      signal: new AbortController().signal,
      maxOutputBytes: 1000,
    };
    const error = await port.run(request).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionError);
    expect(error).toMatchObject({ kind: "rate_limited", status: 429, retryAfterMs: 2000 });
  });

  it("the engine waits the server's retry-after (1 s) before its retry, then succeeds", {
    timeout: 10_000,
  }, async () => {
    // The harness's own backoff is 10-50 ms: a gap near 1 s can only come from the header.
    h = await startHarness(
      byMarker({ slow_down: (_, n) => (n === 1 ? { status: 429, retryAfter: 1 } : summary("after the wait")) }),
    );
    const { details } = await h.run({
      agents: [{ type: "echo_agent", task: "[case:slow_down]", label: "slow_down" }],
      retries: 1,
    });
    const [first, second] = h.server.log;
    expect(h.server.log).toHaveLength(2);
    expect(first!.status).toBe(429);
    expect(second!.startedAt - first!.startedAt).toBeGreaterThanOrEqual(900);
    expect(second!.startedAt - first!.startedAt).toBeLessThan(5000);
    const agent = details.agents[0]!;
    expect(agent.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual(["first:rate_limited", "retry:ok"]);
    expect(agent.outcome).toBe("ok");
    expect(agent.output).toEqual({ summary: "after the wait" });
  });
});
