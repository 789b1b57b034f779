import { describe, expect, it } from "vitest";
import { preparedAgent } from "../helpers/prepared-agent.js";
import { runAgents } from "../../src/engine/scheduler.js";
import { createModelGate } from "../../src/host/model-gate.js";
import { classifyLlmError, createOpenClawLlmPort } from "../../src/host/openclaw-llm-port.js";
import { fakeLlm } from "../helpers/fake-llm.js";

const agent = preparedAgent;
const answer = (n: number) => ({ text: JSON.stringify({ n }) });

describe("the host-completion port (api.runtime.llm.complete)", () => {
  it("caps completions of one model across concurrent calls in the same gateway, and queue time is never an attempt's time", async () => {
    const fake = fakeLlm(() => ({ ...answer(1), delayMs: 300 }));
    const gate = createModelGate({ perModel: 2 });
    // Two tool calls at once, 3 agents each, each call allowing 3 at once: the gate lets 2 reach the provider.
    const call = (id: string) =>
      runAgents({
        runId: id,
        port: createOpenClawLlmPort({ llm: fake.llm, gate }),
        agents: [0, 1, 2].map((i) => agent(i, { timeoutMs: 500 })),
        maxConcurrent: 3,
        retries: 0,
        maxOutputBytes: 1000,
      });
    const [a, b] = await Promise.all([call("r1"), call("r2")]);
    expect(fake.maxInFlight()).toBe(2);
    // 6 completions of 300 ms through 2 slots take ~900 ms: the later ones queued ~600 ms against a 500 ms limit.
    expect([...a.agents, ...b.agents].map((r) => r.outcome)).toEqual(Array(6).fill("ok"));
    const queued = [...a.agents, ...b.agents].map((r) => r.queuedMs ?? 0);
    expect(Math.max(...queued)).toBeGreaterThanOrEqual(500);
    expect(a.agents[0]!.runtime).toBe("openclaw-completion");
  });

  it("a cancelled run stops its waiting completions before they reach the provider and aborts the running ones", async () => {
    const fake = fakeLlm(() => ({ ...answer(1), delayMs: 10_000 }));
    const gate = createModelGate({ perModel: 1 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const run = await runAgents({
      runId: "r",
      port: createOpenClawLlmPort({ llm: fake.llm, gate }),
      agents: [0, 1, 2].map((i) => agent(i)),
      maxConcurrent: 3,
      retries: 0,
      maxOutputBytes: 1000,
      signal: controller.signal,
    });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(run.agents.map((r) => r.outcome)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(fake.llm.complete).toHaveBeenCalledTimes(1); // the two waiting for the slot never reached the provider
    expect(fake.llm.complete.mock.calls[0]![0].signal!.aborted).toBe(true);
    expect(gate.inFlight("(host default)")).toBe(0);
  });

  it("a slow provider error holds the model back for the pause from when it came, for every call in the gateway", async () => {
    // the error takes 400 ms to come: a pause counted from the request's start (300 ms) would already be over
    const fake = fakeLlm((_p, n) => (n === 1 ? { stopReason: "error", delayMs: 400 } : answer(1)));
    const gate = createModelGate({ perModel: 4 });
    const port = createOpenClawLlmPort({ llm: fake.llm, gate, errorPauseMs: 300 });
    const started = Date.now();
    const first = runAgents({
      runId: "r1",
      port,
      agents: [agent(0)],
      maxConcurrent: 1,
      retries: 1,
      maxOutputBytes: 1000,
      backoff: { baseMs: 1, maxMs: 1 },
    });
    await new Promise((r) => setTimeout(r, 450)); // just after the error: another call's request must wait too
    const otherStarted = Date.now();
    const other = await runAgents({
      runId: "r2",
      port,
      agents: [agent(1)],
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 1000,
    });
    const run = await first;
    expect(run.agents[0]!.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual(["first:transient", "retry:ok"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(680);
    expect(other.agents[0]!.queuedMs ?? 0).toBeGreaterThanOrEqual(200); // held back by the pause
    expect(Date.now() - otherStarted).toBeGreaterThanOrEqual(200);
  });

  it("sends the type's schema as responseFormat for json agents only, and keeps its own validation", async () => {
    const fake = fakeLlm(() => ({ text: "not json" }));
    const port = createOpenClawLlmPort({ llm: fake.llm, gate: createModelGate({ perModel: 4 }) });
    const schema = { type: "object", required: ["n"] };
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent(0, { outputSchema: schema }), agent(1, { format: "markdown", validateOutput: undefined })],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 1000,
    });
    const formats = fake.llm.complete.mock.calls.map((c) => (c[0] as { responseFormat?: unknown }).responseFormat);
    expect(formats).toContainEqual({
      type: "json_schema",
      json_schema: { name: "agent_output", schema, strict: false },
    });
    expect(formats).toContain(undefined);
    expect(run.agents[0]!.outcome).toBe("invalid"); // the provider ignored the format: the engine's check still holds
    expect(run.agents[1]!.outcome).toBe("ok");
  });

  it.each([
    ["LLM_COMPLETION_ABORTED", "aborted"],
    ["LLM_COMPLETION_TIMEOUT", "timeout"],
    ["LLM_COMPLETION_NOT_AUTHORIZED", "fatal"],
    ["LLM_RUNTIME_UNAVAILABLE", "fatal"],
    ["LLM_ISOLATED_UNSUPPORTED", "fatal"],
    ["LLM_COMPLETION_OUTPUT_REJECTED", "fatal"],
    ["LLM_COMPLETION_FAILED", "transient"],
    [undefined, "transient"],
  ])("classifies host error code %s as %s (by code, whatever the message says)", (code, kind) => {
    const error = Object.assign(new Error("aborted timeout not allowed"), code ? { code } : {});
    expect(classifyLlmError(error, { signal: new AbortController().signal }).kind).toBe(kind);
  });
});
