// The agent-type file format, defined once: YAML files are validated against it and manifests/ is generated from it.
import { Type, type Static } from "@sinclair/typebox";

/** snake_case, starts with a letter, at most 64 characters. An id is a name, never a path. */
export const AGENT_ID_PATTERN = "^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$";
export const AGENT_ID_MAX_LENGTH = 64;

const JsonSchemaObject = Type.Object(
  {
    type: Type.Literal("object"),
    properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    required: Type.Optional(Type.Array(Type.String())),
  },
  {
    additionalProperties: true,
    description: "A JSON Schema (draft-07 subset understood by Ajv) whose root is an object.",
  },
);

export const Tier = Type.Union([Type.Literal("fast"), Type.Literal("standard"), Type.Literal("premium")], {
  description: "Which rung of the model ladder the type starts on: fast, standard or premium.",
});

export const OutputFormat = Type.Union(
  [Type.Literal("json"), Type.Literal("markdown"), Type.Literal("text"), Type.Literal("code")],
  { description: "What the agent returns. json answers are parsed and validated against `output`." },
);

export const ToolsSetting = Type.Union([Type.Literal("none"), Type.Literal("host")], {
  description:
    "none: the agent answers from its prompt alone (a lean host completion). host: it runs as an OpenClaw sub-agent with the host's normal sub-agent tools (read, web search, ...), within the user's sub-agent tool policy.",
});

export const AgentExample = Type.Object(
  {
    input: Type.Record(Type.String(), Type.Unknown(), {
      description: "Variables for the task template; must satisfy `input`.",
    }),
    task: Type.Optional(Type.String({ description: "The task text of the example." })),
    output: Type.Unknown({ description: "A good answer; must satisfy `output` (a string for non-json formats)." }),
  },
  { additionalProperties: false },
);

export const RubricItem = Type.Object(
  {
    dimension: Type.String({ minLength: 1, description: "Key of the scored dimension." }),
    weight: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: "Relative weight in the overall score." }),
    description: Type.String({ minLength: 1, description: "What a high score means on this dimension." }),
  },
  { additionalProperties: false },
);

export const AgentTypeSchema = Type.Object(
  {
    id: Type.String({
      pattern: AGENT_ID_PATTERN,
      maxLength: AGENT_ID_MAX_LENGTH,
      description: "Unique snake_case id; the file must be named `<id>.yaml`.",
    }),
    name: Type.String({ minLength: 1, maxLength: 120, description: "Human-readable name." }),
    version: Type.String({
      pattern: "^\\d+\\.\\d+\\.\\d+$",
      description: "Semantic version of this definition, e.g. 1.0.0.",
    }),
    category: Type.String({
      pattern: "^[a-z][a-z0-9_-]*$",
      maxLength: 40,
      description: "Catalogue group: content, dev, qa, docs, meta, personal, or your own.",
    }),
    description: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "What the agent does, one or two sentences.",
    }),
    useWhen: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: "When a planner or a user should pick this type.",
    }),
    tier: Tier,
    timeoutSeconds: Type.Integer({ minimum: 5, maximum: 3600, description: "Per-attempt timeout, in seconds." }),
    outputFormat: OutputFormat,
    tools: Type.Optional(ToolsSetting),
    system: Type.String({ minLength: 1, maxLength: 40_000, description: "Handlebars template of the system prompt." }),
    task: Type.String({
      minLength: 1,
      maxLength: 20_000,
      description: "Handlebars template of the task message. `{{task}}` is the task text from chat.",
    }),
    input: Type.Optional(JsonSchemaObject),
    output: Type.Optional(JsonSchemaObject),
    examples: Type.Optional(Type.Array(AgentExample, { maxItems: 10 })),
    rubric: Type.Optional(Type.Array(RubricItem, { minItems: 1, maxItems: 20 })),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
  },
  {
    $id: "urn:parallel-agents:agent-type",
    title: "parallel-agents agent type",
    additionalProperties: false,
  },
);

export type AgentTypeFile = Static<typeof AgentTypeSchema>;
export type AgentExampleDef = Static<typeof AgentExample>;
export type RubricItemDef = Static<typeof RubricItem>;
export type TierName = Static<typeof Tier>;
export type OutputFormatName = Static<typeof OutputFormat>;
export type ToolsSettingName = Static<typeof ToolsSetting>;
