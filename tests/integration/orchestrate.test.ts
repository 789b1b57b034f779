import { afterEach, describe, expect, it } from "vitest";
import { PlanRefusedError } from "../../src/tools/orchestrate/execute.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import type { Reply, ScriptRequest } from "../helpers/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

const task = (id: string, dependsOn: string[] = [], type = "echo_agent") => ({ id, type, task: `[t:${id}] do part ${id}`, dependsOn });
const DIAMOND = [task("a"), task("b", ["a"]), task("c", ["a"]), task("d", ["b", "c"])];

const isPlanner = (r: ScriptRequest) => r.system.includes("You are a planner for a team");
const isSynth = (r: ScriptRequest) => r.system.includes("You are the editor who turns");

/** Planner answers `plans` in turn; tasks answer with their own id (or as `task` says); the synthesizer lists what it saw. */
function script(plans: unknown[], taskReply: (id: string, r: ScriptRequest) => Reply = (id) => ({ json: { summary: `output of ${id}` }, delayMs: 200 })) {
  let planned = 0;
  return (r: ScriptRequest): Reply => {
    if (isPlanner(r)) return { json: { tasks: plans[Math.min(planned++, plans.length - 1)], rationale: "split the work" } };
    if (isSynth(r)) {
      const seen = [...new Set([...r.user.matchAll(/output of ([a-z])/g)].map((m) => m[1]))].sort();
      const failed = [...r.user.matchAll(/"id": "([a-z])",\s*"type": "echo_agent",\s*"task": "[^"]*",\s*"outcome": "(invalid|failed|skipped|timeout)"/g)].map((m) => ({ id: m[1], reason: m[2] }));
      return { json: { synthesis: `Combined: ${seen.join(", ")}`, failed_lanes: failed, confidence: 0.8 } };
    }
    const id = /\[t:([a-z])\]/.exec(r.user)?.[1];
    if (!id) throw new Error("unexpected request");
    return taskReply(id, r);
  };
}

const taskRequests = (h: Harness) => h.server.log.filter((e) => e.user.includes("[t:") && !e.system.includes("You are a planner") && !e.system.includes("You are the editor"));

describe("orchestrate: plan, run in waves, synthesize", () => {
  it("runs a diamond A -> B, C -> D: B and C overlap, D sees both outputs, the synthesis sees all four", async () => {
    h = await startHarness(script([DIAMOND]));
    const { details, text } = await h.orchestrate({ goal: "Do the diamond" });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}:wave${t.wave}`)).toEqual(["a:ok:wave1", "b:ok:wave2", "c:ok:wave2", "d:ok:wave3"]);
    const req = (id: string) => taskRequests(h!).find((e) => e.user.startsWith(`[t:${id}]`))!;
    expect(Math.max(req("b").startedAt, req("c").startedAt)).toBeLessThan(Math.min(req("b").endedAt!, req("c").endedAt!));
    expect(req("b").startedAt).toBeGreaterThanOrEqual(req("a").endedAt!);
    expect(req("d").user).toContain("output of b");
    expect(req("d").user).toContain("output of c");
    expect(req("d").user).toContain("## Results of the tasks this one depends on");
    expect((details.synthesis!.output as { synthesis: string }).synthesis).toBe("Combined: a, b, c, d");
    expect(text).toContain("## Synthesis\nCombined: a, b, c, d");
  });

  it.each([
    ["a cycle", [task("a", ["b"]), task("b", ["a"])], /cycle among "a", "b"/],
    ["an unknown type", [task("a", [], "ghost_writer")], /unknown agent type "ghost_writer"/],
    ["a dangling dependency", [task("a", ["zz"])], /depends on "zz", which is not in the plan/],
    ["too many tasks", Array.from({ length: 9 }, (_, i) => task(String.fromCharCode(97 + i))), /9 tasks, more than the maximum of 8/],
    ["a duplicate id", [task("a"), task("a")], /"a" is used twice/],
  ])("refuses a plan with %s after sending it back, and starts no task agent", async (_name, plan, problem) => {
    h = await startHarness(script([plan]));
    const error = await h.orchestrate({ goal: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanRefusedError);
    expect((error as PlanRefusedError).message).toMatch(problem);
    const planners = h.server.log.filter((e) => e.system.includes("You are a planner"));
    expect(planners).toHaveLength(3); // first, a repair showing the problems, a last try (on the next model when the ladder has one)
    expect(planners[1]!.user).toContain("Your previous plan was rejected");
    expect(h.server.log).toHaveLength(3); // only the planner ran
  });

  it("uses the planner's corrected plan after one round of feedback", async () => {
    h = await startHarness(script([[task("a", ["b"]), task("b", ["a"])], [task("a"), task("b", ["a"])]]));
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details).toMatchObject({ plannerAttempts: 2 });
    expect(details.tasks.map((t) => t.outcome)).toEqual(["ok", "ok"]);
  });

  it("a failing branch skips exactly its dependents; the synthesis names the failed lanes", async () => {
    h = await startHarness(script([[task("a"), task("b", ["a"]), task("c", ["a"]), task("d", ["b"]), task("e")]], (id) => (id === "b" ? { text: "no json here" } : { json: { summary: `output of ${id}` } })));
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:ok", "b:invalid", "c:ok", "d:skipped", "e:ok"]);
    expect(details.tasks[3]!.reason).toBe("dependency b (echo_agent) ended invalid");
    expect((details.synthesis!.output as { failed_lanes: Array<{ id: string }> }).failed_lanes.map((f) => f.id)).toEqual(["b", "d"]);
  });

  it("dryRun starts only the planner and says what it would start", async () => {
    h = await startHarness(script([DIAMOND]));
    const { details, text } = await h.orchestrate({ goal: "x", dryRun: true });
    expect(h.server.log).toHaveLength(1);
    expect(details).toMatchObject({ wouldStart: { agents: 5, maxAttempts: 20, createTypes: [] } });
    expect(text).toMatch(/4 tasks in 3 waves; would start 5 agents and at most 20 attempts/);
    expect(details.waves).toEqual([["a"], ["b", "c"], ["d"]]);
  });

  it("allowCreateTypes: a type the catalogue lacks is created by refine_agent, saved, then used by the plan", async () => {
    const { tempDir } = await import("../helpers/registry.js");
    const { SAMPLE_OUTPUTS, designReview } = await import("../helpers/sample-outputs.js");
    const userDir = await tempDir("pa-create-");
    h = await startHarness((r) => {
      if (isPlanner(r)) return { json: { tasks: [task("a", [], "haiku_poet")], rationale: "needs a poet" } };
      if (isSynth(r)) return { json: { synthesis: "done", failed_lanes: [], confidence: 1 } };
      if (r.system.includes("You are an expert designer of AI agents")) return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: "haiku_poet", system_prompt: "You are haiku_poet. You write haiku with a careful method, a quality bar and edge cases." } };
      if (r.system.includes("You are a strict reviewer of AI agent designs")) return { json: designReview(9) };
      if (r.system.includes("You are haiku_poet")) return { json: { ingredients: ["five", "seven", "five"] } };
      throw new Error("unexpected request");
    }, { promptDirs: [userDir] });
    const { details } = await h.orchestrate({ goal: "A haiku", allowCreateTypes: true }, userDir);
    expect(details.tasks.map((t) => `${t.type}:${t.outcome}`)).toEqual(["haiku_poet:ok"]);
    expect((await import("node:fs")).existsSync(`${userDir}/haiku_poet.yaml`)).toBe(true);
  });

  it("without allowCreateTypes, an unknown type in the plan is refused", async () => {
    h = await startHarness(script([[task("a", [], "haiku_poet")]]));
    await expect(h.orchestrate({ goal: "x" })).rejects.toThrow(/unknown agent type "haiku_poet"/);
  });

  it("failFast cancels the remaining tasks after the first failure", async () => {
    h = await startHarness(script([[task("a"), task("b")]], (id) => (id === "a" ? { text: "", delayMs: 50 } : { hang: true })));
    const { details } = await h.orchestrate({ goal: "x", failFast: true });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:failed", "b:cancelled"]);
  });
});
