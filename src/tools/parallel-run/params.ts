// parallel_run's public parameters: defined once (TypeBox), used for the tool schema, the manifest and validation.
import { CloneType, Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../../config.js";
import { BudgetSpec } from "../../runs/run-limits.js";
import { JudgeParams } from "../../runs/judge-request.js";
import { OutputFormat, ToolsSetting } from "../../registry/agent-type-schema.js";
import { MAX_OUTPUT_SCHEMA_BYTES } from "../../runs/call-output-schema.js";

export const MAX_TASK_CHARS = 100_000;
/** Candidates per agent with bestOf. */
export const MAX_BEST_OF = 5;

export const AgentSpec = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "Agent type id from the catalogue, e.g. researcher or code_reviewer; general takes any task in plain words.",
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
    bestOf: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_BEST_OF,
        description:
          "Run this many candidates of the agent at once (on successive models of its ladder where it has more than one), have the judge score each, and keep the best. Needs judge.",
      }),
    ),
    outputSchema: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: `JSON Schema (root type object, at most ${MAX_OUTPUT_SCHEMA_BYTES / 1024} KB) of the answer: it is then validated, repaired and escalated like a catalogue type's. For types that do not answer in JSON already (e.g. general).`,
      }),
    ),
    outputFormat: Type.Optional(
      CloneType(OutputFormat, {
        description:
          "markdown, text, json or code, for types that do not answer in JSON already (general answers in markdown by default). json without outputSchema accepts any JSON object.",
      }),
    ),
    tools: Type.Optional(
      CloneType(ToolsSetting, {
        description:
          "none: answer from the prompt alone (default for most types). host: run as an OpenClaw sub-agent with the host's own tools (read files, search the web, ...), within the user's sub-agent tool policy; its answer is its final message. Default: the type's setting (researcher: host).",
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

export const MAX_BLOG_POSTS = 25;

export const TeamSpec = Type.Object(
  {
    preset: Type.Union(
      [
        Type.Literal("content"),
        Type.Literal("blog"),
        Type.Literal("dev"),
        Type.Literal("review"),
        Type.Literal("meta"),
      ],
      {
        description:
          "content: topic, platform -> 5 social posts in 5 styles. blog: one long-form blog post writer per entry of topics, or per angle of one topic (angles, or count posts on distinct angles). dev: appName, features -> 5 developers. review: code -> 4 reviewers + test engineer. meta: agents -> a creator per agent, then a reviewer of its design.",
      },
    ),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    topics: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
        minItems: 1,
        maxItems: MAX_BLOG_POSTS,
        description: "blog preset: one post per topic.",
      }),
    ),
    angles: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
        minItems: 1,
        maxItems: MAX_BLOG_POSTS,
        description: "blog preset: one post on `topic` per angle.",
      }),
    ),
    count: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_BLOG_POSTS,
        description: "blog preset: this many posts on `topic`, each from a different angle. Default 5.",
      }),
    ),
    words: Type.Optional(
      Type.Integer({ minimum: 200, maximum: 5000, description: "blog preset: length of each post in words (800)." }),
    ),
    audience: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "blog preset: who reads it." })),
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
    judge: Type.Optional(JudgeParams),
    bestOf: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_BEST_OF,
        description: "bestOf for every agent that does not set its own. Needs judge.",
      }),
    ),
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

/**
 * parallel_run's parameters in batch mode (the CLI's `run --batch`): the same, with up to LIMITS.maxAgentsPerBatch
 * agents (the provider queues them; the live cap stays LIMITS.maxAgentsPerCall). Not part of the tool's manifest.
 */
export const BatchRunParams = Type.Object(
  {
    ...ParallelRunParams.properties,
    agents: Type.Optional(
      Type.Array(AgentSpec, {
        minItems: 1,
        maxItems: LIMITS.maxAgentsPerBatch,
        description: "The agents to run, each with its type and task.",
      }),
    ),
  },
  { additionalProperties: false },
);

export type ParallelRunParamsT = Static<typeof ParallelRunParams>;
export type AgentSpecT = Static<typeof AgentSpec>;
export type TeamSpecT = Static<typeof TeamSpec>;
