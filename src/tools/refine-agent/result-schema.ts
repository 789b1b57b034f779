// The shape of refine_agent's `details`, published in manifests/refine_agent.json; the result types derive from it.
import { type Static, Type } from "@sinclair/typebox";

const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const RefineRoundSchema = Type.Object({
  round: Type.Integer(),
  score: Type.Number(),
  dimensions: Type.Record(Type.String(), Type.Number()),
  summary: Type.String(),
});

export const RefinedAgentSchema = Type.Object({
  name: Type.String(),
  id: NullableString("Id of the saved (or proposed) agent type."),
  baseType: NullableString("The existing type the run started from; null for a new design."),
  inPlace: Type.Boolean({
    description: "True when an existing type was improved under its own id, as the user's override of that id.",
  }),
  version: Type.Object(
    {
      from: NullableString("Version of the existing type the run started from; null for a new design."),
      to: NullableString(
        "Version of the saved (or proposed) type; equal to `from` when unchanged; null when nothing came out.",
      ),
    },
    { description: "Old -> new version." },
  ),
  targetScore: Type.Number({ description: "This agent's target: its own, else the call's." }),
  rounds: Type.Array(RefineRoundSchema),
  finalScore: Type.Union([Type.Number(), Type.Null()], {
    description: "Score of the best design seen (not the last).",
  }),
  reachedTarget: Type.Boolean(),
  stoppedBecause: Type.String(),
  savedTo: Type.Union([Type.String(), Type.Null()]),
  yaml: Type.Union([Type.String(), Type.Null()]),
  unchanged: Type.Optional(
    Type.Boolean({
      description:
        "In place only: no revision scored above the existing definition, so it was kept as it is and nothing was written.",
    }),
  ),
  error: Type.Optional(Type.String()),
  renamedFrom: Type.Optional(Type.String()),
});

export const RefineAgentResultSchema = Type.Object({
  runId: Type.String(),
  targetScore: Type.Number({ description: "The call's target (an agent's own targetScore wins for that agent)." }),
  agents: Type.Array(RefinedAgentSchema),
});

export type RefineRound = Static<typeof RefineRoundSchema>;
export type RefinedAgent = Static<typeof RefinedAgentSchema>;
