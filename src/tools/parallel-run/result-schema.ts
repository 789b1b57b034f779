// The shape of parallel_run's `details`, published in manifests/parallel_run.json (tests check results against it).
import { Type } from "@sinclair/typebox";
import { OUTCOMES } from "../../engine/outcome.js";
import { AgentResultSchema, RunLadderSchema, RunNotesSchema, UsageSchema } from "../../runs/agent-details-schema.js";

export const ParallelRunResultSchema = Type.Object({
  runId: Type.String(),
  agents: Type.Array(AgentResultSchema),
  counts: Type.Object(Object.fromEntries(OUTCOMES.map((o) => [o, Type.Integer({ minimum: 0 })]))),
  usage: Type.Union([UsageSchema, Type.Null()]),
  attempts: Type.Integer({ minimum: 0 }),
  durationMs: Type.Number(),
  stopReason: Type.Optional(Type.String()),
  ladder: Type.Optional(RunLadderSchema),
  notes: Type.Optional(RunNotesSchema),
});
