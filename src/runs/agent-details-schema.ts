// The shape of one agent's details in every tool's result (parallel_run's agents, orchestrate's tasks), published in
// the manifests.
import { Type } from "@sinclair/typebox";
import { OUTCOMES } from "../engine/outcome.js";

export const UsageSchema = Type.Object({
  inputTokens: Type.Number(),
  outputTokens: Type.Number(),
  totalTokens: Type.Number(),
  costUsd: Type.Optional(Type.Number({ description: "US dollars, when the host knows the model's price." })),
});
const OutcomeSchema = Type.Union(OUTCOMES.map((o) => Type.Literal(o)));
export const AgentResultSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  label: Type.String(),
  outcome: OutcomeSchema,
  output: Type.Unknown({ description: "Validated output (JSON for json types, text otherwise); null unless ok." }),
  text: Type.Union([Type.String(), Type.Null()], {
    description: "Raw text of the last answer, kept even when invalid.",
  }),
  model: Type.Union([Type.String(), Type.Null()], {
    description: "Model of the last attempt; null is the host's default.",
  }),
  attempts: Type.Array(
    Type.Object({
      model: Type.Union([Type.String(), Type.Null()]),
      kind: Type.Union([
        Type.Literal("first"),
        Type.Literal("retry"),
        Type.Literal("repair"),
        Type.Literal("escalation"),
      ]),
      outcome: Type.String(),
      durationMs: Type.Number(),
      queuedMs: Type.Optional(
        Type.Number({
          description: "Time waiting for a slot before the attempt started; not counted against its time limit.",
        }),
      ),
      error: Type.Optional(Type.String()),
    }),
  ),
  durationMs: Type.Number(),
  startedAt: Type.Union([Type.Number(), Type.Null()]),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.Optional(Type.String()),
  usage: Type.Optional(UsageSchema),
  runtime: Type.Optional(
    Type.String({
      description:
        'What ran the agent: "openclaw-completion" (host completion), "openclaw-session" (sub-agent session without tools), "openclaw-session-tools" (sub-agent session with the host\'s tools) or "openai-http".',
    }),
  ),
  queuedMs: Type.Optional(Type.Number({ description: "Time the agent's attempts waited for a slot, in total." })),
  toolCalls: Type.Optional(
    Type.Record(Type.String(), Type.Integer({ minimum: 1 }), {
      description: "Agents with the host's tools: how many times each tool was called (names only, never arguments).",
    }),
  ),
});
