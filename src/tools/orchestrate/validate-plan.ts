// Checks a planner's plan before anything runs: shape, known types, each task's input against its type's input schema,
// its outputSchema and its tools, unique ids, no dangling dependencies, no cycles, caps on tasks, width and depth.
// Returns the problems (for the planner to fix, or for the caller when the plan is refused) and the waves when valid.
import type { AgentType } from "../../registry/agent-type.js";
import { checkAgentInput } from "../../render/render-agent-prompt.js";
import { UserInputError } from "../../errors.js";
import { compileCallOutputSchema } from "../../runs/call-output-schema.js";
import type { ToolAccess } from "../../runs/prepare-agent.js";

export type { Plan, PlanTask } from "./model-outputs.js";
import type { Plan, PlanTask } from "./model-outputs.js";

/** Most waves (the longest dependency chain) a plan may have. */
export const MAX_PLAN_DEPTH = 5;
/** Most tasks one wave may hold. */
export const MAX_PLAN_WIDTH = 12;

/** One thing wrong with a plan: the task it concerns (when one does), the plan field, and what is wrong. */
export type PlanProblem = { taskId?: string; field: string; message: string };

export type PlanCheck = { problems: PlanProblem[]; waves: string[][]; toCreate: string[] };

/** One line per problem, as the planner and the caller read it: `tasks[0].type (task "a"): unknown agent type "x"`. */
export function formatPlanProblem(problem: PlanProblem): string {
  return `${problem.field}${problem.taskId !== undefined ? ` (task "${problem.taskId}")` : ""}: ${problem.message}`;
}

export type ValidatePlanOptions = {
  types: ReadonlyMap<string, AgentType>;
  maxTasks: number;
  allowCreateTypes: boolean;
  /** Whether tasks may run with the host's tools in this call. Default: they may not. */
  tools?: ToolAccess;
};

export function validatePlan(plan: Plan, options: ValidatePlanOptions): PlanCheck {
  const problems: PlanProblem[] = [];
  const toCreate = new Set<string>();
  const tasks = plan.tasks;
  if (tasks.length === 0)
    problems.push({
      field: "tasks",
      message: `the plan has no tasks${plan.rationale ? ` (planner said: ${plan.rationale.slice(0, 200)})` : ""}`,
    });
  if (tasks.length > options.maxTasks)
    problems.push({
      field: "tasks",
      message: `the plan has ${tasks.length} tasks, more than the maximum of ${options.maxTasks}: merge or drop tasks`,
    });
  const ids = new Set<string>();
  tasks.forEach((t, i) => {
    if (ids.has(t.id))
      problems.push({ taskId: t.id, field: `tasks[${i}].id`, message: `task id "${t.id}" is used twice` });
    ids.add(t.id);
  });
  tasks.forEach((t, i) => {
    const type = options.types.get(t.type);
    if (!type) {
      if (options.allowCreateTypes && /^[a-z][a-z0-9_]{1,63}$/.test(t.type)) toCreate.add(t.type);
      else
        problems.push({
          taskId: t.id,
          field: `tasks[${i}].type`,
          message: `unknown agent type "${t.type}": use an id from the catalogue`,
        });
    } else {
      // the same check parallel_run makes, also when input is absent: a type with required inputs needs them
      const problem = inputProblem(type, t, i);
      if (problem) problems.push(problem);
    }
    const schemaProblem = outputSchemaProblem(type, t, i);
    if (schemaProblem) problems.push(schemaProblem);
    if (t.tools === "host" && !(options.tools?.runtime && options.tools.allowed))
      problems.push({
        taskId: t.id,
        field: `tasks[${i}].tools`,
        message: `task "${t.id}" asks for the host's tools, but ${options.tools?.allowed === false ? "the plugin config forbids them (allowTools: false)" : "this runtime cannot give agents tools"}: remove tools or set tools: "none"`,
      });
    for (const d of t.dependsOn) {
      if (d === t.id)
        problems.push({ taskId: t.id, field: `tasks[${i}].dependsOn`, message: `task "${t.id}" depends on itself` });
      else if (!ids.has(d))
        problems.push({
          taskId: t.id,
          field: `tasks[${i}].dependsOn`,
          message: `task "${t.id}" depends on "${d}", which is not in the plan`,
        });
    }
  });
  const waves = problems.length === 0 ? layer(tasks, problems) : [];
  if (waves.length > MAX_PLAN_DEPTH)
    problems.push({
      field: "dependsOn",
      message: `the plan is ${waves.length} waves deep, more than ${MAX_PLAN_DEPTH}: shorten the longest chain of dependencies`,
    });
  const widest = waves.findIndex((w) => w.length > MAX_PLAN_WIDTH);
  if (widest !== -1)
    problems.push({
      field: "tasks",
      message: `wave ${widest + 1} has ${waves[widest]!.length} tasks, more than ${MAX_PLAN_WIDTH}: merge tasks or make some depend on others`,
    });
  return { problems, waves: problems.length === 0 ? waves : [], toCreate: [...toCreate] };
}

function inputProblem(type: AgentType, task: PlanTask, i: number): PlanProblem | undefined {
  try {
    checkAgentInput({ type, input: task.input, field: `tasks[${i}]` });
    return undefined;
  } catch (error) {
    return problemOf(error, task);
  }
}

/** The checks parallel_run makes of a call's outputSchema: bounded, safe to compile, and only for non-json types. */
function outputSchemaProblem(type: AgentType | undefined, task: PlanTask, i: number): PlanProblem | undefined {
  if (task.outputSchema === undefined) return undefined;
  if (type?.def.outputFormat === "json")
    return {
      taskId: task.id,
      field: `tasks[${i}].outputSchema`,
      message: `type "${type.def.id}" already answers in JSON with its own schema: remove outputSchema, or use type "general" with it`,
    };
  try {
    compileCallOutputSchema(task.outputSchema, `tasks[${i}]`);
    return undefined;
  } catch (error) {
    return problemOf(error, task);
  }
}

/** A UserInputError as a plan problem: its message starts with its field, so the two are kept apart. */
function problemOf(error: unknown, task: PlanTask): PlanProblem {
  if (!(error instanceof UserInputError)) throw error;
  const message = error.message.startsWith(`${error.field}: `)
    ? error.message.slice(error.field.length + 2)
    : error.message;
  return { taskId: task.id, field: error.field, message };
}

/** Kahn's algorithm by levels: wave k holds the tasks whose dependencies are all in earlier waves; a rest means a cycle. */
function layer(tasks: PlanTask[], problems: PlanProblem[]): string[][] {
  const remaining = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (wave.length === 0) {
      problems.push({
        field: "dependsOn",
        message: `the dependencies form a cycle among ${[...remaining.keys()].map((id) => `"${id}"`).join(", ")}`,
      });
      return [];
    }
    for (const id of wave) remaining.delete(id);
    for (const deps of remaining.values()) for (const id of wave) deps.delete(id);
    waves.push(wave);
  }
  return waves;
}
