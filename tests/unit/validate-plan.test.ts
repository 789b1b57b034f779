import { beforeAll, describe, expect, it } from "vitest";
import type { AgentType } from "../../src/registry/agent-type.js";
import {
  formatPlanProblem,
  MAX_PLAN_DEPTH,
  MAX_PLAN_WIDTH,
  validatePlan,
  type Plan,
  type PlanTask,
} from "../../src/tools/orchestrate/validate-plan.js";
import { loadBuiltins } from "../helpers/registry.js";

let types: ReadonlyMap<string, AgentType>;
beforeAll(async () => {
  types = (await loadBuiltins()).types;
});

const task = (id: string, dependsOn: string[] = [], extra: Partial<PlanTask> = {}): PlanTask => ({
  id,
  type: "code_reviewer",
  task: `do ${id}`,
  dependsOn,
  ...extra,
});
const check = (
  tasks: PlanTask[],
  options: { maxTasks?: number; allowCreateTypes?: boolean; tools?: { runtime: boolean; allowed: boolean } } = {},
) =>
  validatePlan({ tasks } satisfies Plan, {
    types,
    maxTasks: options.maxTasks ?? 20,
    allowCreateTypes: options.allowCreateTypes ?? false,
    ...(options.tools ? { tools: options.tools } : {}),
  });
