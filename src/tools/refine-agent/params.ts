// refine_agent's public parameters (TypeBox): the agents to create or improve, the target, the bounds.
import { Type, type Static } from "@sinclair/typebox";
import { LIMITS } from "../../config.js";

export const NewAgentRequest = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "Name of the new agent; becomes its snake_case id.",
    }),
    purpose: Type.String({ minLength: 1, maxLength: 5000, description: "What the agent is for." }),
    domain: Type.Optional(Type.String({ maxLength: 200 })),
    capabilities: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 30 })),
  },
  { additionalProperties: false },
);

export const ExistingAgentRequest = Type.Object(
  {
    type: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "An existing agent type to improve (its definition is the starting design).",
    }),
  },
  { additionalProperties: false },
);

export const RefineAgentParams = Type.Object(
  {
    agents: Type.Optional(
      Type.Array(Type.Union([NewAgentRequest, ExistingAgentRequest]), {
        minItems: 1,
        maxItems: 25,
        description: "Agents to design (name, purpose) or improve (type). Required unless resume is given.",
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
      Type.Number({
        minimum: 0,
        maximum: 10,
        description: "Stop when the computed review score reaches this. Default 8.5.",
      }),
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
