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
  hostConfig?: Record<string, unknown>,
) {
  const fake = fakeLlm(behave);
  const { subagent } = fakeSubagent(() => {
    throw new Error("the completion runtime must not start sessions");
  });
  const api = await fakeHostApi({ subagent, llm: fake.llm });
  return {
    ...fake,
    subagent,
    t: createParallelRunTool({
      api,
      config,
      toolContext: { agentId: "main", sessionKey: "agent:main:main", ...(hostConfig ? { config: hostConfig } : {}) },
    }),
  };
}

/** An OpenClaw config: the main agent's primary and fallbacks, their prices, and whether per-run models are allowed. */
function hostConfigWith(options: { allowOverride: boolean }) {
  const model = (id: string, input: number, output: number) => ({ id, name: id, cost: { input, output } });
  return {
    agents: { defaults: { model: { primary: "p/big", fallbacks: ["p/small", "p/mid"] } } },
    models: { providers: { p: { models: [model("big", 15, 75), model("small", 0.1, 0.4), model("mid", 1, 4)] } } },
    plugins: { entries: { "parallel-agents": options.allowOverride ? { llm: { allowModelOverride: true } } : {} } },
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

  it("a model override the host refuses: the agents run on its default model and the result says the setting once", async () => {
    const { t, llm } = await completionTool(
      (p) =>
        p.model
          ? {
              throwCode: "LLM_COMPLETION_NOT_AUTHORIZED",
              throwMessage: "Plugin LLM completion cannot override the target model.",
            }
          : { text: JSON.stringify(funny) },
      { models: ["p/fast-m", "p/std-m"] },
    );
    const agents = [
      { type: "content_writer_funny", task: "x" },
      { type: "content_writer_funny", task: "y" },
    ];
    const first = await t.execute("c", { agents, maxConcurrent: 1 });
    for (const agent of first.details.agents) {
      expect(agent.outcome).toBe("ok");
      expect(agent.attempts.map((a) => `${a.kind}@${a.model}:${a.outcome}`)).toEqual(["first@scripted/model-a:ok"]);
    }
    // one request found the refusal; every later one went straight to the host's model
    expect(llm.complete.mock.calls.map((c) => c[0].model ?? "default")).toEqual(["p/fast-m", "default", "default"]);
    const key = "plugins.entries.parallel-agents.llm.allowModelOverride: true";
    expect(first.details.notes).toHaveLength(1);
    expect(first.details.notes![0]).toContain(key);
    expect(first.details.notes![0]).toContain('refused model "p/fast-m"');
    expect(first.content[0]!.text).toContain(`Note: The host refused model "p/fast-m"`);
    const second = await t.execute("c2", { agents: [agents[0]!] });
    expect(second.details.agents[0]!.outcome).toBe("ok");
    expect(llm.complete).toHaveBeenCalledTimes(4); // no request wasted on the refused model
    // explained in full once; later results say it in one line
    expect(second.details.notes).toEqual([
      `Ran on the host's default model instead of "p/fast-m": the host refuses them (set ${key} in the OpenClaw config).`,
    ]);
  });

  it("without a configured ladder, climbs the host's primary and fallbacks cheapest first and prices each answer from the host's catalogue", async () => {
    const { t, llm } = await completionTool(
      (p) => (p.model === "p/small" ? { text: "not json" } : { text: JSON.stringify(funny) }),
      {},
      hostConfigWith({ allowOverride: true }),
    );
    const result = await t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] });
    expect(result.details.ladder).toEqual({
      models: ["p/small", "p/mid", "p/big"],
      source: "your OpenClaw config (primary and fallbacks, cheapest first)",
    });
    expect(result.content[0]!.text).toContain("Ladder: p/small -> p/mid -> p/big (your OpenClaw config");
    const agent = result.details.agents[0]!;
    expect(agent.attempts.map((a) => `${a.kind}@${a.model}:${a.outcome}`)).toEqual([
      "first@p/small:invalid",
      "repair@p/small:invalid",
      "escalation@p/mid:ok",
    ]);
    expect(llm.complete.mock.calls.map((c) => c[0].model)).toEqual(["p/small", "p/small", "p/mid"]);
    // 10 input and 5 output tokens per request: twice at 0.1/0.4, once at 1/4 dollars per million tokens
    const expected = 2 * ((10 * 0.1 + 5 * 0.4) / 1e6) + (10 * 1 + 5 * 4) / 1e6;
    expect(agent.usage!.costUsd).toBeCloseTo(expected, 12);
    expect(result.details.usage!.costUsd).toBeCloseTo(expected, 12);
    expect(result.content[0]!.text).toContain(`$${expected.toFixed(4)}`);
  });

  it("a host ladder the plugin may not use: the host's model, and the setting to change said once", async () => {
    const { t, llm } = await completionTool(
      () => ({ text: JSON.stringify(funny) }),
      {},
      hostConfigWith({ allowOverride: false }),
    );
    const first = await t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] });
    expect(first.details.ladder).toEqual({ models: [], source: "the host's default model" });
    expect(llm.complete.mock.calls[0]![0].model).toBeUndefined();
    expect(first.details.notes).toHaveLength(1);
    expect(first.details.notes![0]).toContain("p/big, p/small, p/mid");
    expect(first.details.notes![0]).toContain("plugins.entries.parallel-agents.llm.allowModelOverride: true");
    const second = await t.execute("c2", { agents: [{ type: "content_writer_funny", task: "y" }] });
    expect(second.details.notes).toBeUndefined();
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
