import { describe, expect, it, vi } from "vitest";
import { childSessionKey, createOpenClawPort, lastAssistant, splitModelRef } from "../../src/host/openclaw-port.js";
import path from "node:path";
import { createModelGate } from "../../src/host/model-gate.js";
import { createOverrideGuard } from "../../src/host/host-ladder.js";
import { createSessionLedger } from "../../src/host/session-ledger.js";
import { fakeSubagent } from "../helpers/fake-subagent.js";
import { tempDir } from "../helpers/registry.js";
import { runAgents, type PreparedAgent } from "../../src/engine/scheduler.js";
import { getValidator } from "../../src/validation/json-validator.js";
import { SessionError, type SessionRequest } from "../../src/engine/port.js";

const request = (over: Partial<SessionRequest> = {}): SessionRequest => ({
  system: "SYS",
  message: "MSG",
  label: "l",
  attemptKey: "run1-0-1",
  timeoutMs: 5000,
  signal: new AbortController().signal,
  maxOutputBytes: 1000,
  ...over,
});

describe("the OpenClaw port over api.runtime.subagent", () => {
  it("starts a minimal, undelivered child on the subagent lane with the system prompt, a unique key and the model", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "ok", text: "answer" }));
    const port = createOpenClawPort({ subagent, agentId: "main", cleanup: "keep" });
    const result = await port.run(request({ model: "openai/gpt-x" }));
    expect(result.text).toBe("answer");
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5, totalTokens: 15 });
    expect(subagent.run).toHaveBeenCalledWith({
      sessionKey: "agent:main:subagent:parallel-agents-run1-0-1",
      message: "MSG",
      extraSystemPrompt: "SYS",
      promptMode: "minimal",
      deliver: false,
      lane: "subagent",
      idempotencyKey: "run1-0-1",
      disableTools: true,
      lightContext: true,
      provider: "openai",
      model: "gpt-x",
    });
    expect(subagent.waitForRun.mock.calls[0]![0].timeoutMs).toBeLessThanOrEqual(5000);
    expect(subagent.deleteSession).not.toHaveBeenCalled();
  });

  it("a model override the host refuses: the child starts again on the host's model, and later children skip the override", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "ok", text: "answer" }));
    const refuseModels = subagent.run.getMockImplementation()!;
    subagent.run.mockImplementation(async (params) => {
      if (params.model) throw new Error("provider/model override is not authorized for this plugin subagent run.");
      return refuseModels(params);
    });
    const overrides = createOverrideGuard("subagent").forCall();
    const port = createOpenClawPort({ subagent, cleanup: "keep", overrides });
    const first = await port.run(request({ model: "openai/gpt-x" }));
    expect(first.text).toBe("answer");
    expect(subagent.run.mock.calls.map((c) => [c[0].idempotencyKey, c[0].model])).toEqual([
      ["run1-0-1", "gpt-x"],
      ["run1-0-1-d", undefined],
    ]);
    expect(overrides.modelFor("openai/gpt-x")).toBeUndefined();
    await port.run(request({ model: "openai/gpt-x", attemptKey: "run1-1-1" }));
    expect(subagent.run.mock.calls[2]![0].model).toBeUndefined(); // no start wasted on the refused model
    expect(overrides.note()).toContain("plugins.entries.parallel-agents.subagent.allowModelOverride: true");
    // without a guard the refusal is the agent's failure, with the setting to change
    const plain = createOpenClawPort({ subagent, cleanup: "keep" });
    await expect(plain.run(request({ model: "openai/gpt-x", attemptKey: "run1-2-1" }))).rejects.toMatchObject({
      kind: "fatal",
      message: expect.stringContaining("subagent.allowModelOverride: true"),
    });
  });

  it("gives every attempt of every agent its own idempotency key and session", async () => {
    const { subagent } = fakeSubagent((_m, n) =>
      n === 1 ? { status: "ok", text: "not json" } : { status: "ok", text: '{"summary":"ok"}' },
    );
    const port = createOpenClawPort({ subagent, cleanup: "keep" });
    const agent = (i: number): PreparedAgent => ({
      id: `a${i}`,
      type: "t",
      label: `a${i}`,
      format: "json",
      validateOutput: getValidator({ type: "object", required: ["summary"] }),
      ladder: [undefined],
      timeoutMs: 5000,
      prompt: { system: "s", message: `m${i}` },
    });
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent(0), agent(1)],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 1000,
    });
    expect(run.counts.ok).toBe(2);
    const keys = subagent.run.mock.calls.map((c) => c[0].idempotencyKey);
    expect(keys).toHaveLength(3); // one repair
    expect(new Set(keys).size).toBe(3);
    expect(new Set(subagent.run.mock.calls.map((c) => c[0].sessionKey)).size).toBe(3);
  });

  it("keeps waiting through 'pending' (not a failure)", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "pending", text: "late answer" }));
    const port = createOpenClawPort({ subagent, cleanup: "keep" });
    expect((await port.run(request())).text).toBe("late answer");
    expect(subagent.waitForRun).toHaveBeenCalledTimes(2);
  });

  it("maps host timeouts and errors to session errors", async () => {
    const timeout = createOpenClawPort({
      subagent: fakeSubagent(() => ({ status: "timeout" })).subagent,
      cleanup: "keep",
    });
    await expect(timeout.run(request())).rejects.toMatchObject({ kind: "timeout" });
    const failing = createOpenClawPort({
      subagent: fakeSubagent(() => ({ status: "error", error: "provider 500" })).subagent,
      cleanup: "keep",
    });
    await expect(failing.run(request())).rejects.toMatchObject({
      kind: "transient",
      message: "sub-agent error: provider 500",
    });
  });

  it("defers deletes off the critical path with cleanup: delete", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "ok", text: "x" }));
    const port = createOpenClawPort({ subagent, cleanup: "delete", deleteDelayMs: 60_000 });
    await port.run(request());
    expect(subagent.deleteSession).not.toHaveBeenCalled();
    expect(port.pendingCleanup()).toBe(1);
    await port.flushCleanup();
    expect(subagent.deleteSession).toHaveBeenCalledWith({
      sessionKey: "agent:main:subagent:parallel-agents-run1-0-1",
      deleteTranscript: false,
    });
    expect(port.pendingCleanup()).toBe(0);
  });

  it("cancels a running child by deleting its session at once", async () => {
    const { subagent, sessions } = fakeSubagent(() => ({ status: "hang" }));
    const port = createOpenClawPort({ subagent, cleanup: "keep" });
    const controller = new AbortController();
    const pending = port.run(request({ signal: controller.signal }));
    await vi.waitFor(() => expect(subagent.waitForRun).toHaveBeenCalled());
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(SessionError);
    await expect(pending).rejects.toMatchObject({ kind: "aborted" });
    expect(subagent.deleteSession).toHaveBeenCalledTimes(1);
    expect([...sessions.values()][0]!.deleted).toBe(true);
  });

  it("a child whose start races an abort is deleted as soon as the host names it, and the call waits for that delete", async () => {
    const { subagent, sessions } = fakeSubagent(() => ({ status: "hang", startDelayMs: 300 }));
    const port = createOpenClawPort({ subagent, cleanup: "keep" });
    const agent: PreparedAgent = {
      id: "a",
      type: "t",
      label: "a",
      format: "text",
      ladder: [undefined],
      timeoutMs: 60_000,
      prompt: { system: "s", message: "m" },
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50); // while subagent.run is still starting the child
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent],
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 100,
      signal: controller.signal,
    });
    expect(run.agents[0]!.outcome).toBe("cancelled");
    await port.flushCleanup(); // what the plugin does before the tool call returns
    expect(subagent.deleteSession).toHaveBeenCalledTimes(1);
    expect([...sessions.values()][0]!.deleted).toBe(true);
    expect(subagent.waitForRun).not.toHaveBeenCalled();
  });

  it("waits for the plugin's share of the host lane before starting a child; waiting is not the attempt's time", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "ok", text: "x", startDelayMs: 150 }));
    const laneGate = createModelGate({ perModel: 2 });
    const port = createOpenClawPort({ subagent, cleanup: "keep", laneGate });
    const agent = (i: number): PreparedAgent => ({
      id: `a${i}`,
      type: "t",
      label: `a${i}`,
      format: "text",
      ladder: [undefined],
      timeoutMs: 250,
      prompt: { system: "s", message: `m${i}` },
    });
    let running = 0;
    let peak = 0;
    // a child holds its lane slot from its start to the end of its run
    const start = subagent.run.getMockImplementation()!;
    const wait = subagent.waitForRun.getMockImplementation()!;
    subagent.run.mockImplementation(async (params) => {
      peak = Math.max(peak, ++running);
      return start(params);
    });
    subagent.waitForRun.mockImplementation(async (params) => {
      const result = await wait(params);
      running--;
      return result;
    });
    const run = await runAgents({
      runId: "r",
      port,
      agents: [0, 1, 2, 3, 4, 5].map(agent),
      maxConcurrent: 6,
      retries: 0,
      maxOutputBytes: 100,
    });
    expect(peak).toBe(2);
    expect(run.agents.map((a) => a.outcome)).toEqual(Array(6).fill("ok")); // the last waited ~300 ms against a 250 ms limit
    expect(Math.max(...run.agents.map((a) => a.queuedMs ?? 0))).toBeGreaterThanOrEqual(250);
  });

  it("remembers kept children and sweeps the oldest beyond the bound at the next call, inside that call", async () => {
    const dir = await tempDir();
    const ledger = createSessionLedger({ file: path.join(dir, "children.json"), keep: 3, maxAgeMs: 3_600_000 });
    const { subagent } = fakeSubagent(() => ({ status: "ok", text: "x" }));
    for (let call = 0; call < 4; call++) {
      const port = createOpenClawPort({ subagent, cleanup: "keep", ledger });
      await Promise.all([0, 1].map((i) => port.run(request({ attemptKey: `c${call}-${i}` }))));
      await port.flushCleanup();
    }
    // 8 children made; each call swept what was over 3 before it: at most 3 + the 2 of the last call remain.
    expect(ledger.size()).toBeLessThanOrEqual(5);
    const deleted = subagent.deleteSession.mock.calls.map((c) => c[0].sessionKey);
    expect(deleted).toContain("agent:main:subagent:parallel-agents-c0-0"); // oldest first
    expect(deleted).not.toContain("agent:main:subagent:parallel-agents-c3-1");
    // a fresh ledger on the same file (a gateway restart) still knows them
    expect(createSessionLedger({ file: path.join(dir, "children.json"), keep: 3, maxAgeMs: 3_600_000 }).size()).toBe(
      ledger.size(),
    );
  });

  it("an engine timeout stops the child through the same signal", async () => {
    const { subagent } = fakeSubagent(() => ({ status: "hang" }));
    const port = createOpenClawPort({ subagent, cleanup: "keep" });
    const agent: PreparedAgent = {
      id: "a",
      type: "t",
      label: "a",
      format: "text",
      ladder: [undefined],
      timeoutMs: 100,
      prompt: { system: "s", message: "m" },
    };
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent],
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 100,
    });
    expect(run.agents[0]!.outcome).toBe("timeout");
    await vi.waitFor(() => expect(subagent.deleteSession).toHaveBeenCalled());
  });

  it("builds session keys and model refs safely", () => {
    expect(childSessionKey("main", "pr-1/../x")).toBe("agent:main:subagent:parallel-agents-pr-1----x");
    expect(splitModelRef("anthropic/claude-x")).toEqual({ provider: "anthropic", model: "claude-x" });
    expect(splitModelRef("gpt-x")).toEqual({ model: "gpt-x" });
    expect(splitModelRef(undefined)).toEqual({});
    expect(
      lastAssistant([
        { role: "assistant", content: "a" },
        { role: "assistant", content: "b" },
      ]).text,
    ).toBe("b");
  });
});
