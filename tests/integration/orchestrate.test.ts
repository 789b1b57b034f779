import { afterEach, describe, expect, it } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { OrchestrateResultSchema } from "../../src/tools/orchestrate/result-schema.js";
import { getValidator } from "../../src/validation/json-validator.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";
import type { Reply, ScriptRequest } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

const task = (id: string, dependsOn: string[] = [], type = "echo_agent") => ({
  id,
  type,
  task: `[t:${id}] do part ${id}`,
  dependsOn,
});
const DIAMOND = [task("a"), task("b", ["a"]), task("c", ["a"]), task("d", ["b", "c"])];
/** A chain a -> b -> ... of n tasks: n waves deep. */
const chainOf = (n: number) =>
  Array.from({ length: n }, (_, i) => task(String.fromCharCode(97 + i), i === 0 ? [] : [String.fromCharCode(96 + i)]));

/** A folder with one agent type, topic_writer, whose input requires a topic. */
async function topicWriterDir(): Promise<string> {
  const dir = await tempDir("pa-topic-");
  const yaml = [
    "id: topic_writer",
    "name: Topic Writer",
    "version: 1.0.0",
    "category: test",
    "description: Test agent that needs a topic.",
    "useWhen: Only in tests of plan checks.",
    "tier: fast",
    "timeoutSeconds: 30",
    "outputFormat: json",
    "system: |",
    "  You are a test agent. Method: read the topic. Quality bar: one sentence. Edge cases: none.",
    "task: |",
    "  Topic: {{topic}}",
    "  {{task}}",
    "input:",
    "  type: object",
    "  required: [topic]",
    "  properties:",
    "    topic: { type: string, minLength: 1 }",
    "  additionalProperties: false",
    "output:",
    "  type: object",
    "  required: [summary]",
    "  properties:",
    "    summary: { type: string, minLength: 1 }",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "topic_writer.yaml"), yaml);
  return dir;
}

const isPlanner = (r: ScriptRequest) => r.system.includes("You are a planner for a team");
const isSynth = (r: ScriptRequest) => r.system.includes("You are the editor who turns");

/** Planner answers `plans` in turn; tasks answer with their own id (or as `task` says); the synthesizer lists what it saw. */
function script(
  plans: unknown[],
  taskReply: (id: string, r: ScriptRequest) => Reply = (id) => ({ json: { summary: `output of ${id}` }, delayMs: 200 }),
) {
  let planned = 0;
  return (r: ScriptRequest): Reply => {
    if (isPlanner(r))
      return { json: { tasks: plans[Math.min(planned++, plans.length - 1)], rationale: "split the work" } };
    if (isSynth(r)) {
      const seen = [...new Set([...r.user.matchAll(/output of ([a-z])/g)].map((m) => m[1]))].sort();
      const failed = [
        ...r.user.matchAll(
          /"id": "([a-z])",\s*"type": "echo_agent",\s*"task": "[^"]*",\s*"outcome": "(invalid|failed|skipped|timeout)"/g,
        ),
      ].map((m) => ({ id: m[1], reason: m[2] }));
      return { json: { synthesis: `Combined: ${seen.join(", ")}`, failed_lanes: failed, confidence: 0.8 } };
    }
    const id = /\[t:([a-z])\]/.exec(r.user)?.[1];
    if (!id) throw new Error("unexpected request");
    return taskReply(id, r);
  };
}

const taskRequests = (h: Harness) =>
  h.server.log.filter(
    (e) =>
      e.user.includes("[t:") && !e.system.includes("You are a planner") && !e.system.includes("You are the editor"),
  );