const chain = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`, i === 0 ? [] : [`t${i - 1}`]));
const flat = (n: number) => Array.from({ length: n }, (_, i) => task(`t${i}`));

describe("validatePlan: each task's input against its type's input schema", () => {
  it("refuses a task that lacks a required input, naming the task and the input field", () => {
    const { problems } = check([task("design", [], { type: "agent_creator" })]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ taskId: "design", field: "tasks[0].input" });
    expect(problems[0]!.message).toMatch(/input schema of "agent_creator": .*missing required property "name"/);
    expect(problems[0]!.message).toMatch(/declared: name, purpose/); // what the planner needs to fix it
  });

  it("refuses an input of the wrong shape or with an undeclared key, pointing at the key", () => {
    const { problems } = check([
      task("a", [], { input: { code: "" } }),
      task("b", [], { input: { code: "x", colour: "red" } }),
    ]);
    expect(problems.map((p) => [p.taskId, p.field])).toEqual([
      ["a", "tasks[0].input.code"],
      ["b", "tasks[1].input"],
    ]);
  });

  it("accepts a task whose input satisfies its type, and one without input when its type requires none", () => {
    const { problems, waves } = check([
      task("a", [], { type: "agent_creator", input: { name: "x", purpose: "y" } }),
      task("b", ["a"]),
    ]);
    expect(problems).toEqual([]);
    expect(waves).toEqual([["a"], ["b"]]);
  });

  it("leaves the input of a type still to be created unchecked, and lists the type to create", () => {
    const result = check([task("a", [], { type: "haiku_poet", input: { anything: 1 } })], { allowCreateTypes: true });
    expect(result).toMatchObject({ problems: [], toCreate: ["haiku_poet"] });
  });
});

describe("validatePlan: a task's outputSchema and tools", () => {
  const ITEMS = {
    type: "object",
    required: ["items"],
    properties: { items: { type: "array", items: { type: "string" } } },
  };

  it("accepts a general task with an outputSchema", () => {
    expect(check([task("a", [], { type: "general", outputSchema: ITEMS })]).problems).toEqual([]);
  });

  it.each([
    [
      "a regular expression",
      { ...ITEMS, properties: { items: { type: "string", pattern: "^(a+)+$" } } },
      /uses "pattern"/,
    ],
    ["a root that is not an object", { type: "array" }, /root must have type "object", got "array"/],
    ["an invalid keyword value", { type: "object", required: "items" }, /is not a valid JSON Schema/],
  ])("refuses an outputSchema with %s, naming the task and the field", (_name, outputSchema, message) => {
    const { problems } = check([task("a"), task("b", [], { type: "general", outputSchema })]);
    expect(problems).toEqual([
      { taskId: "b", field: "tasks[1].outputSchema", message: expect.stringMatching(message) },
    ]);
  });

  it("refuses an outputSchema on a type that already answers in JSON with its own schema", () => {
    expect(check([task("a", [], { outputSchema: ITEMS })]).problems).toEqual([
      {
        taskId: "a",
        field: "tasks[0].outputSchema",
        message:
          'type "code_reviewer" already answers in JSON with its own schema: remove outputSchema, or use type "general" with it',
      },
    ]);
  });

  it("refuses tools: host where the config forbids tools, or the runtime cannot give them, naming the task", () => {
    const host = [task("a", [], { type: "general", tools: "host" })];
    expect(check(host, { tools: { runtime: true, allowed: false } }).problems).toEqual([
      {
        taskId: "a",
        field: "tasks[0].tools",
        message:
          'task "a" asks for the host\'s tools, but the plugin config forbids them (allowTools: false): remove tools or set tools: "none"',
      },
    ]);
    expect(check(host).problems[0]!.message).toMatch(/this runtime cannot give agents tools/);
    expect(check(host, { tools: { runtime: true, allowed: true } }).problems).toEqual([]);
    expect(check([task("a", [], { type: "general", tools: "none" })]).problems).toEqual([]);
  });
});

describe("validatePlan: caps on size, depth and width", () => {
  it(`accepts a chain exactly ${MAX_PLAN_DEPTH} waves deep and refuses one wave more`, () => {
    expect(check(chain(MAX_PLAN_DEPTH)).waves).toHaveLength(MAX_PLAN_DEPTH);
    const over = check(chain(MAX_PLAN_DEPTH + 1));
    expect(over.waves).toEqual([]);
    expect(over.problems).toEqual([
      {
        field: "dependsOn",
        message: `the plan is ${MAX_PLAN_DEPTH + 1} waves deep, more than ${MAX_PLAN_DEPTH}: shorten the longest chain of dependencies`,
      },
    ]);
  });

  it(`accepts a wave of exactly ${MAX_PLAN_WIDTH} tasks and refuses a wider one, naming the wave`, () => {
    expect(check(flat(MAX_PLAN_WIDTH)).problems).toEqual([]);
    const over = check([task("root"), ...flat(MAX_PLAN_WIDTH + 1).map((t) => ({ ...t, dependsOn: ["root"] }))]);
    expect(over.problems).toEqual([
      {
        field: "tasks",
        message: `wave 2 has ${MAX_PLAN_WIDTH + 1} tasks, more than ${MAX_PLAN_WIDTH}: merge tasks or make some depend on others`,
      },
    ]);
  });

  it("refuses more tasks than maxTasks", () => {
    expect(check(flat(4), { maxTasks: 3 }).problems).toEqual([
      { field: "tasks", message: "the plan has 4 tasks, more than the maximum of 3: merge or drop tasks" },
    ]);
  });
});

describe("validatePlan: structure", () => {
  it.each([
    ["no tasks", [], { field: "tasks", message: "the plan has no tasks" }],
    [
      "a duplicate id",
      [task("a"), task("a")],
      { taskId: "a", field: "tasks[1].id", message: 'task id "a" is used twice' },
    ],
    [
      "an unknown type",
      [task("a", [], { type: "ghost_writer" })],
      {
        taskId: "a",
        field: "tasks[0].type",
        message: 'unknown agent type "ghost_writer": use an id from the catalogue',
      },
    ],
    [
      "a self dependency",
      [task("a", ["a"])],
      { taskId: "a", field: "tasks[0].dependsOn", message: 'task "a" depends on itself' },
    ],
    [
      "a dangling dependency",
      [task("a", ["zz"])],
      { taskId: "a", field: "tasks[0].dependsOn", message: 'task "a" depends on "zz", which is not in the plan' },
    ],
    [
      "a cycle",
      [task("a", ["b"]), task("b", ["a"])],
      { field: "dependsOn", message: 'the dependencies form a cycle among "a", "b"' },
    ],
  ])("names the task and field of %s", (_name, tasks, problem) => {
    expect(check(tasks as PlanTask[]).problems).toEqual([problem]);
  });

  it("formats a problem as one line: field, task, message", () => {
    expect(formatPlanProblem({ taskId: "a", field: "tasks[0].type", message: "unknown" })).toBe(
      'tasks[0].type (task "a"): unknown',
    );
    expect(formatPlanProblem({ field: "dependsOn", message: "a cycle" })).toBe("dependsOn: a cycle");
  });
});
