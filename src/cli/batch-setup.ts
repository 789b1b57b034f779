// The batch port of `run --batch` and `wait`, from the flags and the run's journal: the provider (OpenAI's Batch API
// or Anthropic's Message Batches), its key and base URL, the poll schedule, batch prices, and `--repair-live`.
import { createAnthropicBatchProvider } from "../batch/anthropic-batch-provider.js";
import type { BatchProvider, BatchProviderName } from "../batch/batch-provider.js";
import {
  createBatchPort,
  DEFAULT_BATCH_POLL,
  type BatchPollOptions,
  type BatchPort,
  type BatchPortEvent,
} from "../batch/batch-port.js";
import { createOpenAiBatchProvider } from "../batch/openai-batch-provider.js";
import { routeFollowUpsLive } from "../batch/route-follow-ups.js";
import { CONFIG_DEFAULTS } from "../config.js";
import type { SessionPort } from "../engine/port.js";
import { createOpenAiHttpPort } from "../host/openai-http-port.js";
import type { LoadedRun } from "../journal/run-journal.js";
import { priceTableOf, withPrices } from "../runs/prices.js";
import type { PortRunContext } from "../tools/parallel-run/execute.js";
import type { PreparedRun } from "../tools/parallel-run/prepare.js";
import { CliError, flag, flagValues, hasFlag, type ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";

/** What a provider's batch answers cost against its live price (OpenAI and Anthropic: half). */
export const BATCH_DISCOUNT = 0.5;

const PROVIDERS: readonly BatchProviderName[] = ["openai", "anthropic"];

export type BatchSetup = {
  provider: BatchProviderName;
  repairLive: boolean;
  /** Every API key in use: kept out of the journal. */
  secrets: string[];
  /** The engine's port for this run (executeParallelRun's port factory). */
  portFor: (prepared: PreparedRun, run: PortRunContext) => SessionPort;
  /** The batch port, once the factory has made it. */
  batchPort: () => BatchPort | undefined;
};

/**
 * Reads the flags (and, for `wait`, what the run's journal says about its provider and `--repair-live`), refusing
 * what batch mode cannot do before anything is sent.
 */
export function batchSetup(
  args: ParsedArgs,
  io: CliIo,
  options: { journaled?: LoadedRun; onBatch?: (event: BatchPortEvent) => void } = {},
): BatchSetup {
  const journaledMode = options.journaled?.batchMode;
  const journaledProvider = journaledMode?.provider ?? options.journaled?.batches?.[0]?.provider;
  const asked = flag(args, "provider");
  if (asked !== undefined && !PROVIDERS.includes(asked as BatchProviderName))
    throw new CliError(`--provider ${asked}: use openai or anthropic`);
  if (asked && journaledProvider && asked !== journaledProvider)
    throw new CliError(`--provider ${asked}: run ${options.journaled?.runId} sent its batches to ${journaledProvider}`);
  const provider = (asked ?? journaledProvider ?? "openai") as BatchProviderName;
  const repairLive = hasFlag(args, "repair-live") || journaledMode?.repairLive === true;
  const urls = flagValues(args, "base-url");
  if (urls.length > 1 || flag(args, "endpoints"))
    throw new CliError("batch mode sends to one provider: give one --base-url (a router can pool providers live)");
  const env = io.env;
  const baseUrl =
    urls[0] ??
    (provider === "anthropic" ? env.ANTHROPIC_BASE_URL : (env.PARALLEL_AGENTS_BASE_URL ?? env.OPENAI_BASE_URL));
  const apiKey =
    flag(args, "api-key") ??
    (provider === "anthropic"
      ? (env.ANTHROPIC_API_KEY ?? env.PARALLEL_AGENTS_API_KEY)
      : (env.PARALLEL_AGENTS_API_KEY ?? env.OPENAI_API_KEY));
  if (!apiKey)
    throw new CliError(
      `batch mode needs an API key: pass --api-key or set ${provider === "anthropic" ? "ANTHROPIC_API_KEY" : "PARALLEL_AGENTS_API_KEY / OPENAI_API_KEY"}`,
    );
  const model = flag(args, "model") ?? env.PARALLEL_AGENTS_MODEL ?? env.OPENAI_MODEL;
  if (!model) throw new CliError("no model: pass --model or set PARALLEL_AGENTS_MODEL / OPENAI_MODEL");
  if (repairLive && provider !== "openai")
    throw new CliError("--repair-live runs follow-ups on an OpenAI-compatible endpoint: use it with --provider openai");
  const prices = priceTableOf(flagValues(args, "price"));
  const poll = pollOptions(env.PARALLEL_AGENTS_BATCH_POLL_MS);
  const maxRequests = positiveInt(env.PARALLEL_AGENTS_BATCH_MAX_REQUESTS, "PARALLEL_AGENTS_BATCH_MAX_REQUESTS");
  const limits = maxRequests ? { maxRequests } : undefined;
  const makeProvider = (): BatchProvider =>
    provider === "anthropic"
      ? createAnthropicBatchProvider({ apiKey, ...(baseUrl ? { baseUrl } : {}), ...(limits ? { limits } : {}) })
      : createOpenAiBatchProvider({ apiKey, ...(baseUrl ? { baseUrl } : {}), ...(limits ? { limits } : {}) });
  let made: BatchPort | undefined;
  return {
    provider,
    repairLive,
    secrets: [apiKey],
    batchPort: () => made,
    portFor(prepared, run) {
      if (!run.loaded?.batchMode)
        run.journal?.append({ t: "batch-mode", provider, ...(repairLive ? { repairLive } : {}), at: Date.now() });
      made = createBatchPort({
        provider: makeProvider(),
        runId: run.runId,
        defaultModel: model,
        ...(run.journal ? { journal: run.journal } : {}),
        ...(run.loaded?.batches ? { known: run.loaded.batches } : {}),
        poll,
        ...(options.onBatch ? { onBatch: options.onBatch } : {}),
      });
      const batch = withPrices(made, prices, { defaultModel: model, discount: BATCH_DISCOUNT });
      if (!repairLive) return batch;
      const live = createOpenAiHttpPort({
        baseUrl: baseUrl ?? "https://api.openai.com/v1",
        apiKey,
        defaultModel: model,
        stream: !hasFlag(args, "no-stream"),
      });
      return routeFollowUpsLive({
        batch,
        live: withPrices(live, prices, { defaultModel: model }),
        maxConcurrent: prepared.params.maxConcurrent ?? CONFIG_DEFAULTS.maxConcurrent,
      });
    },
  };
}

/** `PARALLEL_AGENTS_BATCH_POLL_MS=FIRST[,MAX]`: the first wait between polls and the longest (tests shorten both). */
export function pollOptions(raw: string | undefined): BatchPollOptions {
  if (!raw) return DEFAULT_BATCH_POLL;
  const [first, max] = raw.split(",").map((v) => positiveInt(v.trim(), "PARALLEL_AGENTS_BATCH_POLL_MS"));
  if (!first) return DEFAULT_BATCH_POLL;
  return { initialMs: first, maxMs: Math.max(first, max ?? first * 4) };
}

function positiveInt(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${name}=${raw}: give a whole number of at least 1`);
  return n;
}
