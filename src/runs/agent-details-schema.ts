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
const ModelSchema = (description: string) => Type.Optional(Type.String({ description }));

export const AgentResultSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  label: Type.String(),
  outcome: OutcomeSchema,
  output: Type.Optional(
    Type.Unknown({
      description:
        "The checked answer, present exactly when the outcome is ok: parsed and validated JSON for json types, the trimmed text otherwise.",
    }),
  ),
  text: Type.Optional(
    Type.String({
      description:
        "Raw text of the last answer, unchecked: present only when the outcome is not ok and the agent answered (an ok answer is in `output`).",
    }),
  ),
  model: ModelSchema("Model of the last attempt; absent: the host's default model."),
  attempts: Type.Array(
    Type.Object({
      model: ModelSchema("Absent: the host's default model."),
      kind: Type.Union([
        Type.Literal("first"),
        Type.Literal("retry"),
        Type.Literal("repair"),
        Type.Literal("escalation"),
        Type.Literal("judge"),
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
  startedAt: Type.Optional(Type.Number({ description: "Epoch ms; absent when the agent never started (skipped)." })),
  endedAt: Type.Optional(Type.Number({ description: "Epoch ms; absent when the agent never started (skipped)." })),
  reason: Type.Optional(Type.String({ description: "Why the agent did not end ok." })),
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
  judged: Type.Optional(
    Type.Object(
      {
        score: Type.Number(),
        dimensions: Type.Record(Type.String(), Type.Number()),
        feedback: Type.String(),
      },
      { description: "The judge's verdict on the kept answer, when the call asked for a judge." },
    ),
  ),
  unjudged: Type.Optional(
    Type.String({ description: "Why the kept answer has no verdict although a judge was asked for." }),
  ),
  candidates: Type.Optional(
    Type.Array(
      Type.Object({
        model: ModelSchema("Absent: the host's default model."),
        outcome: OutcomeSchema,
        score: Type.Optional(Type.Number()),
        reason: Type.Optional(Type.String()),
      }),
      { description: "bestOf: every candidate that ran, where and how it scored (the kept one among them)." },
    ),
  ),
});

/** The models a run's agents climbed and where they came from. */
export const RunLadderSchema = Type.Object({
  models: Type.Array(Type.String(), {
    description: "The models agents climb, first to last; empty: the default model.",
  }),
  source: Type.String({
    description: "Where the ladder came from: the call, the plugin config, or the host's config.",
  }),
});

/** What the caller should know about the runtime, e.g. a setting to change. */
export const RunNotesSchema = Type.Array(Type.String());
