// What refine_agent reads from its agents' answers, as TypeBox schemas with their static types: the designer's
// design and the reviewer's review. Each is a reader's view of its agent type's output schema (prompts/meta), which
// the engine has already validated; a test holds the two together.
import { type Static, Type } from "@sinclair/typebox";

const StringOrList = Type.Union([Type.String(), Type.Array(Type.String())]);

/** agent_creator's answer (and agent_refiner's revised_design): the fields a saved agent type is built from. */
export const AgentDesignSchema = Type.Object(
  {
    agent_name: Type.String(),
    version: Type.Optional(Type.String()),
    domain: Type.Optional(Type.String()),
    description: Type.Optional(Type.String()),
    system_prompt: Type.String(),
    input_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    output_schema: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    capabilities: Type.Optional(Type.Array(Type.String())),
    example_interactions: Type.Optional(Type.Array(Type.Object({ input: Type.Unknown(), output: Type.Unknown() }))),
    use_cases: Type.Optional(Type.Array(Type.String())),
    limitations: Type.Optional(Type.Array(Type.String())),
    edge_case_handling: Type.Optional(StringOrList),
    safety_guidelines: Type.Optional(StringOrList),
  },
  { additionalProperties: true },
);
export type AgentDesign = Static<typeof AgentDesignSchema> & { [key: string]: unknown };

const DimensionSchema = Type.Object({
  score: Type.Number(),
  max: Type.Optional(Type.Number()),
  feedback: Type.String(),
});

/** agent_design_reviewer's answer: the dimension scores the engine computes the score from, and what to improve. */
export const DesignReviewSchema = Type.Object({
  dimension_scores: Type.Record(Type.String(), DimensionSchema),
  areas_for_improvement: Type.Optional(
    Type.Array(Type.Object({ issue: Type.String(), severity: Type.String(), suggestion: Type.String() })),
  ),
  strengths: Type.Optional(Type.Array(Type.String())),
  overall_score: Type.Optional(Type.Number()),
});
export type DesignReview = Static<typeof DesignReviewSchema>;

/** agent_refiner's answer: the revised design. */
export const RefinementSchema = Type.Object({ revised_design: Type.Partial(AgentDesignSchema) });
