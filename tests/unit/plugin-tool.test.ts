import { describe, expect, it, vi } from "vitest";
import { createParallelRunTool } from "../../src/plugin/tools.js";
import type { ToolFactoryContext } from "../../src/plugin/host-tool.js";
import { ParallelRunResultSchema } from "../../src/tools/parallel-run/result-schema.js";
import { getValidator } from "../../src/validation/json-validator.js";
import { fakeSubagent } from "../helpers/fake-subagent.js";
import { tempDir } from "../helpers/registry.js";

async function tool(behave: Parameters<typeof fakeSubagent>[0], config: unknown = {}) {
  const { subagent } = fakeSubagent(behave);
  const stateDir = await tempDir();
  const logger = { warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() };
  const api = { runtime: { subagent, state: { resolveStateDir: () => stateDir } }, logger } as unknown as ToolFactoryContext["api"];
  return { subagent, t: createParallelRunTool({ api, config, toolContext: { agentId: "main", sessionKey: "agent:main:main" } }) };
}

const funny = { caption: "c", hashtags: ["#a"], engagement_prediction: "High", punchline: "p" };

describe("the parallel_run plugin tool", () => {
  it("runs agents as sub-agents of the calling agent and returns text for the model and schema-valid details", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: JSON.stringify(funny) }));
    const updates: string[] = [];
    const result = await t.execute("call-1", { agents: [{ type: "content_writer_funny", task: "Mondays" }, { type: "content_writer_funny", task: "Fridays" }] }, undefined, (u) => updates.push(u.progress.text));
    expect(result.content[0]!.text).toMatch(/2 agents, 2 ok/);
    expect(result.content[0]!.text).toContain('"punchline":"p"');
    const check = getValidator(ParallelRunResultSchema)(result.details);
    expect(check.valid ? "" : check.errorMessage).toBe("");
    expect(result.details.agents.map((a) => a.label)).toEqual(["content_writer_funny", "content_writer_funny #2"]);
    expect(updates).toEqual([expect.stringMatching(/^1\/2 done: content_writer_funny.* ok/), expect.stringMatching(/^2\/2 done/)]);
    expect(subagent.run.mock.calls.every((c) => c[0].sessionKey.startsWith("agent:main:subagent:parallel-agents-"))).toBe(true);
  });

  it("throws a clear error naming the field and starts nothing on a bad call", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: "{}" }));
    await expect(t.execute("c", { agents: [{ type: "content_writer_funy", task: "x" }] })).rejects.toThrow(/parallel_run: invalid call, nothing was started:\n- agents\[0\]\.type: unknown agent type "content_writer_funy".*nearest: content_writer_funny/);
    expect(subagent.run).not.toHaveBeenCalled();
  });

  it("reports bad plugin config with the field and the fix", async () => {
    const { t } = await tool(() => ({ status: "ok", text: "{}" }), { maxConcurrent: 0 });
    await expect(t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }] })).rejects.toThrow(/plugins\.entries\.parallel-agents\.config\.maxConcurrent: must be >= 1.*Fix:/);
  });

  it("uses the config's model ladder, starting each tier on its rung", async () => {
    const { t, subagent } = await tool(() => ({ status: "ok", text: JSON.stringify(funny) }), { models: ["p/fast-m", "p/std-m", "p/big-m"] });
    await t.execute("c", { agents: [{ type: "content_writer_funny", task: "x" }, { type: "code_reviewer", task: "y", input: { code: "z" } }] });
    const models = subagent.run.mock.calls.map((c) => `${c[0].provider}/${c[0].model}`);
    expect(models[0]).toBe("p/fast-m");
    expect(models).toContain("p/std-m"); // code_reviewer is standard tier
  });
});
