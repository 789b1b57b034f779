// The shape of refine_agent's `details`, published in manifests/refine_agent.json.
import { Type } from "@sinclair/typebox";

export const RefineAgentResultSchema = Type.Object({
  runId: Type.String(),
  targetScore: Type.Number(),
  agents: Type.Array(
    Type.Object({
      name: Type.String(),
      id: Type.Union([Type.String(), Type.Null()], { description: "Id of the saved (or proposed) agent type." }),
      rounds: Type.Array(
        Type.Object({
          round: Type.Integer(),
          score: Type.Number(),
          dimensions: Type.Record(Type.String(), Type.Number()),
          summary: Type.String(),
        }),
      ),
      finalScore: Type.Union([Type.Number(), Type.Null()], {
        description: "Score of the best design seen (not the last).",
      }),
      reachedTarget: Type.Boolean(),
      stoppedBecause: Type.String(),
      savedTo: Type.Union([Type.String(), Type.Null()]),
      yaml: Type.Union([Type.String(), Type.Null()]),
      error: Type.Optional(Type.String()),
      renamedFrom: Type.Optional(Type.String()),
    }),
  ),
});
