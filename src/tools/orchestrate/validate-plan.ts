// Checks a planner's plan before anything runs: shape, known types, unique ids, no dangling dependencies, no cycles,
// caps on tasks, width and depth. Returns the problems (for the planner to fix) and the waves when valid.
import type { AgentType } from "../../registry/agent-type.js";
import { checkAgentInput } from "../../render/render-agent-prompt.js";
import { UserInputError } from "../../errors.js";

export type PlanTask = { id: string; type: string; task: string; input?: Record<string, unknown>; dependsOn: string[] };
export type Plan = { tasks: PlanTask[]; rationale?: string };

export const MAX_PLAN_DEPTH = 5;
export const MAX_PLAN_WIDTH = 12;

export type PlanCheck = { problems: string[]; waves: string[][]; toCreate: string[] };

export function validatePlan(plan: Plan, options: { types: ReadonlyMap<string, AgentType>; maxTasks: number; allowCreateTypes: boolean }): PlanCheck {
  const problems: string[] = [];
  const toCreate = new Set<string>();
  const tasks = plan.tasks;
  if (tasks.length === 0) problems.push(`the plan has no tasks${plan.rationale ? ` (planner said: ${plan.rationale.slice(0, 200)})` : ""}`);
  if (tasks.length > options.maxTasks) problems.push(`the plan has ${tasks.length} tasks, more than the maximum of ${options.maxTasks}`);
  const ids = new Set<string>();
  for (const t of tasks) {
    if (ids.has(t.id)) problems.push(`task id "${t.id}" is used twice`);
    ids.add(t.id);
  }
  for (const t of tasks) {
    const type = options.types.get(t.type);
    if (!type) {
      if (options.allowCreateTypes && /^[a-z][a-z0-9_]{1,63}$/.test(t.type)) toCreate.add(t.type);
      else problems.push(`task "${t.id}" uses unknown agent type "${t.type}"`);
    } else if (t.input !== undefined) {
      try {
        checkAgentInput({ type, input: t.input, field: `task ${t.id}` });
      } catch (error) {
        if (error instanceof UserInputError) problems.push(error.message);
        else throw error;
      }
    }
    for (const d of t.dependsOn) {
      if (d === t.id) problems.push(`task "${t.id}" depends on itself`);
      else if (!ids.has(d)) problems.push(`task "${t.id}" depends on "${d}", which is not in the plan`);
    }
  }
  const waves = problems.length === 0 ? layer(tasks, problems) : [];
  if (waves.length > MAX_PLAN_DEPTH) problems.push(`the plan is ${waves.length} waves deep, more than ${MAX_PLAN_DEPTH}`);
  const widest = Math.max(0, ...waves.map((w) => w.length));
  if (widest > MAX_PLAN_WIDTH) problems.push(`a wave has ${widest} tasks, more than ${MAX_PLAN_WIDTH}`);
  return { problems, waves: problems.length === 0 ? waves : [], toCreate: [...toCreate] };
}

/** Kahn's algorithm by levels: wave k holds the tasks whose dependencies are all in earlier waves; a rest means a cycle. */
function layer(tasks: PlanTask[], problems: string[]): string[][] {
  const remaining = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
  const waves: string[][] = [];
  while (remaining.size > 0) {
    const wave = [...remaining].filter(([, deps]) => deps.size === 0).map(([id]) => id);
    if (wave.length === 0) {
      problems.push(`the dependencies form a cycle among ${[...remaining.keys()].map((id) => `"${id}"`).join(", ")}`);
      return [];
    }
    for (const id of wave) remaining.delete(id);
    for (const deps of remaining.values()) for (const id of wave) deps.delete(id);
    waves.push(wave);
  }
  return waves;
}
