// Checks a parallel_run call completely before anything is spawned, and turns it into prepared agents for the engine.
import type { ResolvedConfig } from "../../config.js";
import { UserInputError, UserInputErrors } from "../../errors.js";
import type { PreparedAgent, WaitPolicy } from "../../engine/scheduler.js";
import type { AgentType } from "../../registry/agent-type.js";
import type { PlannedAgent } from "../../runs/planned-agent.js";
import { buildPreparedAgent, lookupType, type ToolAccess } from "../../runs/prepare-agent.js";
import { resolveRunLimits, type RunLimits } from "../../runs/run-limits.js";
import { parseToolParams } from "../parse-tool-params.js";
import { ParallelRunParams, type ParallelRunParamsT } from "./params.js";
import { planTeam } from "./teams.js";

export type PreparedRun = RunLimits & {
  params: ParallelRunParamsT;
  agents: PreparedAgent[];
  wait: WaitPolicy;
};

export type PrepareContext = { config: ResolvedConfig; types: ReadonlyMap<string, AgentType>; tools?: ToolAccess };

/** Validates the parameters' shape and returns them typed, or throws with every problem named. */
export function parseParallelRunParams(raw: unknown): ParallelRunParamsT {
  return parseToolParams<ParallelRunParamsT>(ParallelRunParams, raw, "parallel_run");
}

export function prepareParallelRun(raw: unknown, ctx: PrepareContext): PreparedRun {
  const params = parseParallelRunParams(raw);
  const errors: UserInputError[] = [];
  const { config } = ctx;
  if (params.agents && params.team) {
    throw new UserInputError({
      field: "agents",
      message: "pass either agents or team, not both",
      fix: "remove team, or remove agents",
    });
  }
  if (!params.agents && !params.team) {
    throw new UserInputError({
      field: "agents",
      message: "no agents to run",
      fix: 'pass agents: [{ type, task }] or team: { preset: "content", topic }',
    });
  }
  const planned: PlannedAgent[] = params.agents
    ? params.agents.map((a, i) => ({ ...a, field: `agents[${i}]` }))
    : planTeam(params.team!);
  if (planned.length > config.maxAgentsPerCall) {
    throw new UserInputError({
      field: "agents",
      value: planned.length,
      message: `${planned.length} agents requested, more than the limit of ${config.maxAgentsPerCall} per call`,
      fix: `split the work into calls of at most ${config.maxAgentsPerCall} agents, or raise maxAgentsPerCall in the plugin config`,
    });
  }
  const ladder = params.models ?? config.models;
  const labels = new Map<string, number>();
  const agents: PreparedAgent[] = [];
  planned.forEach((plan, i) => {
    const type = lookupType(plan, ctx.types, errors);
    if (!params.team && plan.task.trim() === "") {
      errors.push(
        new UserInputError({
          field: `${plan.field}.task`,
          value: plan.task,
          message: "task is empty",
          fix: "say what this agent should do, in plain text",
        }),
      );
    }
    if (!type) return;
    const baseLabel = plan.label ?? type.def.id;
    const seen = labels.get(baseLabel) ?? 0;
    labels.set(baseLabel, seen + 1);
    try {
      agents.push(
        buildPreparedAgent({
          plan: { ...plan, label: seen === 0 ? baseLabel : `${baseLabel} #${seen + 1}` },
          type,
          index: i,
          ladder,
          timeoutSeconds: params.timeoutSeconds ?? config.timeoutSeconds,
          tools: ctx.tools,
        }),
      );
    } catch (error) {
      if (error instanceof UserInputError) errors.push(error);
      else throw error;
    }
  });
  const wait = params.wait ?? "all";
  if (typeof wait === "object" && wait.first > planned.length) {
    errors.push(
      new UserInputError({
        field: "wait.first",
        value: wait.first,
        message: `wait.first is ${wait.first} but only ${planned.length} agents are requested`,
        fix: `use a number from 1 to ${planned.length}, or wait: "all"`,
      }),
    );
  }
  if (errors.length > 0) throw errors.length === 1 ? errors[0]! : new UserInputErrors(errors.slice(0, 10));
  return { params, agents, wait, ...resolveRunLimits(config, params, agents.length) };
}
