// A model ladder out of the box: when neither the call nor the plugin config names one, the calling agent's primary
// model and its configured fallbacks from the OpenClaw config, the cheapest first where the host knows prices. The host
// must allow this plugin per-run models; where it does not, the agents run on the host's own model and the result
// says, once, which setting to change.
import { priceOf, type PriceTable } from "../runs/prices.js";
import { LIMITS } from "../config.js";

export const PLUGIN_ID = "parallel-agents";

/** The config keys that let this plugin choose a model per host completion / per sub-agent run. */
export const OVERRIDE_KEYS = {
  llm: `plugins.entries.${PLUGIN_ID}.llm.allowModelOverride`,
  subagent: `plugins.entries.${PLUGIN_ID}.subagent.allowModelOverride`,
} as const;

export type OverrideRuntime = keyof typeof OVERRIDE_KEYS;

type ModelSetting = string | { primary?: unknown; fallbacks?: unknown } | undefined;

function modelRefs(setting: ModelSetting, inheritFallbacks: readonly string[]): string[] {
  if (typeof setting === "string") return [setting]; // the string form is a strict primary: no fallbacks
  if (!setting || typeof setting !== "object") return [];
  const primary = typeof setting.primary === "string" ? [setting.primary] : [];
  const fallbacks = Array.isArray(setting.fallbacks)
    ? setting.fallbacks.filter((f): f is string => typeof f === "string")
    : inheritFallbacks;
  return [...primary, ...fallbacks];
}

/**
 * The agent's models as the host would try them: `agents.entries.<agentId>.model` when set, else
 * `agents.defaults.model` (a string, or `{ primary, fallbacks }`), deduplicated, non-empty names only.
 */
export function hostModels(hostConfig: unknown, agentId: string): string[] {
  const agents = (hostConfig as { agents?: { defaults?: { model?: ModelSetting }; entries?: unknown } } | undefined)
    ?.agents;
  const defaults = modelRefs(agents?.defaults?.model, []);
  const entries = agents?.entries && typeof agents.entries === "object" ? agents.entries : {};
  const own = Object.hasOwn(entries, agentId)
    ? ((entries as Record<string, { model?: ModelSetting } | undefined>)[agentId]?.model ?? undefined)
    : undefined;
  const refs = own === undefined ? defaults : modelRefs(own, []);
  return [...new Set(refs.map((r) => r.trim()).filter((r) => r.length > 0 && r.length <= 200))];
}

/** Whether the OpenClaw config lets this plugin pick the model of a host completion / sub-agent run. */
export function overrideAllowed(hostConfig: unknown, runtime: OverrideRuntime): boolean {
  const entry = (hostConfig as { plugins?: { entries?: Record<string, unknown> } } | undefined)?.plugins?.entries?.[
    PLUGIN_ID
  ] as Record<OverrideRuntime, { allowModelOverride?: unknown } | undefined> | undefined;
  return entry?.[runtime]?.allowModelOverride === true;
}

export type HostLadder = {
  /** The ladder to use: empty means the host's default model only. */
  models: string[];
  /** Where it came from, as the result says it. */
  source: string;
  /** Said once to the host model when the config has a ladder this plugin may not use. */
  note?: string;
};

/**
 * The ladder from the host's configuration: primary and fallbacks, cheapest first when the host prices every one of
 * them (in its configured order otherwise), at most the ladder cap. Used only when the host allows per-run
 * models for every runtime in `runtimes`; otherwise empty, with a note naming the setting.
 */
export function deriveHostLadder(options: {
  hostConfig: unknown;
  agentId: string;
  prices: PriceTable;
  runtimes: readonly OverrideRuntime[];
}): HostLadder {
  const models = hostModels(options.hostConfig, options.agentId);
  if (models.length < 2) return { models: [], source: "host default" };
  // Reordered only when the host prices every model: an unpriced one (e.g. from OpenClaw's built-in catalogue, which
  // the config does not carry) may be the cheapest, so a partly priced ladder keeps the host's own order.
  const prices = models.map((model) => priceOf(options.prices, model));
  const allPriced = prices.every((p) => p !== undefined);
  const cost = (i: number) => prices[i]!.inputPerMTok + prices[i]!.outputPerMTok;
  const order = models.map((_, i) => i);
  if (allPriced) order.sort((x, y) => cost(x) - cost(y) || x - y);
  const ordered = order.map((i) => models[i]!).slice(0, LIMITS.maxLadder);
  const missing = options.runtimes.filter((r) => !overrideAllowed(options.hostConfig, r));
  if (missing.length > 0)
    return {
      models: [],
      source: "host default",
      note: `Your OpenClaw config lists a primary model and fallbacks (${listed(models)}); parallel-agents can use them as a ladder, cheapest first, climbing on weak or failed answers, once you set ${missing.map((r) => `${OVERRIDE_KEYS[r]}: true`).join(" and ")}. Until then every agent runs on the host's default model.`,
    };
  return {
    models: ordered,
    source: `your OpenClaw config (primary and fallbacks${allPriced ? ", cheapest first" : ""})`,
  };
}

