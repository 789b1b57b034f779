import { describe, expect, it } from "vitest";
import { createParallelRunTool } from "../../src/plugin/tools.js";
import { ParallelRunResultSchema } from "../../src/tools/parallel-run/result-schema.js";
import { getValidator } from "../../src/validation/json-validator.js";
import { fakeLlm, type LlmBehaviour } from "../helpers/fake-llm.js";
import { fakeSubagent } from "../helpers/fake-subagent.js";
import { fakeHostApi } from "../helpers/fake-host-api.js";

/** The tool on the session runtime (childRuntime: "session"), with a fake api.runtime.subagent. */
async function tool(behave: Parameters<typeof fakeSubagent>[0], config: Record<string, unknown> = {}) {
  const { subagent } = fakeSubagent(behave);
  const { llm } = fakeLlm(() => {
    throw new Error("the session runtime must not call llm.complete");
  });
  const api = await fakeHostApi({ subagent, llm });
  return {
    subagent,
    t: createParallelRunTool({
      api,
      config: { childRuntime: "session", ...config },
      toolContext: { agentId: "main", sessionKey: "agent:main:main" },
    }),
  };
}

/** The tool with its default runtime (host completions), with a fake api.runtime.llm and a subagent that must stay unused. */
async function completionTool(
  behave: (params: { model?: string; systemPrompt?: string }, call: number) => LlmBehaviour,
  config: Record<string, unknown> = {},
) {
  const fake = fakeLlm(behave);
  const { subagent } = fakeSubagent(() => {
    throw new Error("the completion runtime must not start sessions");
  });
  const api = await fakeHostApi({ subagent, llm: fake.llm });
  return {
    ...fake,
    subagent,
    t: createParallelRunTool({ api, config, toolContext: { agentId: "main", sessionKey: "agent:main:main" } }),
  };
}

const funny = { caption: "c", hashtags: ["#a"], engagement_prediction: "High", punchline: "p" };

describe("the parallel_run plugin tool on host completions (the default runtime)", () => {
  it("runs each tool-less agent as one host completion: its own prompt as systemPrompt, its task as the one user message", async () => {
    const { t, llm, subagent } = await completionTool(() => ({ text: JSON.stringify(funny), costUsd: 0.002 }));
    const result = await t.execute("call-1", {
      agents: [
        { type: "content_writer_funny", task: "Mondays" },
        { type: "content_writer_funny", task: "Fridays" },
      ],
    });
    expect(result.content[0]!.text).toMatch(/2 agents, 2 ok.*\$0\.0040/);
    expect(subagent.run).not.toHaveBeenCalled();
    const calls = llm.complete.mock.calls.map((c) => c[0]);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.systemPrompt).toContain("## Output contract");
    expect(calls.map((c) => c.messages)).toEqual([
      [{ role: "user", content: expect.stringContaining("Mondays") }],
      [{ role: "user", content: expect.stringContaining("Fridays") }],
    ]);
    expect((calls[0] as { responseFormat?: unknown }).responseFormat).toMatchObject({
      type: "json_schema",
      json_schema: { schema: expect.objectContaining({ type: "object" }) },
    });
    expect(result.details.agents.map((a) => a.runtime)).toEqual(["openclaw-completion", "openclaw-completion"]);
    expect(result.details.agents[0]!.usage).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
      costUsd: 0.002,
    });
    expect(result.details.usage?.costUsd).toBeCloseTo(0.004);
    const check = getValidator(ParallelRunResultSchema)(result.details);
    expect(check.valid ? "" : check.errorMessage).toBe("");
  });

  it("never accepts an answer cut at the token limit: it is repaired, and ends invalid when every try is cut", async () => {
    const { t, llm } = await completionTool(() => ({ text: JSON.stringify(funny), stopReason: "length" }));
    const result = await t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] });
    expect(result.details.agents[0]).toMatchObject({ outcome: "invalid" });
    expect(result.details.agents[0]!.attempts.map((a) => a.kind)).toEqual(["first", "repair"]);
    expect(result.details.agents[0]!.attempts[0]!.error).toMatch(/output token limit/);
    expect(llm.complete).toHaveBeenCalledTimes(2);
  });

  it("escalates a refused model override to the next rung and tells the exact setting to change", async () => {
    const { t } = await completionTool(
      (p) =>
        p.model === "p/fast-m" ? { throwCode: "LLM_COMPLETION_NOT_AUTHORIZED" } : { text: JSON.stringify(funny) },
      { models: ["p/fast-m", "p/std-m"] },
    );
    const result = await t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] });
    const agent = result.details.agents[0]!;
    expect(agent.outcome).toBe("ok");
    expect(agent.attempts.map((a) => `${a.kind}@${a.model}:${a.outcome}`)).toEqual([
      "first@p/fast-m:fatal",
      "escalation@p/std-m:ok",
    ]);
    expect(agent.attempts[0]!.error).toContain("plugins.entries.parallel-agents.llm.allowModelOverride: true");
  });

  it("classifies the host's errors by code: a timeout is retried, an unavailable runtime is not", async () => {
    const { t, llm } = await completionTool(
      (_p, n) =>
        [
          { throwCode: "LLM_COMPLETION_TIMEOUT" },
          { text: JSON.stringify(funny) },
          { throwCode: "LLM_RUNTIME_UNAVAILABLE" },
        ][n - 1]!,
    );
    const result = await t.execute("c", {
      agents: [
        { type: "content_writer_funny", task: "x" },
        { type: "code_reviewer", task: "y", input: { code: "z" } },
      ],
      maxConcurrent: 1,
    });
    expect(result.details.agents[0]!.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual([
      "first:timeout",
      "retry:ok",
    ]);
    expect(result.details.agents[1]!.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual(["first:fatal"]);
    expect(result.details.agents[1]!.outcome).toBe("failed");
    expect(llm.complete).toHaveBeenCalledTimes(3);
  });
});

