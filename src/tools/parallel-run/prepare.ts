// Checks a parallel_run call completely before anything is spawned, and turns it into prepared agents for the engine.
import { LIMITS, type ResolvedConfig } from "../../config.js";
import { UserInputError, UserInputErrors } from "../../errors.js";
import type { PreparedAgent, WaitPolicy } from "../../engine/scheduler.js";
import type { AgentType } from "../../registry/agent-type.js";
import type { PlannedAgent } from "../../runs/planned-agent.js";
import { buildPreparedAgent, lookupType, type ToolAccess } from "../../runs/prepare-agent.js";
import { resolveRunLimits, type RunLimits } from "../../runs/run-limits.js";
import { resolveCallLadder, type CallLadder } from "../../runs/run-deps.js";
import { judgedLimits, judgeRequest } from "../../runs/judge-request.js";
import { parseToolParams } from "../parse-tool-params.js";
import { BatchRunParams, ParallelRunParams, type ParallelRunParamsT } from "./params.js";
import { expandCandidates } from "./best-of.js";
import { planTeam } from "./teams.js";

export type PreparedRun = RunLimits & {
  params: ParallelRunParamsT;
  /** What the engine runs: the agents, each bestOf agent as its candidates. */
  agents: PreparedAgent[];
  /** For each agent asked for, the indexes of what the engine runs for it (one, or its candidates) and its label. */
  groups: number[][];
  labels: string[];
  wait: WaitPolicy;
  /** The models the agents climb and where they came from (the result says it). */
  ladder: CallLadder;
};

export type PrepareContext = {
  config: ResolvedConfig;
  types: ReadonlyMap<string, AgentType>;
  tools?: ToolAccess;
  /** The runtime's ladder for calls that name none (inside OpenClaw: the host's primary and fallbacks). */
  defaultLadder?: CallLadder;
  /**
   * Batch mode (the CLI's `run --batch`): up to LIMITS.maxAgentsPerBatch agents instead of the config's
   * maxAgentsPerCall, and every agent's first attempt in flight at once (the provider queues them; maxConcurrent
   * bounds live runs only). Default false.
   */
  batch?: boolean;
};

/** Validates the parameters' shape and returns them typed, or throws with every problem named. */
export function parseParallelRunParams(raw: unknown): ParallelRunParamsT {
  return parseToolParams<ParallelRunParamsT>(ParallelRunParams, raw, "parallel_run");
}

export function prepareParallelRun(raw: unknown, ctx: PrepareContext): PreparedRun {
  const params = ctx.batch
    ? parseToolParams<ParallelRunParamsT>(BatchRunParams, raw, "parallel_run")
    : parseParallelRunParams(raw);
  const errors: UserInputError[] = [];
  const { config } = ctx;
  const maxAgents = ctx.batch ? LIMITS.maxAgentsPerBatch : config.maxAgentsPerCall;
  const splitFix = ctx.batch
    ? `split the work into batch runs of at most ${maxAgents} agents`
    : `split the work into calls of at most ${maxAgents} agents, or raise maxAgentsPerCall in the plugin config`;
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
  if (planned.length > maxAgents) {
    throw new UserInputError({
      field: "agents",
      value: planned.length,
      message: `${planned.length} agents requested, more than the limit of ${maxAgents} per call`,
      fix: splitFix,
    });
  }
  const callLadder = resolveCallLadder(params.models, { config, defaultLadder: ctx.defaultLadder });
  const ladder = callLadder.models;
  const judge = judgeRequest(params.judge, ctx.types, ladder);
  const labels = new Map<string, number>();
  const agents: PreparedAgent[] = [];
  const groups: number[][] = [];
  const groupLabels: string[] = [];
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
      const agent = buildPreparedAgent({
        plan: { ...plan, label: seen === 0 ? baseLabel : `${baseLabel} #${seen + 1}` },
        type,
        index: agents.length,
        ladder,
        timeoutSeconds: params.timeoutSeconds ?? config.timeoutSeconds,
        tools: ctx.tools,
        judge,
      });
      const n = plan.bestOf ?? params.bestOf ?? 1;
      if (n > 1 && !judge)
        throw new UserInputError({
          field: plan.bestOf !== undefined ? `${plan.field}.bestOf` : "bestOf",
          value: n,
          message: "bestOf needs a judge to pick the best candidate",
          fix: "add judge: { threshold: 7.5 } (or another threshold), or remove bestOf",
        });
      if (n > 1 && (plan.dependsOn?.length || planned.some((p) => p.dependsOn?.includes(i))))
        throw new UserInputError({
          field: "bestOf",
          value: n,
          message: "bestOf cannot be used with agents that depend on each other (the meta preset)",
          fix: "remove bestOf",
        });
      const runs = n > 1 ? expandCandidates(agent, n, agents.length) : [agent];
      groups.push(runs.map((_, k) => agents.length + k));
      groupLabels.push(agent.label);
      agents.push(...runs);
    } catch (error) {
      if (error instanceof UserInputError) errors.push(error);
      else throw error;
    }
  });
  if (agents.length > maxAgents)
    errors.push(
      new UserInputError({
        field: "bestOf",
        value: agents.length,
        message: `bestOf makes ${agents.length} agents, more than the limit of ${maxAgents} per call`,
        fix: "lower bestOf or split the work into several calls",
      }),
    );
  const wait = params.wait ?? "all";
  if (typeof wait === "object" && agents.length > groups.length)
    errors.push(
      new UserInputError({
        field: "wait.first",
        value: wait.first,
        message: "wait.first cannot be combined with bestOf",
        fix: 'use wait: "all" with bestOf',
      }),
    );
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
  const limits = judgedLimits(resolveRunLimits(config, params, agents.length), params, agents.length);
  if (ctx.batch) limits.maxConcurrent = Math.max(1, agents.length);
  return { params, agents, groups, labels: groupLabels, wait, ladder: callLadder, ...limits };
}
