// What tokens cost: a price table by model (USD per million tokens) from the host's model catalogue
// (`models.providers.<p>.models[].cost`), the CLI's `--price`, or config; and a port wrapper that prices every answer
// the runtime did not price itself, so each agent's and each run's `usage.costUsd` is known wherever a price is.
import { addUsage, SessionError, type SessionPort, type Usage } from "../engine/port.js";
import { UserInputError } from "../errors.js";

/** US dollars per million tokens. */
export type ModelPrice = { inputPerMTok: number; outputPerMTok: number };

/** Prices by model reference (`provider/model` or a bare model name). */
export type PriceTable = ReadonlyMap<string, ModelPrice>;

/** Most models a table holds (a host catalogue or flags): bounds the work of reading an untrusted config. */
export const MAX_PRICED_MODELS = 2000;

const MAX_PRICE_PER_MTOK = 10_000;

function isRate(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_PRICE_PER_MTOK;
}

/**
 * The host's prices: every `models.providers.<provider>.models[]` entry with `cost: { input, output }` (USD per
 * million tokens, OpenClaw's catalogue convention), keyed `provider/id`. Entries without both rates are left out:
 * an unknown price is never taken for free.
 */
export function hostPriceTable(hostConfig: unknown): PriceTable {
  const table = new Map<string, ModelPrice>();
  const providers = (hostConfig as { models?: { providers?: unknown } } | undefined)?.models?.providers;
  if (!providers || typeof providers !== "object") return table;
  for (const [provider, entry] of Object.entries(providers as Record<string, unknown>)) {
    const models = (entry as { models?: unknown } | undefined)?.models;
    if (!Array.isArray(models)) continue;
    for (const model of models) {
      if (table.size >= MAX_PRICED_MODELS) return table;
      const id = (model as { id?: unknown } | undefined)?.id;
      const cost = (model as { cost?: { input?: unknown; output?: unknown } } | undefined)?.cost;
      if (typeof id !== "string" || id.length === 0 || !cost || !isRate(cost.input) || !isRate(cost.output)) continue;
      table.set(`${provider}/${id}`, { inputPerMTok: cost.input, outputPerMTok: cost.output });
    }
  }
  return table;
}

/**
 * One `MODEL=INPUT/OUTPUT` price (USD per million tokens), as `--price` takes it, e.g. `gpt-4o-mini=0.15/0.60`.
 * `field` names where it came from in the error.
 */
export function parsePriceSpec(spec: string, field = "--price"): [string, ModelPrice] {
  const eq = spec.lastIndexOf("=");
  const model = eq > 0 ? spec.slice(0, eq).trim() : "";
  const [input, output, extra] = (eq > 0 ? spec.slice(eq + 1) : "").split("/");
  const rates = [input, output].map((v) => (v === undefined || v.trim() === "" ? Number.NaN : Number(v)));
  if (!model || extra !== undefined || !rates.every(isRate))
    throw new UserInputError({
      field,
      value: spec,
      message: `${JSON.stringify(spec)} is not MODEL=INPUT/OUTPUT in US dollars per million tokens`,
      fix: `write e.g. ${field} gpt-4o-mini=0.15/0.60 (rates from 0 to ${MAX_PRICE_PER_MTOK})`,
    });
  return [model, { inputPerMTok: rates[0]!, outputPerMTok: rates[1]! }];
}

/** A table from `--price` specs (later ones win), on top of `base`. */
export function priceTableOf(specs: readonly string[], base: PriceTable = new Map(), field = "--price"): PriceTable {
  const table = new Map(base);
  for (const spec of specs.slice(0, MAX_PRICED_MODELS)) table.set(...parsePriceSpec(spec, field));
  return table;
}

/** The price of `model`: exact, else by the part after the provider (`openai/gpt-4o` matches `gpt-4o` and back). */
export function priceOf(table: PriceTable, model: string | undefined): ModelPrice | undefined {
  if (!model || table.size === 0) return undefined;
  const exact = table.get(model);
  if (exact) return exact;
  const slash = model.indexOf("/");
  if (slash > 0) {
    const bare = table.get(model.slice(slash + 1));
    if (bare) return bare;
  }
  for (const [key, price] of table) if (key.slice(key.indexOf("/") + 1) === model) return price;
  return undefined;
}

/** `usage` with its cost from `price` (times `discount`, e.g. 0.5 for a provider's batch price). */
export function priceUsage(usage: Usage, price: ModelPrice, discount = 1): Usage {
  const cost = ((usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1e6) * discount;
  return { ...usage, costUsd: cost };
}

/**
 * `port` (and its tools port) with every usage the runtime left unpriced priced from `table`, by the model that
 * answered, else the one asked for, else `defaultModel` (the host's primary). A runtime's own price is kept.
 */
export function withPrices(
  port: SessionPort,
  table: PriceTable,
  options: { defaultModel?: string; discount?: number } = {},
): SessionPort {
  if (table.size === 0) return port;
  const price = (usage: Usage | undefined, ...models: Array<string | undefined>): Usage | undefined => {
    if (!usage || usage.costUsd !== undefined) return usage;
    for (const model of [...models, options.defaultModel]) {
      const found = priceOf(table, model);
      if (found) return priceUsage(usage, found, options.discount);
    }
    return usage;
  };
  const wrapped: SessionPort = {
    name: port.name,
    ...(port.queues ? { queues: true } : {}),
    async run(request) {
      try {
        const result = await port.run(request);
        const usage = price(result.usage, result.model, request.model);
        return usage === result.usage ? result : { ...result, usage };
      } catch (error) {
        if (error instanceof SessionError && error.usage && error.usage.costUsd === undefined) {
          const usage = price(error.usage, request.model);
          if (usage !== error.usage)
            throw new SessionError(error.kind, error.message, {
              retryAfterMs: error.retryAfterMs,
              status: error.status,
              usage: addUsage(undefined, usage),
              cause: error,
            });
        }
        throw error;
      }
    },
    ...(port.withTools ? { withTools: withPrices(port.withTools, table, options) } : {}),
  };
  return wrapped;
}