/** At most the ladder's length of names, then how many more. */
function listed(models: readonly string[]): string {
  const shown = models.slice(0, LIMITS.maxLadder).join(", ");
  return models.length > LIMITS.maxLadder ? `${shown} and ${models.length - LIMITS.maxLadder} more` : shown;
}

/**
 * How the host's message reads when it refuses a per-run model: "off" (this plugin may not pick models at all), "model"
 * (this model is not on the plugin's allow list), or undefined (not a refusal of the model: e.g. a transient
 * "configuration changed before admission", or completions denied altogether).
 */
export function overrideRefusal(message: string): "off" | "model" | undefined {
  if (/cannot override the target model|override is not authorized|not trusted for fallback/i.test(message))
    return "off";
  if (
    /not allowlisted|allowlist has no valid models|allowlist requires a resolvable|allowedModels, but none/i.test(
      message,
    )
  )
    return "model";
  return undefined;
}

/** One call's view of an OverrideGuard: the same decisions, and which models it ran on the host's default instead. */
export type CallOverrides = {
  /** The model to ask the host for: `model`, or undefined (the host's default) where the host refused it. */
  modelFor: (model: string | undefined) => string | undefined;
  /** Records the host's refusal of `model`; false when `hostMessage` is not a refusal of the model (rethrow it). */
  refuse: (model: string, hostMessage: string) => boolean;
  /** The line for this call's result when it ran a refused model on the default: in full the first time. */
  note: () => string | undefined;
};

/**
 * What this plugin instance learned about per-run models the host refused: after a refusal, requests for that model
 * (or for any model, when overrides are off altogether) go to the host's default model without asking again, and a
 * result explains the setting to change once in full, in one line afterwards. Forgotten when the plugin's entry in the
 * OpenClaw config changes (it can be reloaded without a restart).
 */
export type OverrideGuard = {
  /** Forgets every refusal when this plugin's `llm` / `subagent` entry in the host config changed since last seen. */
  sync: (hostConfig: unknown) => void;
  forCall: () => CallOverrides;
};

const MAX_REFUSED_MODELS = 64;

export function createOverrideGuard(runtime: OverrideRuntime): OverrideGuard {
  /** Refused models and the host's message; "*" when per-run models are off altogether. */
  const refused = new Map<string, string>();
  let explained = false;
  let seen: string | undefined;
  const key = OVERRIDE_KEYS[runtime];
  const isRefused = (model: string) => refused.has("*") || refused.has(model);
  return {
    sync(hostConfig) {
      const entries = (hostConfig as { plugins?: { entries?: Record<string, unknown> } } | undefined)?.plugins?.entries;
      const entry = (entries?.[PLUGIN_ID] as Record<string, unknown> | undefined)?.[runtime];
      const fingerprint = JSON.stringify(entry ?? null).slice(0, 10_000);
      if (seen !== undefined && fingerprint !== seen) {
        refused.clear();
        explained = false;
      }
      seen = fingerprint;
    },
    forCall() {
      const dropped = new Set<string>();
      const drop = (model: string) => {
        if (dropped.size < MAX_REFUSED_MODELS) dropped.add(model);
      };
      return {
        modelFor(model) {
          if (!model || !isRefused(model)) return model;
          drop(model);
          return undefined;
        },
        refuse(model, hostMessage) {
          const kind = overrideRefusal(hostMessage);
          if (!kind) return false;
          if (refused.size < MAX_REFUSED_MODELS) refused.set(kind === "off" ? "*" : model, hostMessage.slice(0, 300));
          drop(model);
          return true;
        },
        note() {
          if (dropped.size === 0) return undefined;
          const models = [...dropped].map((m) => `"${m}"`).join(", ");
          const fix = refused.has("*")
            ? `set ${key}: true in the OpenClaw config`
            : `add ${dropped.size === 1 ? "it" : "them"} to ${key.replace(/allowModelOverride$/, "allowedModels")} in the OpenClaw config`;
          if (explained) return `Ran on the host's default model instead of ${models}: the host refuses them (${fix}).`;
          explained = true;
          const message = refused.get("*") ?? [...dropped].map((m) => refused.get(m)).find((m) => m !== undefined);
          return `The host refused model ${models}${message ? ` (${message})` : ""}, so those agents ran on its default model instead. To use ${dropped.size === 1 ? "it" : "them"}, ${fix}, or remove "models" from the call and the plugin config.`;
        },
      };
    },
  };
}
