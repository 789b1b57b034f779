// A call's limits resolved once, the same way for every tool: one ceiling for concurrency, the budget as the engine's
// deadline, attempt cap and token budget, retries and cleanup from the call or the plugin config.
import { Type } from "@sinclair/typebox";
import { LIMITS, type ResolvedConfig } from "../config.js";

/** The `budget` parameter every tool that runs agents accepts. */
export const BudgetSpec = Type.Object(
  {
    tokens: Type.Optional(
      Type.Integer({ minimum: 1, description: "Stop starting attempts once reported usage reaches this many tokens." }),
    ),
    costUsd: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100_000,
        description:
          "Stop starting attempts once the run's reported cost reaches this many US dollars (where the host prices its models); agents not started end skipped.",
      }),
    ),
    deadlineSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 * 3600, description: "Whole-run deadline." })),
    maxAttempts: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2000,
        description: "Cap on attempts across all agents (default 4 per agent).",
      }),
    ),
  },
  { additionalProperties: false },
);

/** What a tool's parameters may say about limits (each optional; the plugin config fills the rest). */
export type RunLimitParams = {
  maxConcurrent?: number;
  retries?: number;
  budget?: { tokens?: number; costUsd?: number; deadlineSeconds?: number; maxAttempts?: number };
  cleanup?: "delete" | "keep";
};

export type RunLimits = {
  maxConcurrent: number;
  retries: number;
  deadlineMs?: number;
  maxAttempts: number;
  budgetTokens?: number;
  budgetCostUsd?: number;
  maxOutputBytes: number;
  cleanup: "delete" | "keep";
};

/** Attempts allowed per agent when the budget names no cap: a first try, a retry, a repair and an escalation. */
export const ATTEMPTS_PER_AGENT = 4;

export function resolveRunLimits(config: ResolvedConfig, params: RunLimitParams, agents: number): RunLimits {
  return {
    maxConcurrent: Math.min(params.maxConcurrent ?? config.maxConcurrent, LIMITS.maxConcurrent),
    retries: params.retries ?? config.retries,
    ...(params.budget?.deadlineSeconds !== undefined ? { deadlineMs: params.budget.deadlineSeconds * 1000 } : {}),
    maxAttempts: params.budget?.maxAttempts ?? agents * ATTEMPTS_PER_AGENT,
    ...(params.budget?.tokens !== undefined ? { budgetTokens: params.budget.tokens } : {}),
    ...(params.budget?.costUsd !== undefined ? { budgetCostUsd: params.budget.costUsd } : {}),
    maxOutputBytes: config.maxOutputBytes,
    cleanup: params.cleanup ?? config.cleanup,
  };
}
