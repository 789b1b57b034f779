// parallel_run's public parameters: defined once (TypeBox), used for the tool schema, the manifest and validation.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../../config.js";
import { BudgetSpec } from "../../runs/run-limits.js";

export const MAX_TASK_CHARS = 100_000;

export const AgentSpec = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "Agent type id from the catalogue, e.g. content_writer_funny.",
    }),
    task: Type.String({
      maxLength: MAX_TASK_CHARS,
      description: "What this agent should do. Plain text; inserted as data.",
    }),
    input: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: "Variables for the type's task template (see its input schema).",
      }),
    ),
    label: Type.Optional(
      Type.String({ minLength: 1, maxLength: 80, description: "Short name for this agent in results." }),
    ),
    model: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "Model to start this agent on." })),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 5,
        maximum: LIMITS.maxTimeoutSeconds,
        description: "Per-attempt timeout for this agent.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const MetaAgentRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    purpose: Type.String({ minLength: 1, maxLength: 5000 }),
    domain: Type.Optional(Type.String({ maxLength: 200 })),
    capabilities: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 30 })),
  },
  { additionalProperties: false },
);

export const TeamSpec = Type.Object(
  {
    preset: Type.Union([Type.Literal("content"), Type.Literal("dev"), Type.Literal("review"), Type.Literal("meta")], {
      description:
        "content: topic, platform -> 5 writers. dev: appName, features -> 5 developers. review: code -> 4 reviewers + test engineer. meta: agents -> a creator per agent, then a reviewer of its design.",
    }),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    platform: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    appName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    features: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 50 })),
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000 })),
    language: Type.Optional(Type.String({ maxLength: 40 })),
    agents: Type.Optional(
      Type.Array(MetaAgentRequest, { minItems: 1, maxItems: 25, description: "meta preset: the agents to design." }),
    ),
    task: Type.Optional(
      Type.String({ maxLength: MAX_TASK_CHARS, description: "Extra instructions for every agent of the team." }),
    ),
  },
  { additionalProperties: false },
);

export const WaitSpec = Type.Union([
  Type.Literal("all"),
  Type.Object(
    { first: Type.Integer({ minimum: 1, description: "Stop when this many valid results arrived; cancel the rest." }) },
    { additionalProperties: false },
  ),
]);

export const ParallelRunParams = Type.Object(
  {
    agents: Type.Optional(
      Type.Array(AgentSpec, {
        minItems: 1,
        maxItems: LIMITS.maxAgentsPerCall,
        description: "The agents to run, each with its type and task.",
      }),
    ),
    team: Type.Optional(TeamSpec),
    maxConcurrent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxConcurrent,
        description: "Agents running at once (default from config, 8).",
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 5,
        maximum: LIMITS.maxTimeoutSeconds,
        description: "Per-attempt timeout for every agent.",
      }),
    ),
    retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LIMITS.maxRetries,
        description: "Same-model retries of transient faults (default 1).",
      }),
    ),
    models: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: LIMITS.maxLadder,
        description: "Model ladder for this call, weakest first.",
      }),
    ),
    wait: Type.Optional(WaitSpec),
    budget: Type.Optional(BudgetSpec),
    resume: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9_-]{1,80}$",
        description:
          "Finish an earlier journaled run: agents with a final outcome are reused, only the rest run. Other parameters are ignored.",
      }),
    ),
    cleanup: Type.Optional(
      Type.Union([Type.Literal("delete"), Type.Literal("keep")], {
        description: "keep (default) or delete the finished sub-agent sessions before the call returns.",
      }),
    ),
  },
  { additionalProperties: false },
);

export type ParallelRunParamsT = Static<typeof ParallelRunParams>;
export type AgentSpecT = Static<typeof AgentSpec>;
export type TeamSpecT = Static<typeof TeamSpec>;