describe("the parallel_run plugin tool on sub-agent sessions (childRuntime: session)", () => {
  it("runs agents as sub-agents of the calling agent and returns text for the model and schema-valid details", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: JSON.stringify(funny) }));
    const updates: string[] = [];
    const result = await t.execute(
      "call-1",
      {
        agents: [
          { type: "content_writer_funny", task: "Mondays" },
          { type: "content_writer_funny", task: "Fridays" },
        ],
      },
      undefined,
      (u) => updates.push(u.progress.text),
    );
    expect(result.content[0]!.text).toMatch(/2 agents, 2 ok/);
    expect(result.content[0]!.text).toContain('"punchline":"p"');
    const check = getValidator(ParallelRunResultSchema)(result.details);
    expect(check.valid ? "" : check.errorMessage).toBe("");
    expect(result.details.agents.map((a) => a.label)).toEqual(["content_writer_funny", "content_writer_funny #2"]);
    const runId = result.details.runId;
    expect(updates).toEqual([
      `parallel_run ${runId} started with 2 agents; if it is interrupted, call parallel_run again with resume: "${runId}" (or "latest")`,
      expect.stringMatching(/^1\/2 done: content_writer_funny.* ok/),
      expect.stringMatching(/^2\/2 done/),
    ]);
    expect(
      subagent.run.mock.calls.every((c) => c[0].sessionKey.startsWith("agent:main:subagent:parallel-agents-")),
    ).toBe(true);
  });

  it("throws a clear error naming the field and starts nothing on a bad call", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: "{}" }));
    await expect(t.execute("c", { agents: [{ type: "content_writer_funy", task: "x" }] })).rejects.toThrow(
      /parallel_run: invalid call, nothing was started:\n- agents\[0\]\.type: unknown agent type "content_writer_funy".*nearest: content_writer_funny/,
    );
    expect(subagent.run).not.toHaveBeenCalled();
  });

  it("reports bad plugin config with the field and the fix", async () => {
    const { t } = await tool(() => ({ status: "ok", text: "{}" }), { maxConcurrent: 0 });
    await expect(t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] })).rejects.toThrow(
      /plugins\.entries\.parallel-agents\.config\.maxConcurrent: must be >= 1.*Fix:/,
    );
  });

  it("uses the config's model ladder, starting each tier on its rung", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: JSON.stringify(funny) }), {
      models: ["p/fast-m", "p/std-m", "p/big-m"],
    });
    await t.execute("c", {
      agents: [
        { type: "content_writer_funny", task: "x" },
        { type: "code_reviewer", task: "y", input: { code: "z" } },
      ],
    });
    const models = subagent.run.mock.calls.map((c) => `${c[0].provider}/${c[0].model}`);
    expect(models[0]).toBe("p/fast-m");
    expect(models).toContain("p/std-m"); // code_reviewer is standard tier
  });
});
