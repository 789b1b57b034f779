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
 * The ladder from the host's configuration: primary and fallbacks, those with a known price cheapest first (in their
 * configured order otherwise, after the priced ones), at most the ladder cap. Used only when the host allows per-run
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
  const priced = models
    .map((model, order) => ({ model, order, price: priceOf(options.prices, model) }))
    .sort((a, b) => {
      if (a.price && b.price) {
        const byPrice = a.price.inputPerMTok + a.price.outputPerMTok - (b.price.inputPerMTok + b.price.outputPerMTok);
        if (byPrice !== 0) return byPrice;
      } else if (a.price || b.price) return a.price ? -1 : 1;
      return a.order - b.order;
    })
    .map((m) => m.model)
    .slice(0, LIMITS.maxLadder);
  const missing = options.runtimes.filter((r) => !overrideAllowed(options.hostConfig, r));
  if (missing.length > 0)
    return {
      models: [],
      source: "host default",
      note: `Your OpenClaw config lists a primary model and fallbacks (${models.join(", ")}); parallel-agents can use them as a ladder, cheapest first, climbing on weak or failed answers, once you set ${missing.map((r) => `${OVERRIDE_KEYS[r]}: true`).join(" and ")}. Until then every agent runs on the host's default model.`,
    };
  const known = priced.some((m) => priceOf(options.prices, m) !== undefined);
  return {
    models: priced,
    source: `your OpenClaw config (primary and fallbacks${known ? ", cheapest first" : ""})`,
  };
}

/**
 * What this process learned about per-run models the host refused: after the first refusal the agents of every call
 * run on the host's model (no request wasted on a model the host refuses), and the result explains the setting to
 * change once, in full; later results say it in one line. Cleared when the config allows overrides again.
 */
export type OverrideGuard = {
  readonly refused: boolean;
  refuse: (model: string, hostMessage: string) => void;
  /** Clears the refusal when the host config now allows per-run models (it can be reloaded without a restart). */
  sync: (hostConfig: unknown) => void;
  /** The line for this call's result: in full the first time after a refusal, short afterwards; none when allowed. */
  note: () => string | undefined;
};

export function createOverrideGuard(runtime: OverrideRuntime): OverrideGuard {
  let refusal: { model: string; hostMessage: string } | undefined;
  let explained = false;
  const key = OVERRIDE_KEYS[runtime];
  return {
    get refused() {
      return refusal !== undefined;
    },
    refuse(model, hostMessage) {
      refusal ??= { model, hostMessage: hostMessage.slice(0, 300) };
    },
    sync(hostConfig) {
      if (overrideAllowed(hostConfig, runtime)) {
        refusal = undefined;
        explained = false;
      }
    },
    note() {
      if (!refusal) return undefined;
      if (explained)
        return `Agents ran on the host's default model: the host refuses per-run models (set ${key}: true to use the ladder).`;
      explained = true;
      return `The host refused model "${refusal.model}" (${refusal.hostMessage}), so the agents ran on its default model instead of the ladder. To use the ladder, set ${key}: true in the OpenClaw config${runtime === "llm" ? " (and list the ladder's models in llm.allowedModels if you use that list)" : ""}, or remove "models" from the call and the plugin config.`;
    },
  };
}
