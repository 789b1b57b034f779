// The batch port of `run --batch` and `wait`, from the flags and the run's journal: the provider (OpenAI's Batch API
// or Anthropic's Message Batches), its key and base URL, the poll schedule, batch prices, and `--repair-live`.
import { ANTHROPIC_BATCH_LIMITS, createAnthropicBatchProvider } from "../batch/anthropic-batch-provider.js";
import type { BatchProvider, BatchProviderName } from "../batch/batch-provider.js";
import {
  createBatchPort,
  DEFAULT_BATCH_POLL,
  type BatchPollOptions,
  type BatchPort,
  type BatchPortEvent,
} from "../batch/batch-port.js";
import { createOpenAiBatchProvider, OPENAI_BATCH_LIMITS } from "../batch/openai-batch-provider.js";
import { routeFollowUpsLive } from "../batch/route-follow-ups.js";
import { CONFIG_DEFAULTS } from "../config.js";
import type { SessionPort } from "../engine/port.js";
import { createOpenAiHttpPort } from "../host/openai-http-port.js";
import { openJournal, type JournalEvent, type LoadedRun } from "../journal/run-journal.js";
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
  /**
   * After the engine has closed the journal: waits (at most `timeoutMs`) for a batch create still in flight, so its id
   * reaches the journal (reopened for it) instead of being lost, then stops the port.
   */
  close: (timeoutMs: number) => Promise<void>;
};

/**
 * Reads the flags (and, for `wait`, what the run's journal says about its provider and `--repair-live`), refusing
 * what batch mode cannot do before anything is sent.
 */
export function batchSetup(
  args: ParsedArgs,
  io: CliIo,
  options: { journaled?: LoadedRun; onBatch?: (event: BatchPortEvent) => void; journalDir?: string } = {},
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
  const runId = options.journaled?.runId;
  const baseUrl =
    urls[0] ??
    (provider === "anthropic" ? env.ANTHROPIC_BASE_URL : (env.PARALLEL_AGENTS_BASE_URL ?? env.OPENAI_BASE_URL)) ??
    journaledMode?.baseUrl;
  // another endpoint or model would give every request another custom_id: each would be sent (and paid for) again
  if (journaledMode?.baseUrl !== undefined && publicUrl(baseUrl) !== journaledMode.baseUrl)
    throw new CliError(
      `--base-url ${publicUrl(baseUrl) ?? "(the provider's default)"}: run ${runId} sent its batches to ${journaledMode.baseUrl}; pass --base-url ${journaledMode.baseUrl} (with its key) to collect them`,
    );
  const apiKey =
    flag(args, "api-key") ??
    (provider === "anthropic"
      ? (env.ANTHROPIC_API_KEY ?? env.PARALLEL_AGENTS_API_KEY)
      : (env.PARALLEL_AGENTS_API_KEY ?? env.OPENAI_API_KEY));
  if (!apiKey)
    throw new CliError(
      `batch mode needs an API key: pass --api-key or set ${provider === "anthropic" ? "ANTHROPIC_API_KEY" : "PARALLEL_AGENTS_API_KEY / OPENAI_API_KEY"}`,
    );
  const askedModel = flag(args, "model");
  if (askedModel && journaledMode?.model && askedModel !== journaledMode.model)
    throw new CliError(
      `--model ${askedModel}: run ${runId} submitted its batches with model ${journaledMode.model}; leave --model out (or pass --model ${journaledMode.model}) to collect them`,
    );
  const model = askedModel ?? journaledMode?.model ?? env.PARALLEL_AGENTS_MODEL ?? env.OPENAI_MODEL;
  if (!model) throw new CliError("no model: pass --model or set PARALLEL_AGENTS_MODEL / OPENAI_MODEL");
  if (repairLive && provider !== "openai")
    throw new CliError("--repair-live runs follow-ups on an OpenAI-compatible endpoint: use it with --provider openai");
  const prices = priceTableOf(flagValues(args, "price"));
  const poll = pollOptions(env.PARALLEL_AGENTS_BATCH_POLL_MS);
  const maxRequests = positiveInt(env.PARALLEL_AGENTS_BATCH_MAX_REQUESTS, "PARALLEL_AGENTS_BATCH_MAX_REQUESTS");
  // a lower cap only: the provider's own is a hard limit
  const cap = provider === "anthropic" ? ANTHROPIC_BATCH_LIMITS.maxRequests : OPENAI_BATCH_LIMITS.maxRequests;
  const limits = maxRequests ? { maxRequests: Math.min(maxRequests, cap) } : undefined;
  const makeProvider = (): BatchProvider =>
    provider === "anthropic"
      ? createAnthropicBatchProvider({ apiKey, ...(baseUrl ? { baseUrl } : {}), ...(limits ? { limits } : {}) })
      : createOpenAiBatchProvider({ apiKey, ...(baseUrl ? { baseUrl } : {}), ...(limits ? { limits } : {}) });
  let made: BatchPort | undefined;
  // events the port writes after the engine closed the journal (a create answered after Ctrl-C)
  let late: { runId: string; events: JournalEvent[] } | undefined;
  let engineDone = false;
  return {
    provider,
    repairLive,
    secrets: [apiKey],
    batchPort: () => made,
    async close(timeoutMs) {
      engineDone = true;
      await made?.drain(timeoutMs);
      made?.close();
      if (!late || late.events.length === 0 || !options.journalDir) return;
      const journal = openJournal(options.journalDir, late.runId, { secrets: [apiKey] });
      try {
        for (const event of late.events) journal.append(event);
      } finally {
        journal.close();
      }
    },
    portFor(prepared, run) {
      if (!run.loaded?.batchMode) {
        const url = publicUrl(baseUrl);
        run.journal?.append({
          t: "batch-mode",
          provider,
          ...(repairLive ? { repairLive } : {}),
          model,
          ...(url ? { baseUrl: url } : {}),
          at: Date.now(),
        });
      }
      const engineJournal = run.journal;
      const pendingLate = { runId: run.runId, events: [] as JournalEvent[] };
      late = pendingLate;
      made = createBatchPort({
        provider: makeProvider(),
        runId: run.runId,
        defaultModel: model,
        ...(engineJournal
          ? {
              journal: {
                append: (event: JournalEvent) =>
                  engineDone ? pendingLate.events.push(event) : engineJournal.append(event),
              },
            }
          : {}),
        ...(hasFlag(args, "resubmit") ? { resubmit: true } : {}),
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

/** A base URL as the journal keeps it: without credentials, query or fragment. */
export function publicUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString().replace(/\/+$/, "");
  } catch {
    return url.split(/[?#]/)[0]!.replace(/\/+$/, "");
  }
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
