// What the batch port needs from a provider's batch API (OpenAI files + batches, Anthropic Message Batches), and how
// a provider's per-request failure becomes the engine's SessionError.
import { SessionError, type SessionErrorKind, type SessionResult } from "../engine/port.js";
import type { BatchCounts } from "../journal/run-journal.js";

export type BatchProviderName = "openai" | "anthropic";

/** One request as the batch port hands it to a provider. */
export type BatchRequest = { customId: string; model: string; system: string; message: string };

/** A provider's ceiling per batch: requests and bytes of input. */
export type BatchLimits = { maxRequests: number; maxBytes: number };

/** A batch's state as the provider reports it. */
export type BatchState = {
  /** The provider's status word (OpenAI: validating, in_progress, finalizing, completed, failed, expired, cancelling,
   * cancelled; Anthropic: in_progress, canceling, ended). */
  status: string;
  /** True once results (or the reason there are none) can be read. */
  done: boolean;
  counts?: BatchCounts;
  /** Why the batch failed or expired, in the provider's words. */
  reason?: string;
  /** Validation errors by input line (1-based): the request on that line failed for this reason. */
  lineErrors?: ReadonlyMap<number, string>;
  /** How a failed batch ends the requests without an error of their own line. @default "transient" */
  failureKind?: SessionErrorKind;
};

/** One request's result in a finished batch: an answer, or why there is none. */
export type BatchItem = { customId: string; result: SessionResult } | { customId: string; error: SessionError };

export type BatchProvider = {
  readonly name: BatchProviderName;
  readonly limits: BatchLimits;
  /** The request as one line of the provider's input; its bytes count against `limits.maxBytes`. */
  encode(request: BatchRequest): string;
  /** Uploads the lines and creates one batch; `key` goes with it as metadata where the provider keeps any. */
  submit(
    lines: readonly string[],
    meta: { key: string; runId: string },
  ): Promise<{ batchId: string; inputFileId?: string; status: string }>;
  retrieve(batchId: string): Promise<BatchState>;
  /** Every result of a finished batch, as it downloads; requests it has none for are the caller's to settle. */
  results(batchId: string): AsyncIterable<BatchItem>;
  /** The batch an earlier process created under `key` (at or after `since`) before it could journal the id. */
  findByKey?(key: string, since: number): Promise<string | undefined>;
};

/** Longest provider message kept in an error (a failed batch's reason goes to every agent in it). */
export const MAX_MESSAGE_CHARS = 500;

/** `text` cut to `max` characters, saying how much was left out. */
export function capMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** The first three messages joined, then how many more there were. */
export function joinMessages(messages: readonly string[]): string {
  const shown = messages.slice(0, 3).map((m) => capMessage(m));
  return messages.length > 3 ? `${shown.join("; ")}; and ${messages.length - 3} more` : shown.join("; ");
}

/** A submit that certainly created no batch (its input never uploaded): the requests may go out again at once. */
export class BatchNotCreatedError extends Error {
  constructor(readonly failure: SessionError) {
    super(failure.message, { cause: failure });
  }
}

/** A request the provider answered with an HTTP error status: the same classes as a live request's. */
export function statusError(status: number, detail: string): SessionError {
  if (status === 429) return new SessionError("rate_limited", detail, { status });
  if (status === 408 || status === 409 || status >= 500) return new SessionError("transient", detail, { status });
  return new SessionError("fatal", detail, { status });
}

/** A provider call (upload, create, retrieve, download) that threw: by its HTTP status, else a network fault. */
export function providerCallError(error: unknown, what: string): SessionError {
  if (error instanceof SessionError) return error;
  const status = (error as { status?: unknown })?.status;
  const message = capMessage((error as Error)?.message ?? String(error));
  if (typeof status === "number") return statusError(status, `${what}: HTTP ${status}: ${message}`);
  return new SessionError("transient", `${what}: ${message}`, { cause: error });
}

/** Batch statuses after which nothing changes any more (both providers). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["completed", "failed", "expired", "cancelled", "ended"]);
