// The plugin's configuration: one TypeBox schema for the manifest, validation at load, and resolved defaults.
import { Type, type Static } from "@sinclair/typebox";
import { getValidator } from "./validation/json-validator.js";
import { UserInputError, describeValue } from "./errors.js";

export const LIMITS = {
  maxConcurrent: 128,
  maxAgentsPerCall: 200,
  /** Agents in one batch-mode run (`parallel-agents run --batch`): the provider queues them, not this process. */
  maxAgentsPerBatch: 50_000,
  maxTimeoutSeconds: 3600,
  maxRetries: 5,
  maxOutputBytes: 1024 * 1024,
  maxPromptDirs: 20,
  maxLadder: 6,
} as const;

export const PluginConfigSchema = Type.Object(
  {
    promptDirs: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        maxItems: LIMITS.maxPromptDirs,
        description:
          "Extra folders of agent-type YAML files, in priority order (later overrides earlier and built-ins).",
      }),
    ),
    models: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: LIMITS.maxLadder,
        description:
          "The model ladder, weakest first (e.g. provider/model ids). A type starts on the rung of its tier (fast 1st, standard 2nd, premium 3rd, capped at the last) and climbs on failure. Default: the host's own model only.",
      }),
    ),
    maxConcurrent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxConcurrent,
        description: "Agents running at once per call. Default 8.",
      }),
    ),
    timeoutSeconds: Type.Optional(
      Type.Integer({
        minimum: 5,
        maximum: LIMITS.maxTimeoutSeconds,
        description: "Per-attempt timeout that overrides each type's own. Default: the type's timeoutSeconds.",
      }),
    ),
    maxAgentsPerCall: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxAgentsPerCall,
        description: "Agents accepted in one call. Default 50.",
      }),
    ),
    retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: LIMITS.maxRetries,
        description: "Retries of a transient fault on the same model. Default 1.",
      }),
    ),
    maxOutputBytes: Type.Optional(
      Type.Integer({
        minimum: 1024,
        maximum: LIMITS.maxOutputBytes,
        description: "Bytes of text kept per agent answer. Default 65536.",
      }),
    ),
    cleanup: Type.Optional(
      Type.Union([Type.Literal("delete"), Type.Literal("keep")], {
        description:
          "Keep finished sub-agent sessions (default: deleting costs 0.5-3 s per call, see bench/RESULTS.md) or delete them before the call returns.",
      }),
    ),
    childRuntime: Type.Optional(
      Type.Union([Type.Literal("completion"), Type.Literal("session")], {
        description:
          'How agents without tools run. "completion" (default): one host-owned completion each (api.runtime.llm.complete): no session, no host lane, only the agent\'s own prompt. "session": a full OpenClaw sub-agent session each (transcripts kept, the host\'s sub-agent lane and preamble).',
      }),
    ),
    laneReserve: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 64,
        description:
          "childRuntime \"session\": slots of the host's sub-agent lane (agents.defaults.subagents.maxConcurrent, default 8) left free for the user's other conversations; all calls of this plugin together use at most the rest (at least 1). Default 2.",
      }),
    ),
    keepSessions: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description:
          'childRuntime "session" with cleanup "keep": finished child sessions kept for inspection; older ones (and any over 24 h old) are deleted during later calls. Default 20.',
      }),
    ),
    allowTools: Type.Optional(
      Type.Boolean({
        description:
          "Let agents run with the host's tools (tools: \"host\", e.g. the researcher type): each such agent is an OpenClaw sub-agent session on the host's normal sub-agent tool surface, within the user's sub-agent tool policy. false refuses calls that ask for tools and runs types that default to them without. Default true.",
      }),
    ),
    offerDirectly: Type.Optional(
      Type.Boolean({
        description:
          "Offer parallel_run, orchestrate and refine_agent to the host model directly, never through OpenClaw's Tool Search bridge (catalogMode \"direct-only\"): through the bridge the model reads each result twice (its text and its details, bench/host-read: 2.26 x the outputs; directly 1.03 x), but the three tools' schemas ride on every host request (about 14 KB, bench/host-read). Worth it when the plugin is used in most conversations. Default false.",
      }),
    ),
    maxConcurrentPerModel: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: LIMITS.maxConcurrent,
        description:
          "Completions of one model in flight at once across every call in this gateway (protects the provider). Default 32.",
      }),
    ),
  },
  { additionalProperties: false },
);

export type PluginConfig = Static<typeof PluginConfigSchema>;

export type ResolvedConfig = Required<Omit<PluginConfig, "timeoutSeconds">> & { timeoutSeconds?: number };

export const CONFIG_DEFAULTS: ResolvedConfig = {
  promptDirs: [],
  models: [],
  maxConcurrent: 8,
  maxAgentsPerCall: 50,
  retries: 1,
  maxOutputBytes: 64 * 1024,
  cleanup: "keep",
  childRuntime: "completion",
  maxConcurrentPerModel: 32,
  laneReserve: 2,
  keepSessions: 20,
  allowTools: true,
  offerDirectly: false,
};

/** Validates raw plugin config and fills defaults; throws a UserInputError naming the field and the fix. */
export function resolveConfig(raw: unknown): ResolvedConfig {
  const value = raw ?? {};
  const result = getValidator<PluginConfig>(PluginConfigSchema)(value);
  if (!result.valid) {
    const issue = result.issues[0]!;
    const field = `plugins.entries.parallel-agents.config${issue.path === "/" ? "" : issue.path.replace(/\//g, ".")}`;
    throw new UserInputError({
      field,
      value,
      message: `${issue.message} (got ${describeValue(value)})`,
      fix: `correct the plugin config; allowed keys: ${Object.keys(PluginConfigSchema.properties).join(", ")}`,
    });
  }
  return { ...CONFIG_DEFAULTS, ...stripUndefined(result.data) };
}

function stripUndefined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
