// Follows one submitted batch: polls it with backoff while anyone waits on it, then streams its results; and says
// why a request of an ended batch has no result. The batch port decides what each outcome means for its requests.
import { SessionError } from "../engine/port.js";
import { providerCallError, type BatchItem, type BatchProvider, type BatchState } from "./batch-provider.js";

export type BatchPollOptions = {
  /** Wait before the first poll of a new batch, then after each poll ×1.5. @default 5000 */
  initialMs: number;
  /** Longest wait between polls. @default 60000 */
  maxMs: number;
};

export const DEFAULT_BATCH_POLL: BatchPollOptions = { initialMs: 5000, maxMs: 60_000 };

/** Polls in a row that may fail (network, 5xx) before the waiting requests are let go (re-attachable later). */
export const MAX_POLL_FAILURES = 5;

/** How long after its submission a batch is waited for: the providers' 24 h window and 2 h for finalizing. */
export const MAX_BATCH_WAIT_MS = 26 * 3600_000;

/** Statuses of a poll that no retry mends: the key is refused, or the batch is not at this endpoint. */
const HOPELESS: Readonly<Record<number, string>> = {
  401: "the provider refused the API key: pass the key that created the batch",
  403: "the provider refused the API key: pass the key that created the batch",
  404: "the provider does not know this batch: pass the --base-url and key that created it",
};

export type WatchOptions = {
  provider: BatchProvider;
  poll: BatchPollOptions;
  /** Wait before the first poll (0: a batch journaled by an earlier process, which may have ended long ago). */
  firstDelayMs: number;
  /** False once nobody waits on the batch or the port closed: the watch ends at its next step. */
  wanted: () => boolean;
  /** Receives the function that cuts the current pause short (undefined when none runs). */
  setWake: (wake: (() => void) | undefined) => void;
  /** Every state polled. */
  onState: (state: BatchState) => void;
  /** Each result as it downloads. */
  onItem: (item: BatchItem) => void;
  /** The batch ended and its results are all read. */
  onDone: (state: BatchState) => void;
  /** The provider could not be read (polls failing in a row, a refused key, the download), or the batch outlived
   * `deadline`. */
  onLost: (failure: SessionError) => void;
  /** When to stop waiting for a batch that has not ended (ms since the epoch). @default no limit */
  deadline?: number;
  now?: () => number;
};

export async function watchBatch(batchId: string, options: WatchOptions): Promise<void> {
  const { poll, provider } = options;
  let delay = options.firstDelayMs;
  let failures = 0;
  for (;;) {
    if (!options.wanted()) return;
    if (delay > 0) await pause(delay, options.setWake);
    if (!options.wanted()) return;
    delay = Math.min(poll.maxMs, Math.max(poll.initialMs, delay * 1.5));
    let state: BatchState;
    try {
      state = await provider.retrieve(batchId);
      failures = 0;
    } catch (error) {
      const failure = providerCallError(error, `reading batch ${batchId}`);
      const hopeless = failure.status !== undefined ? HOPELESS[failure.status] : undefined;
      if (hopeless) return options.onLost(new SessionError("aborted", `${failure.message}: ${hopeless}`));
      if (++failures < MAX_POLL_FAILURES) continue;
      return options.onLost(failure);
    }
    options.onState(state);
    if (!state.done && options.deadline !== undefined && (options.now ?? Date.now)() > options.deadline)
      return options.onLost(
        new SessionError(
          "aborted",
          `batch ${batchId} is still ${state.status} ${Math.round(MAX_BATCH_WAIT_MS / 3600_000)} h after it went out: stopped waiting (cancel it at the provider, or wait again)`,
        ),
      );
    if (!state.done) continue;
    try {
      for await (const item of provider.results(batchId)) options.onItem(item);
    } catch (error) {
      return options.onLost(providerCallError(error, `downloading the results of batch ${batchId}`));
    }
    return options.onDone(state);
  }
}

function pause(ms: number, setWake: WatchOptions["setWake"]): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      setWake(undefined);
      resolve();
    };
    const timer = setTimeout(done, ms);
    setWake(done);
  });
}

/** Why a request of an ended batch has no result: its input line's error (1-based), else the batch's own end. */
export function missingError(batchId: string | undefined, state: BatchState, line: number): SessionError {
  const lineError = state.lineErrors?.get(line);
  if (lineError) return new SessionError("fatal", `batch ${batchId} refused this request (line ${line}): ${lineError}`);
  switch (state.status) {
    case "failed":
      // the batch failed as a whole (its size, the token queue): this request was fine, so a follow-up batch retries it
      return new SessionError(
        state.failureKind ?? "transient",
        `batch ${batchId} failed: ${state.reason ?? "the provider gave no reason"}`,
      );
    case "expired":
      return new SessionError(
        "fatal",
        `batch ${batchId} expired before this request ran${state.reason ? ` (${state.reason})` : ""}`,
      );
    case "cancelled":
      return new SessionError("fatal", `batch ${batchId} was cancelled before this request ran`);
    default:
      return new SessionError("fatal", `batch ${batchId} ended ${state.status} without a result for this request`);
  }
}
