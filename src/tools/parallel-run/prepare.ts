// Checks a parallel_run call completely before anything is spawned, and turns it into prepared agents for the engine.
import type { ResolvedConfig } from "../../config.js";
import { LIMITS } from "../../config.js";
import { UserInputError, UserInputErrors, describeValue } from "../../errors.js";
import { resolveLadder } from "../../engine/model-ladder.js";
import type { PreparedAgent, WaitPolicy } from "../../engine/run-agents.js";
import type { AgentType } from "../../registry/agent-type.js";
import { nearestIds } from "../../registry/suggest.js";
import { checkAgentInput, renderAgentPrompt } from "../../render/render-agent-prompt.js";
import { parseToolParams } from "../parse-tool-params.js";
import { ParallelRunParams, type ParallelRunParamsT } from "./params.js";
import { planTeam, type PlannedAgent } from "./teams.js";

export type PreparedRun = {
  params: ParallelRunParamsT;
  agents: PreparedAgent[];
  maxConcurrent: number;
  retries: number;
  wait: WaitPolicy;
  deadlineMs?: number;
  maxAttempts: number;
  budgetTokens?: number;
  maxOutputBytes: number;
  cleanup: "delete" | "keep";
};

export type PrepareContext = { config: ResolvedConfig; types: ReadonlyMap<string, AgentType> };

/** Validates the parameters' shape and returns them typed, or throws with every problem named. */
export function parseParallelRunParams(raw: unknown): ParallelRunParamsT {
  return parseToolParams<ParallelRunParamsT>(ParallelRunParams, raw, "parallel_run");
}

export function prepareParallelRun(raw: unknown, ctx: PrepareContext): PreparedRun {
  const params = parseParallelRunParams(raw);
  const errors: UserInputError[] = [];
  const { config } = ctx;
  if (params.agents && params.team) {
    throw new UserInputError({ field: "agents", message: "pass either agents or team, not both", fix: "remove team, or remove agents" });
  }
  if (!params.agents && !params.team) {
    throw new UserInputError({ field: "agents", message: "no agents to run", fix: 'pass agents: [{ type, task }] or team: { preset: "content", topic }' });
  }
  const planned: PlannedAgent[] = params.agents ? params.agents.map((a, i) => ({ ...a, field: `agents[${i}]` })) : planTeam(params.team!);
  if (planned.length > config.maxAgentsPerCall) {
    throw new UserInputError({ field: "agents", value: planned.length, message: `${planned.length} agents requested, more than the limit of ${config.maxAgentsPerCall} per call`, fix: `split the work into calls of at most ${config.maxAgentsPerCall} agents, or raise maxAgentsPerCall in the plugin config` });
  }
  const ladder = params.models ?? config.models;
  const labels = new Map<string, number>();
  const agents: PreparedAgent[] = [];
  planned.forEach((plan, i) => {
    const type = lookupType(plan, ctx.types, errors);
    if (!params.team && plan.task.trim() === "") {
      errors.push(new UserInputError({ field: `${plan.field}.task`, value: plan.task, message: "task is empty", fix: "say what this agent should do, in plain text" }));
    }
    if (!type) return;
    const baseLabel = plan.label ?? type.def.id;
    const seen = labels.get(baseLabel) ?? 0;
    labels.set(baseLabel, seen + 1);
    try {
      agents.push(buildPreparedAgent({ plan: { ...plan, label: seen === 0 ? baseLabel : `${baseLabel} #${seen + 1}` }, type, index: i, ladder, timeoutSeconds: params.timeoutSeconds ?? config.timeoutSeconds }));
    } catch (error) {
      if (error instanceof UserInputError) errors.push(error);
      else throw error;
    }
  });
  const wait = params.wait ?? "all";
  if (typeof wait === "object" && wait.first > planned.length) {
    errors.push(new UserInputError({ field: "wait.first", value: wait.first, message: `wait.first is ${wait.first} but only ${planned.length} agents are requested`, fix: `use a number from 1 to ${planned.length}, or wait: "all"` }));
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new UserInputErrors(errors.slice(0, 10));
  return {
    params,
    agents,
    maxConcurrent: Math.min(params.maxConcurrent ?? config.maxConcurrent, LIMITS.maxConcurrent),
    retries: params.retries ?? config.retries,
    wait,
    deadlineMs: params.budget?.deadlineSeconds !== undefined ? params.budget.deadlineSeconds * 1000 : undefined,
    maxAttempts: params.budget?.maxAttempts ?? agents.length * 4,
    budgetTokens: params.budget?.tokens,
    maxOutputBytes: config.maxOutputBytes,
    cleanup: params.cleanup ?? config.cleanup,
  };
}

/** One planned agent as the engine runs it: prompt rendered (or a builder for chained agents), ladder and timeout resolved. */
export function buildPreparedAgent(options: { plan: PlannedAgent; type: AgentType; index: number; ladder: readonly string[]; timeoutSeconds?: number }): PreparedAgent {
  const { plan, type } = options;
  let prompt: PreparedAgent["prompt"];
  if (plan.inputFrom) {
    const inputFrom = plan.inputFrom;
    const staticInput = plan.input ?? {};
    prompt = (deps) => renderAgentPrompt({ type, task: plan.task, input: { ...staticInput, ...inputFrom(deps) }, field: plan.field });
  } else {
    checkAgentInput({ type, input: plan.input, field: plan.field });
    prompt = renderAgentPrompt({ type, task: plan.task, input: plan.input, field: plan.field });
  }
  return {
    id: `agent-${options.index + 1}`,
    type: type.def.id,
    label: plan.label ?? type.def.id,
    format: type.def.outputFormat,
    validateOutput: type.validateOutput,
    ...(type.def.outputFormat === "json" && type.def.output ? { outputSchema: type.def.output as object } : {}),
    ladder: resolveLadder({ ladder: options.ladder, tier: type.def.tier, model: plan.model }),
    timeoutMs: (plan.timeoutSeconds ?? options.timeoutSeconds ?? type.def.timeoutSeconds) * 1000,
    dependsOn: plan.dependsOn,
    prompt,
  };
}

function lookupType(plan: PlannedAgent, types: ReadonlyMap<string, AgentType>, errors: UserInputError[]): AgentType | undefined {
  const id = plan.type;
  const field = `${plan.field}.type`;
  if (/[\\/]|\.\./.test(id)) {
    errors.push(new UserInputError({ field, value: id, message: `type ${describeValue(id)} looks like a path; a type is a catalogue id, never a path`, fix: "use an id from the catalogue, e.g. code_reviewer" }));
    return undefined;
  }
  const type = types.get(id);
  if (!type) {
    errors.push(new UserInputError({ field, value: id, message: `unknown agent type ${describeValue(id)}`, fix: `use a catalogue id; nearest: ${nearestIds(id, types.keys()).join(", ")}` }));
  }
  return type;
}
