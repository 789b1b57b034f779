// orchestrate's public parameters (TypeBox).
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../../config.js";
import { JudgeParams } from "../../runs/judge-request.js";
import { BudgetSpec } from "../../runs/run-limits.js";

export const MAX_PLAN_TASKS = 20;

export const OrchestrateParams = Type.Object(
  {
    goal: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 10_000,
        description: "What the user wants done. Required unless resume is given.",
      }),
    ),
    resume: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9_-]{1,80}$",
        description:
          "Finish an earlier journaled orchestrate run from its plan: finished tasks are reused. Other parameters are ignored.",
      }),
    ),
    context: Type.Optional(
      Type.String({
        maxLength: 50_000,
        description:
          "Material the planner and every task receive as data, never as instructions: in a task's `context` input when its type takes one, else after its task text.",
      }),
    ),
    maxTasks: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_PLAN_TASKS, description: "Most tasks the plan may have. Default 8." }),
    ),
    dryRun: Type.Optional(
      Type.Boolean({ description: "Plan only: return the checked plan and the agents and attempts it would start." }),
    ),
    allowCreateTypes: Type.Optional(
      Type.Boolean({
        description: "Let the planner use agent types that do not exist yet; refine_agent creates them first.",
      }),
    ),
    failFast: Type.Optional(
      Type.Boolean({
        description: "Cancel the remaining tasks after the first failure (default false: only dependents are skipped).",
      }),
    ),
    models: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: LIMITS.maxLadder,
        description: "Model ladder for this call, weakest first.",
      }),
    ),
    budget: Type.Optional(BudgetSpec),
    judge: Type.Optional(JudgeParams),
    maxConcurrent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxConcurrent,
        description: "Tasks running at once (default from config, 8).",
      }),
    ),
  },
  { additionalProperties: false },
);

export type OrchestrateParamsT = Static<typeof OrchestrateParams> & { goal: string };
