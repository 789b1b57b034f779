import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";
import { SAMPLE_OUTPUTS, designReview } from "../../testing/sample-outputs.js";
import type { Reply, ScriptRequest } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

async function until(check: () => boolean) {
  const start = Date.now();
  while (!check() && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
}

describe("resume for orchestrate and refine_agent", () => {
  it("orchestrate resumes from its journal: no new plan, finished tasks reused, only the rest run", async () => {
    let hangC = true;
    const plan = [
      { id: "a", type: "echo_agent", task: "[t:a]", dependsOn: [] },
      { id: "b", type: "echo_agent", task: "[t:b]", dependsOn: ["a"] },
      { id: "c", type: "echo_agent", task: "[t:c]", dependsOn: [] },
    ];
    h = await startHarness((r: ScriptRequest): Reply => {
      if (r.system.includes("You are a planner for a team")) return { json: { tasks: plan, rationale: "r" } };
      if (r.system.includes("You are the editor who turns"))
        return { json: { synthesis: "all done", failed_lanes: [], confidence: 1 } };
      const id = /\[t:([a-z])\]/.exec(r.user)![1]!;
      return id === "c" && hangC ? { hang: true } : { json: { summary: `output of ${id}` } };
    });
    const journalDir = await tempDir("pa-journal-");
    const controller = new AbortController();
    const first = h.orchestrate({ goal: "x" }, undefined, { journalDir, signal: controller.signal });
    await until(
      () =>
        h!.server.log.some((e) => e.user.startsWith("[t:b]") && e.endedAt !== undefined) && h!.server.inFlight() > 0,
    );
    controller.abort();
    const cut = await first;
    expect(cut.details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:ok", "b:ok", "c:cancelled"]);
    const before = h.server.log.length;
    hangC = false;
    const resumed = await h.orchestrate({ resume: cut.details.runId }, undefined, { journalDir });
    expect(resumed.details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:ok", "b:ok", "c:ok"]);
    const after = h.server.log.slice(before);
    expect(after.some((e) => e.system.includes("You are a planner"))).toBe(false);
    expect(after.filter((e) => e.user.startsWith("[t:")).map((e) => e.user.slice(0, 5))).toEqual(["[t:c]"]);
    expect(resumed.details.synthesis?.outcome).toBe("ok");
  });

  it("refine_agent resumes: agents that ended are reused, only the interrupted one runs again", async () => {
    let hang = true;
    h = await startHarness((r: ScriptRequest): Reply => {
      if (r.system.includes("You are an expert designer of AI agents")) {
        const name = /Design the agent "([^"]+)"/.exec(r.user)![1]!;
        if (name === "slow_agent" && hang) return { hang: true };
        return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: name } };
      }
      if (r.system.includes("You are a strict reviewer")) return { json: designReview(9) };
      throw new Error("unexpected");
    });
    const journalDir = await tempDir("pa-journal-");
    const userDir = await tempDir("pa-user-");
    const controller = new AbortController();
    const first = h.refine(
      {
        agents: [
          { name: "fast_agent", purpose: "x" },
          { name: "slow_agent", purpose: "y" },
        ],
      },
      userDir,
      { journalDir, signal: controller.signal },
    );
    await until(() =>
      h!.server.log.some((e) => e.user.startsWith("Review this agent design") && e.endedAt !== undefined),
    );
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const cut = await first;
    expect(cut.details.agents[0]!.savedTo).toBeTruthy();
    const before = h.server.log.length;
    hang = false;
    const resumed = await h.refine({ resume: cut.details.runId }, userDir, { journalDir });
    expect(resumed.details.agents.map((a) => `${a.name}:${a.reachedTarget}`)).toEqual([
      "fast_agent:true",
      "slow_agent:true",
    ]);
    expect(h.server.log.slice(before).some((e) => e.user.includes("fast_agent"))).toBe(false);
  });

  it("refuses to resume a run of another tool", async () => {
    h = await startHarness(() => ({ json: { summary: "ok" } }));
    const journalDir = await tempDir("pa-journal-");
    const { run } = await h.run({ agents: [{ type: "echo_agent", task: "x" }] }, { journalDir });
    await expect(h.orchestrate({ resume: run.runId }, undefined, { journalDir })).rejects.toThrow(
      /is a parallel_run run, not orchestrate/,
    );
  });
});
