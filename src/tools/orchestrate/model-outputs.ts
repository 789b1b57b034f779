// What orchestrate reads from its agents' answers, as TypeBox schemas with their static types: the planner's plan and
// the synthesizer's synthesis. Each is a reader's view of its agent type's output schema (prompts/meta), which the
// engine has already validated; a test holds the two together.
import { type Static, Type } from "@sinclair/typebox";
import { ToolsSetting } from "../../registry/agent-type-schema.js";

export const PlanTaskSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  task: Type.String(),
  input: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  dependsOn: Type.Array(Type.String()),
  outputSchema: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: "A JSON Schema for the task's answer (types whose output is not json, e.g. general).",
    }),
  ),
  tools: Type.Optional(ToolsSetting),
});
export type PlanTask = Static<typeof PlanTaskSchema>;

/** agent_orchestrator's answer. */
export const PlanSchema = Type.Object({ tasks: Type.Array(PlanTaskSchema), rationale: Type.Optional(Type.String()) });
export type Plan = Static<typeof PlanSchema>;

/** synthesizer's answer. */
export const SynthesisSchema = Type.Object({
  synthesis: Type.String(),
  failed_lanes: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
  confidence: Type.Number(),
});
export type Synthesis = Static<typeof SynthesisSchema>;
