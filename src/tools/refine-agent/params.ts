// refine_agent's public parameters (TypeBox): the agents to create or improve (in place or under a new name), the
// targets, the bounds.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../../config.js";

/** A score bound, shared by the call-level and the per-agent target. */
const targetScore = (description: string) => Type.Number({ minimum: 0, maximum: 10, description });

const AgentTargetScore = Type.Optional(
  targetScore("This agent's target: overrides the call's targetScore (default: the call's, else 8.5)."),
);

export const NewAgentRequest = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "Name of the new agent; becomes its snake_case id.",
    }),
    purpose: Type.String({ minLength: 1, maxLength: 5000, description: "What the agent is for." }),
    domain: Type.Optional(Type.String({ maxLength: 200, description: "Field the agent works in, e.g. cooking." })),
    capabilities: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
        maxItems: 30,
        description: "Things the agent must be able to do; the creator designs for each.",
      }),
    ),
    targetScore: AgentTargetScore,
  },
  { additionalProperties: false },
);

export const ExistingAgentRequest = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description:
        "An existing catalogue id to improve; its definition is the starting design (no creator step). Without " +
        "`name` it is improved in place: the result keeps the type's id, task template, input and output schemas, " +
        "tier, tools, rubric and category, takes the improved system prompt (and description, useWhen, examples " +
        "when they still validate), gets the next minor version, and is saved as your override `<type>.yaml` in " +
        "the user folder (built-in files are never changed).",
    }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          "Save the improved type under this new name (snake_case id, version 1.0.0) instead of in place; the " +
          "original stays as it is.",
      }),
    ),
    purpose: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 5000,
        description: "What the reviewer judges the type against. Default: the type's description and useWhen.",
      }),
    ),
    targetScore: AgentTargetScore,
  },
  { additionalProperties: false },
);

export const RefineAgentParams = Type.Object(
  {
    agents: Type.Optional(
      Type.Array(Type.Union([NewAgentRequest, ExistingAgentRequest]), {
        minItems: 1,
        maxItems: 25,
        description:
          "Agents to design ({ name, purpose }) or improve ({ type }, in place unless `name` is given). Required " +
          "unless resume is given.",
      }),
    ),
    resume: Type.Optional(
      Type.String({
        pattern: "^[A-Za-z0-9_-]{1,80}$",
        description:
          "Finish an earlier journaled refine_agent run: agents that ended are reused. Other parameters are ignored.",
      }),
    ),
    targetScore: Type.Optional(
      targetScore("Stop when the computed review score reaches this; an agent's own targetScore wins. Default 8.5."),
    ),
    maxRounds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 6, description: "Review rounds per agent. Default 3." }),
    ),
    save: Type.Optional(
      Type.Boolean({
        description:
          "Write the best design as an agent type into the user folder (default true); false returns the YAML only.",
      }),
    ),
    models: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: LIMITS.maxLadder,
        description: "Model ladder for this call, weakest first.",
      }),
    ),
    maxConcurrent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxConcurrent,
        description: "Agents refined at once (default from config, 8).",
      }),
    ),
  },
  { additionalProperties: false },
);

export type RefineAgentParamsT = Static<typeof RefineAgentParams> & {
  agents: NonNullable<Static<typeof RefineAgentParams>["agents"]>;
};
export type NewAgentRequestT = Static<typeof NewAgentRequest>;
export type ExistingAgentRequestT = Static<typeof ExistingAgentRequest>;