describe("orchestrate: plan, run in waves, synthesize", () => {
  it("runs a diamond A -> B, C -> D: B and C overlap, D sees both outputs, the synthesis sees all four", async () => {
    h = await startHarness(script([DIAMOND]));
    const { details, text } = await h.orchestrate({ goal: "Do the diamond" });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}:wave${t.wave}`)).toEqual([
      "a:ok:wave1",
      "b:ok:wave2",
      "c:ok:wave2",
      "d:ok:wave3",
    ]);
    const req = (id: string) => taskRequests(h!).find((e) => e.user.startsWith(`[t:${id}]`))!;
    expect(Math.max(req("b").startedAt, req("c").startedAt)).toBeLessThan(
      Math.min(req("b").endedAt!, req("c").endedAt!),
    );
    expect(req("b").startedAt).toBeGreaterThanOrEqual(req("a").endedAt!);
    expect(req("d").user).toContain("output of b");
    expect(req("d").user).toContain("output of c");
    expect(req("d").user).toContain("## Results of the tasks this one depends on");
    expect((details.synthesis!.output as { synthesis: string }).synthesis).toBe("Combined: a, b, c, d");
    expect(text).toContain("## Synthesis\nCombined: a, b, c, d");
  });

  it.each([
    ["a cycle", [task("a", ["b"]), task("b", ["a"])], {}, { field: "dependsOn", message: /cycle among "a", "b"/ }],
    [
      "an unknown type",
      [task("a", [], "ghost_writer")],
      {},
      { taskId: "a", field: "tasks[0].type", message: /unknown agent type "ghost_writer"/ },
    ],
    [
      "a dangling dependency",
      [task("a", ["zz"])],
      {},
      { taskId: "a", field: "tasks[0].dependsOn", message: /depends on "zz", which is not in the plan/ },
    ],
    [
      "too many tasks",
      Array.from({ length: 9 }, (_, i) => task(String.fromCharCode(97 + i))),
      {},
      { field: "tasks", message: /9 tasks, more than the maximum of 8/ },
    ],
    ["a duplicate id", [task("a"), task("a")], {}, { taskId: "a", field: "tasks[1].id", message: /"a" is used twice/ }],
    [
      "a dependency chain over the depth cap",
      chainOf(6),
      {},
      { field: "dependsOn", message: /6 waves deep, more than 5/ },
    ],
    [
      "a wave over the width cap",
      Array.from({ length: 13 }, (_, i) => task(String.fromCharCode(97 + i))),
      { maxTasks: 20 },
      { field: "tasks", message: /wave 1 has 13 tasks, more than 12/ },
    ],
    [
      "a task whose outputSchema runs a regular expression",
      [
        {
          ...task("a", [], "general"),
          outputSchema: { type: "object", properties: { x: { type: "string", pattern: "^(a+)+$" } } },
        },
      ],
      {},
      { taskId: "a", field: "tasks[0].outputSchema", message: /uses "pattern" at \/properties\/x\/pattern/ },
    ],
    [
      "a task missing its type's required input",
      [task("a", [], "topic_writer")],
      {},
      {
        taskId: "a",
        field: "tasks[0].input",
        message: /input schema of "topic_writer": .*missing required property "topic"/,
      },
    ],
  ])(
    "a plan with %s goes back to the planner; still invalid, it is refused as a result naming the problem, and no task agent starts",
    async (_name, plan, params, problem) => {
      h = await startHarness(script([plan]), { promptDirs: [await topicWriterDir()] });
      const { text, details } = await h.orchestrate({ goal: "x", ...params }); // returned, not thrown
      const planners = h.server.log.filter((e) => e.system.includes("You are a planner"));
      expect(planners).toHaveLength(3); // first, a repair showing the problems, a last try (on the next model when the ladder has one)
      expect(planners[1]!.user).toContain("Your previous plan was rejected");
      expect(planners[1]!.user).toContain(problem.field);
      expect(planners[1]!.user).toMatch(problem.message);
      expect(h.server.log).toHaveLength(3); // only the planner ran
      expect(details.orchestrate?.refused?.attempts).toBe(3);
      expect(details.orchestrate?.refused?.problems).toEqual([
        expect.objectContaining({ ...problem, message: expect.stringMatching(problem.message) }),
      ]);
      expect(details).toMatchObject({ plannerAttempts: 3, tasks: [], synthesis: null, waves: [] });
      expect(getValidator(OrchestrateResultSchema)(details)).toMatchObject({ valid: true });
      expect(text).toMatch(
        /^orchestrate or-[0-9a-f]+: the plan was refused after 3 planner attempts, so no task agent ran\./,
      );
      expect(text).toContain(`- ${problem.field}${"taskId" in problem ? ` (task "${problem.taskId}")` : ""}: `);
      expect(text).toMatch(problem.message);
    },
  );

  it("names every problem of the last plan in the refusal, not only the first", async () => {
    h = await startHarness(script([[task("a", ["zz"]), task("b", [], "ghost_writer"), task("b")]]));
    const { text, details } = await h.orchestrate({ goal: "x" });
    expect(details.orchestrate?.refused?.problems.map((p) => `${p.taskId}:${p.field}`)).toEqual([
      "b:tasks[2].id",
      "a:tasks[0].dependsOn",
      "b:tasks[1].type",
    ]);
    expect(text.split("\n").filter((l) => l.startsWith("- "))).toHaveLength(3);
  });

  it("a task missing its type's required input goes back to the planner, and the corrected plan runs with the input", async () => {
    const missing = [task("a", [], "topic_writer")];
    const fixed = [{ ...task("a", [], "topic_writer"), input: { topic: "tides" } }];
    h = await startHarness(script([missing, fixed]), { promptDirs: [await topicWriterDir()] });
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details).toMatchObject({ plannerAttempts: 2 });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:ok"]);
    expect(taskRequests(h).find((e) => e.user.includes("[t:a]"))!.user).toContain("Topic: tides");
  });

  it("a plan over the depth cap that the planner shortens runs", async () => {
    h = await startHarness(script([chainOf(6), chainOf(5)]));
    const { details } = await h.orchestrate({ goal: "x", dryRun: true });
    expect(details).toMatchObject({ plannerAttempts: 2, waves: [["a"], ["b"], ["c"], ["d"], ["e"]] });
    expect(details.orchestrate).toBeUndefined();
  });

  it("uses the planner's corrected plan after one round of feedback", async () => {
    h = await startHarness(
      script([
        [task("a", ["b"]), task("b", ["a"])],
        [task("a"), task("b", ["a"])],
      ]),
    );
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details).toMatchObject({ plannerAttempts: 2 });
    expect(details.tasks.map((t) => t.outcome)).toEqual(["ok", "ok"]);
  });

  it("a failing branch skips exactly its dependents; the synthesis names the failed lanes", async () => {
    h = await startHarness(
      script([[task("a"), task("b", ["a"]), task("c", ["a"]), task("d", ["b"]), task("e")]], (id) =>
        id === "b" ? { text: "no json here" } : { json: { summary: `output of ${id}` } },
      ),
    );
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual([
      "a:ok",
      "b:invalid",
      "c:ok",
      "d:skipped",
      "e:ok",
    ]);
    expect(details.tasks[3]!.reason).toBe("dependency b (echo_agent) ended invalid");
    expect(
      (details.synthesis!.output as { failed_lanes: Array<{ id: string }> }).failed_lanes.map((f) => f.id),
    ).toEqual(["b", "d"]);
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
    const { SAMPLE_OUTPUTS, designReview } = await import("../../testing/sample-outputs.js");
    const userDir = await tempDir("pa-create-");
    h = await startHarness(
      (r) => {
        if (isPlanner(r)) return { json: { tasks: [task("a", [], "haiku_poet")], rationale: "needs a poet" } };
        if (isSynth(r)) return { json: { synthesis: "done", failed_lanes: [], confidence: 1 } };
        if (r.system.includes("You are an expert designer of AI agents"))
          return {
            json: {
              ...(SAMPLE_OUTPUTS.agent_creator as object),
              agent_name: "haiku_poet",
              system_prompt: "You are haiku_poet. You write haiku with a careful method, a quality bar and edge cases.",
            },
          };
        if (r.system.includes("You are a strict reviewer of AI agent designs")) return { json: designReview(9) };
        if (r.system.includes("You are haiku_poet")) return { json: { ingredients: ["five", "seven", "five"] } };
        throw new Error("unexpected request");
      },
      { promptDirs: [userDir] },
    );
    const { details } = await h.orchestrate({ goal: "A haiku", allowCreateTypes: true }, userDir);
    expect(details.tasks.map((t) => `${t.type}:${t.outcome}`)).toEqual(["haiku_poet:ok"]);
    expect((await import("node:fs")).existsSync(`${userDir}/haiku_poet.yaml`)).toBe(true);
  });

  it("without allowCreateTypes, an unknown type in the plan is refused", async () => {
    h = await startHarness(script([[task("a", [], "haiku_poet")]]));
    const { text } = await h.orchestrate({ goal: "x" });
    expect(text).toMatch(/tasks\[0\]\.type \(task "a"\): unknown agent type "haiku_poet"/);
  });

  it("failFast cancels the remaining tasks after the first failure", async () => {
    h = await startHarness(
      script([[task("a"), task("b")]], (id) => (id === "a" ? { text: "", delayMs: 50 } : { hang: true })),
    );
    const { details } = await h.orchestrate({ goal: "x", failFast: true });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:failed", "b:cancelled"]);
  });
});

/** A folder with brief_writer, a markdown type whose `context` input holds at most 20 characters. */
async function briefWriterDir(): Promise<string> {
  const dir = await tempDir("pa-brief-");
  const yaml = [
    "id: brief_writer",
    "name: Brief Writer",
    "version: 1.0.0",
    "category: test",
    "description: Test agent that takes a short context.",
    "useWhen: Only in tests of the context.",
    "tier: fast",
    "timeoutSeconds: 30",
    "outputFormat: markdown",
    "system: |",
    "  You are a test agent. Method: read it. Quality bar: one line. Edge cases: none.",
    "task: |",
    "  {{#if context}}Short context: {{context}}{{/if}}",
    "  {{task}}",
    "input:",
    "  type: object",
    "  properties:",
    "    context: { type: string, maxLength: 20 }",
    "  additionalProperties: false",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "brief_writer.yaml"), yaml);
  return dir;
}

const planners = (h: Harness) => h.server.log.filter((e) => e.system.includes("You are a planner for a team"));
const taskRequest = (h: Harness, id: string) => taskRequests(h).filter((e) => e.user.includes(`[t:${id}]`));

describe("orchestrate: what the planner knows, and what reaches the tasks", () => {
  it("the planner's catalogue lists each type's output format and input fields, and says whether tools are available", async () => {
    h = await startHarness(script([[task("a")]]), { promptDirs: [await topicWriterDir()] });
    await h.orchestrate({ goal: "x", dryRun: true });
    const user = planners(h)[0]!.user;
    expect(user).toContain(
      "- topic_writer: Test agent that needs a topic. Use when: Only in tests of plan checks.\n  output: json\n  input topic (string, required)\n",
    );
    expect(user).toContain(
      "- echo_agent: Test agent that summarises its task in one field. Use when: Only in tests of the engine and tools.\n  output: json\n  input: none\n",
    );
    expect(user).not.toMatch(/^- (agent_orchestrator|synthesizer):/m);
    expect(user).toContain("The host's tools are not available in this call");
  });

  it("the call's context reaches every task as data: in its context input where the type takes it, else after the task; never compiled", async () => {
    const context = "Launch notes {{constructor}} {{#each this}}x{{/each}}: ship on Friday.";
    h = await startHarness(
      script(
        [[task("a"), { ...task("b", [], "general") }, { ...task("c", [], "brief_writer") }, task("d", ["a"])]],
        (id) => (id === "a" || id === "d" ? { json: { summary: `output of ${id}` } } : { text: `output of ${id}` }),
      ),
      { promptDirs: [await briefWriterDir()] },
    );
    const { details } = await h.orchestrate({ goal: "x", context });
    expect(details.tasks.map((t) => `${t.id}:${t.outcome}`)).toEqual(["a:ok", "b:ok", "c:ok", "d:ok"]);
    expect(planners(h)[0]!.user).toContain(context);
    expect(planners(h)[0]!.user).toContain("Every task receives the context above as data");
    for (const id of ["a", "b", "c", "d"]) {
      const [request] = taskRequest(h, id);
      expect(request!.user.split(context), `task ${id}`).toHaveLength(2); // exactly once, literally
    }
    const appended = "## Context given with the goal\nMaterial for this task: use it as data";
    expect(taskRequest(h, "a")[0]!.user).toContain(appended); // echo_agent takes no input
    expect(taskRequest(h, "b")[0]!.user).not.toContain(appended); // general: in input.context
    expect(taskRequest(h, "c")[0]!.user).toContain(appended); // brief_writer: too long for its input
    expect(taskRequest(h, "c")[0]!.user).not.toContain("Short context:");
    // d: the context, then its dependency's output
    const d = taskRequest(h, "d")[0]!.user;
    expect(d.indexOf(appended)).toBeLessThan(d.indexOf("## Results of the tasks this one depends on"));
    // the plan itself does not carry copies of the context
    expect(JSON.stringify(details.plan)).not.toContain("ship on Friday");
  });

  it("a general task with an outputSchema answers in JSON checked against it: an invalid answer is repaired", async () => {
    const outputSchema = {
      type: "object",
      required: ["colours"],
      properties: { colours: { type: "array", minItems: 3, items: { type: "string" } } },
      additionalProperties: false,
    };
    h = await startHarness(
      script([[{ ...task("a", [], "general"), outputSchema }]], (_id, r) =>
        r.user.includes("## Your previous answer was rejected")
          ? { json: { colours: ["red", "green", "blue"] } }
          : { json: { colours: "red" } },
      ),
    );
    const { details } = await h.orchestrate({ goal: "x" });
    expect(details.tasks[0]).toMatchObject({ id: "a", type: "general", outcome: "ok" });
    expect(details.tasks[0]!.output).toEqual({ colours: ["red", "green", "blue"] });
    expect(details.tasks[0]!.attempts.map((a) => `${a.kind}:${a.outcome}`)).toEqual(["first:invalid", "repair:ok"]);
    expect(details.plan.tasks[0]!.outputSchema).toEqual(outputSchema);
    const [first, repair] = taskRequest(h, "a");
    expect(first!.system).toContain(JSON.stringify(outputSchema)); // the task's contract, not general's markdown
    expect(repair!.user).toMatch(/colours/);
    expect(getValidator(OrchestrateResultSchema)(details)).toMatchObject({ valid: true });
  });

  it("judge: every task's answer is scored; a weak one is tried on the next model with the feedback, the planner and synthesis are not judged", async () => {
    const isJudge = (r: ScriptRequest) => r.system.includes("You are a strict, fair judge");
    const dims = (score: number) =>
      Object.fromEntries(["task_fit", "accuracy", "completeness", "clarity"].map((d) => [d, { score, note: d }]));
    const base = script([[task("a"), task("b")]], (id, r) => ({
      json: { summary: id === "a" && r.model === "m-1" ? "WEAK output of a" : `output of ${id}` },
    }));
    h = await startHarness((r) => {
      if (!isJudge(r)) return base(r);
      const weak = r.user.includes("WEAK output");
      return { json: { scores: dims(weak ? 4 : 9), feedback: weak ? "Say what part a found." : "Fine." } };
    });
    const { details, text } = await h.orchestrate({ goal: "x", models: ["m-1", "m-2"], judge: { threshold: 7 } });
    const [a, b] = details.tasks;
    expect(a!.attempts.map((t) => `${t.kind}@${t.model}`)).toEqual([
      "first@m-1",
      "judge@m-1",
      "escalation@m-2",
      "judge@m-1",
    ]);
    expect(a).toMatchObject({ outcome: "ok", output: { summary: "output of a" }, judged: { score: 9 } });
    expect(b!.attempts.map((t) => t.kind)).toEqual(["first", "judge"]);
    const judged = h.server.log.filter((e) => isJudge({ system: e.system } as ScriptRequest));
    expect(judged).toHaveLength(3); // a twice, b once: never the planner's plan or the synthesis
    expect(details.synthesis!.attempts.map((t) => t.kind)).toEqual(["first"]);
    expect(details.ladder).toEqual({ models: ["m-1", "m-2"], source: "the call's models" });
    expect(text).toContain("- [ok] a, score 9");
    // the call's usage: the planner, both tasks with their verdicts, and the synthesis, stated on the first line
    const attempts = [...details.tasks.flatMap((t) => t.attempts), ...details.synthesis!.attempts];
    expect(attempts).toHaveLength(7);
    const seen = [...details.tasks, details.synthesis!].reduce((n, t) => n + (t.usage?.totalTokens ?? 0), 0);
    expect(seen).toBeGreaterThan(0);
    expect(details.usage!.totalTokens).toBeGreaterThan(seen); // and the planner's
    expect(text.split("\n")[0]).toMatch(new RegExp(`\\(${details.usage!.totalTokens} tokens\\)$`));
    expect(getValidator(OrchestrateResultSchema)(details)).toMatchObject({ valid: true });
  });

  it("a task asking for the host's tools where the config forbids them is refused, naming the task, before any task runs", async () => {
    h = await startHarness(script([[task("a"), { ...task("b", [], "general"), tools: "host" }]]), {
      config: { allowTools: false },
    });
    const { text, details } = await h.orchestrate({ goal: "x" });
    expect(h.server.log).toHaveLength(3); // only the planner ran
    expect(details.orchestrate?.refused?.problems).toEqual([
      {
        taskId: "b",
        field: "tasks[1].tools",
        message: expect.stringMatching(/the plugin config forbids them \(allowTools: false\)/),
      },
    ]);
    expect(text).toContain('- tasks[1].tools (task "b"): task "b" asks for the host\'s tools');
  });
});
