// The shape of orchestrate's `details`, published in manifests/orchestrate.json.
import { Type } from "@sinclair/typebox";
import { AgentResultSchema } from "../parallel-run/result-schema.js";

export const OrchestrateResultSchema = Type.Object({
  runId: Type.String(),
  dryRun: Type.Boolean(),
  plan: Type.Object({
    tasks: Type.Array(Type.Object({ id: Type.String(), type: Type.String(), task: Type.String(), input: Type.Optional(Type.Record(Type.String(), Type.Unknown())), dependsOn: Type.Array(Type.String()) })),
    rationale: Type.Optional(Type.String()),
  }),
  waves: Type.Array(Type.Array(Type.String())),
  tasks: Type.Array(Type.Intersect([AgentResultSchema, Type.Object({ dependsOn: Type.Array(Type.String()), wave: Type.Union([Type.Integer(), Type.Null()]) })])),
  synthesis: Type.Union([AgentResultSchema, Type.Null()]),
  wouldStart: Type.Optional(Type.Object({ agents: Type.Integer(), maxAttempts: Type.Integer(), createTypes: Type.Array(Type.String()) })),
});
