// The shape of parallel_run's `details`, published in manifests/parallel_run.json (tests check results against it).
import { Type } from "@sinclair/typebox";
import { OUTCOMES } from "../../engine/outcome.js";

const UsageSchema = Type.Object({ inputTokens: Type.Number(), outputTokens: Type.Number(), totalTokens: Type.Number(), costUsd: Type.Optional(Type.Number({ description: "US dollars, when the host knows the model's price." })) });
const OutcomeSchema = Type.Union(OUTCOMES.map((o) => Type.Literal(o)));

export const AgentResultSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  label: Type.String(),
  outcome: OutcomeSchema,
  output: Type.Unknown({ description: "Validated output (JSON for json types, text otherwise); null unless ok." }),
  text: Type.Union([Type.String(), Type.Null()], { description: "Raw text of the last answer, kept even when invalid." }),
  model: Type.Union([Type.String(), Type.Null()], { description: "Model of the last attempt; null is the host's default." }),
  attempts: Type.Array(
    Type.Object({
      model: Type.Union([Type.String(), Type.Null()]),
      kind: Type.Union([Type.Literal("first"), Type.Literal("retry"), Type.Literal("repair"), Type.Literal("escalation")]),
      outcome: Type.String(),
      durationMs: Type.Number(),
      queuedMs: Type.Optional(Type.Number({ description: "Time waiting for a slot before the attempt started; not counted against its time limit." })),
      error: Type.Optional(Type.String()),
    }),
  ),
  durationMs: Type.Number(),
  startedAt: Type.Union([Type.Number(), Type.Null()]),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.Optional(Type.String()),
  usage: Type.Optional(UsageSchema),
  runtime: Type.Optional(Type.String({ description: 'What ran the agent: "openclaw-completion" (host completion), "openclaw-session" (sub-agent session) or "openai-http".' })),
  queuedMs: Type.Optional(Type.Number({ description: "Time the agent's attempts waited for a slot, in total." })),
});

export const ParallelRunResultSchema = Type.Object({
  runId: Type.String(),
  agents: Type.Array(AgentResultSchema),
  counts: Type.Object(Object.fromEntries(OUTCOMES.map((o) => [o, Type.Integer({ minimum: 0 })]))),
  usage: Type.Union([UsageSchema, Type.Null()]),
  attempts: Type.Integer({ minimum: 0 }),
  durationMs: Type.Number(),
  stopReason: Type.Optional(Type.String()),
});
