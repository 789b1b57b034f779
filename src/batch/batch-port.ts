// A SessionPort over a provider's batch API: `run` never calls the model; it adds the request to a pending set that
// goes out as one batch when no new request arrived for a short while (split at the provider's limits), journals the
// batch before and after the provider creates it, polls it with backoff, and settles each request from the
// downloaded results. A request whose custom_id is in a journaled batch attaches to that batch: nothing is submitted
// twice across processes. The engine sees an ordinary port: extraction, checks, repair and the ladder run as live.
import { capBytes, SessionError, type SessionPort, type SessionResult } from "../engine/port.js";
import type { BatchCounts, JournalEvent, JournaledBatch } from "../journal/run-journal.js";
import {
  providerCallError,
  type BatchItem,
  type BatchProvider,
  type BatchRequest,
  type BatchState,
} from "./batch-provider.js";
import { createCustomIds, submissionKey } from "./custom-id.js";
import { createPendingQueue, type PendingEntry } from "./pending-queue.js";
import { DEFAULT_BATCH_POLL, missingError, watchBatch, type BatchPollOptions } from "./watch-batch.js";

export { DEFAULT_BATCH_POLL, type BatchPollOptions } from "./watch-batch.js";

export type BatchPortOptions = {
  provider: BatchProvider;
  runId: string;
  /** Model of requests that name none. */
  defaultModel: string;
  /** The run's journal: every batch is journaled before and right after the provider creates it. */
  journal?: { append: (event: JournalEvent) => void };
  /** Batches of this run journaled by an earlier process: their requests attach to them, never go out again. */
  known?: readonly JournaledBatch[];
  /** Quiet time after the last request before the pending ones go out. @default 200 */
  flushMs?: number;
  /** Longest a request waits to go out while others keep arriving. @default 2000 */
  maxFlushDelayMs?: number;
  /** @default DEFAULT_BATCH_POLL */
  poll?: BatchPollOptions;
  /** Batch life events: for progress lines and for detaching once everything is submitted. */
  onBatch?: (event: BatchPortEvent) => void;
  now?: () => number;
};

export type BatchPortEvent =
  | { type: "submitted"; batchId: string; requests: number }
  | { type: "submit-failed"; requests: number; reason: string }
  | { type: "status"; batchId: string; status: string; counts?: BatchCounts; reason?: string }
  | { type: "downloaded"; batchId: string; requests: number };

/** A batch as the port tracks it: the journal's record, the requests waiting on it, and its poll. */
export type TrackedBatch = JournaledBatch & {
  waiting: number;
  polling: boolean;
  downloaded: boolean;
  reconciling: boolean;
  wake?: () => void;
};

export type BatchPort = SessionPort & {
  /** Requests pending or being submitted: 0 once everything asked for is in a batch. */
  unsubmitted: () => number;
  /** Every batch this process knows of (journaled earlier or submitted now). */
  batches: () => readonly TrackedBatch[];
  /** Stops polls and timers; requests still waiting end aborted. */
  close: () => void;
};

type Waiter = {
  customId: string;
  request: BatchRequest;
  maxOutputBytes: number;
  signal: AbortSignal;
  resolve: (result: SessionResult) => void;
  reject: (error: SessionError) => void;
  onAbort: () => void;
  batch?: TrackedBatch;
  queued?: PendingEntry<Queued>;
};

type Queued = { waiter: Waiter; line: string };

export function createBatchPort(options: BatchPortOptions): BatchPort {
  const { provider } = options;
  const now = options.now ?? Date.now;
  const poll = options.poll ?? DEFAULT_BATCH_POLL;
  const customIdOf = createCustomIds(options.runId);
  const waiters = new Map<string, Waiter>();
  const batchOf = new Map<string, TrackedBatch>(); // custom_id -> the batch it went out in
  const tracked: TrackedBatch[] = [];
  const leftovers = new Map<string, BatchItem>(); // results downloaded before (or without) a request waiting for them
  let submitting = 0;
  let closed = false;

  const emit = (event: BatchPortEvent) => {
    try {
      options.onBatch?.(event);
    } catch {
      // a progress listener must never break the run
    }
  };
  const track = (batch: JournaledBatch): TrackedBatch => {
    const t: TrackedBatch = { ...batch, waiting: 0, polling: false, downloaded: false, reconciling: false };
    tracked.push(t);
    for (const id of t.customIds) batchOf.set(id, t);
    return t;
  };
  for (const batch of options.known ?? []) track(batch);

  /** Settles a waiting request once: its answer capped to its byte limit, or its error. */
  const finish = (waiter: Waiter, item: BatchItem) => {
    if (waiters.get(waiter.customId) !== waiter) return;
    waiters.delete(waiter.customId);
    waiter.signal.removeEventListener("abort", waiter.onAbort);
    leave(waiter);
    if ("error" in item) return waiter.reject(item.error);
    const cut = capBytes(item.result.text, waiter.maxOutputBytes);
    waiter.resolve({ ...item.result, text: cut.text, ...(cut.truncated ? { truncated: true } : {}) });
  };
  const leave = (waiter: Waiter) => {
    const batch = waiter.batch;
    waiter.batch = undefined;
    if (!batch) return;
    batch.waiting--;
    if (batch.waiting === 0) batch.wake?.(); // nobody waits: its poll stops
  };
  const settle = (item: BatchItem) => {
    const waiter = waiters.get(item.customId);
    if (waiter) finish(waiter, item);
    else leftovers.set(item.customId, item);
  };

  const pending = createPendingQueue<Queued>({
    limits: provider.limits,
    flushMs: options.flushMs ?? 200,
    maxFlushDelayMs: options.maxFlushDelayMs ?? 2000,
    send: (group) => {
      for (const { waiter } of group) waiter.queued = undefined;
      void submit(group);
    },
  });

  const enqueue = (waiter: Waiter) => {
    const line = provider.encode(waiter.request);
    const bytes = Buffer.byteLength(line) + 1;
    if (bytes > provider.limits.maxBytes)
      return finish(waiter, {
        customId: waiter.customId,
        error: new SessionError(
          "fatal",
          `the request is ${bytes} bytes, more than a ${provider.name} batch holds (${provider.limits.maxBytes})`,
        ),
      });
    waiter.queued = pending.add({ waiter, line }, bytes);
  };

  async function submit(entries: Queued[]) {
    const customIds = entries.map((e) => e.waiter.customId);
    const key = submissionKey(options.runId, customIds);
    const batch = track({ key, provider: provider.name, customIds, submittedAt: now(), status: "submitting" });
    for (const { waiter } of entries) {
      if (waiters.get(waiter.customId) !== waiter) continue; // aborted meanwhile: submitted all the same
      waiter.batch = batch;
      batch.waiting++;
    }
    // the intent first: a process that dies before the provider's answer finds the batch again by its key
    options.journal?.append({ t: "batch-intent", key, provider: provider.name, customIds, at: now() });
    submitting += customIds.length;
    try {
      let created: { batchId: string; inputFileId?: string; status: string };
      try {
        created = await provider.submit(
          entries.map((e) => e.line),
          { key, runId: options.runId },
        );
      } catch (error) {
        // the provider may have created it before the answer was lost: never create it a second time
        const found = await provider.findByKey?.(key, batch.submittedAt).catch(() => undefined);
        if (!found) throw error;
        created = { batchId: found, status: "submitted" };
      }
      batch.batchId = created.batchId;
      batch.status = created.status;
      if (created.inputFileId) batch.inputFileId = created.inputFileId;
      options.journal?.append({
        t: "batch",
        key,
        provider: provider.name,
        batchId: created.batchId,
        ...(created.inputFileId ? { inputFileId: created.inputFileId } : {}),
        status: created.status,
        at: now(),
      });
      submitting -= customIds.length;
      emit({ type: "submitted", batchId: created.batchId, requests: customIds.length });
      startPolling(batch, poll.initialMs);
    } catch (error) {
      submitting -= customIds.length;
      const failure = providerCallError(error, `submitting a ${provider.name} batch`);
      batch.status = "not created";
      batch.reason = failure.message;
      for (const id of customIds) if (batchOf.get(id) === batch) batchOf.delete(id);
      for (const id of customIds) {
        const waiter = waiters.get(id);
        if (waiter) finish(waiter, { customId: id, error: failure });
      }
      emit({ type: "submit-failed", requests: customIds.length, reason: failure.message });
    }
  }

  /** An intent journaled by a process that died before the provider answered: adopt its batch, or send it again. */
  async function reconcile(batch: TrackedBatch) {
    if (batch.reconciling) return;
    batch.reconciling = true;
    const found = await provider.findByKey?.(batch.key, batch.submittedAt).catch(() => undefined);
    if (found) {
      batch.batchId = found;
      batch.status = "submitted";
      options.journal?.append({
        t: "batch",
        key: batch.key,
        provider: provider.name,
        batchId: found,
        status: batch.status,
        at: now(),
      });
      return startPolling(batch, 0);
    }
    batch.status = "not created";
    for (const id of batch.customIds) {
      if (batchOf.get(id) === batch) batchOf.delete(id);
      const waiter = waiters.get(id);
      if (waiter?.batch !== batch) continue;
      leave(waiter);
      enqueue(waiter);
    }
  }

  function startPolling(batch: TrackedBatch, firstDelayMs: number) {
    if (batch.polling || batch.downloaded || !batch.batchId) return;
    batch.polling = true;
    const batchId = batch.batchId;
    const seen = new Set<string>();
    void watchBatch(batchId, {
      provider,
      poll,
      firstDelayMs,
      wanted: () => !closed && batch.waiting > 0,
      setWake: (wake) => {
        batch.wake = wake;
      },
      onState: (state) => note(batch, state),
      onItem: (item) => {
        if (batchOf.get(item.customId) !== batch || seen.has(item.customId)) return;
        seen.add(item.customId);
        settle(item);
      },
      onDone: (state) => {
        batch.customIds.forEach((id, i) => {
          if (!seen.has(id) && batchOf.get(id) === batch)
            settle({ customId: id, error: missingError(batchId, state, i + 1) });
        });
        batch.downloaded = true;
        emit({ type: "downloaded", batchId, requests: seen.size });
      },
      // the provider could not be read: the requests end aborted (their agents cancelled, so a later `wait`
      // attaches to the same batch again); the batch itself goes on at the provider
      onLost: (failure) => {
        const error = new SessionError(
          "aborted",
          `${failure.message}; batch ${batchId} goes on at the provider: wait for the run again to collect it`,
          { cause: failure },
        );
        for (const id of batch.customIds) {
          const waiter = waiters.get(id);
          if (waiter && !seen.has(id) && waiter.batch === batch) finish(waiter, { customId: id, error });
        }
      },
    }).finally(() => {
      batch.polling = false;
    });
  }

  /** Journals and reports a batch's state when it changed. */
  const note = (batch: TrackedBatch, state: BatchState) => {
    const counts = state.counts;
    const same =
      batch.status === state.status &&
      batch.counts?.completed === counts?.completed &&
      batch.counts?.failed === counts?.failed &&
      batch.counts?.total === counts?.total;
    batch.status = state.status;
    if (counts) batch.counts = counts;
    if (state.reason) batch.reason = state.reason;
    if (same) return;
    const event = {
      batchId: batch.batchId!,
      status: state.status,
      ...(counts ? { counts } : {}),
      ...(state.reason ? { reason: state.reason } : {}),
    };
    options.journal?.append({ t: "batch-status", ...event, at: now() });
    emit({ type: "status", ...event });
  };

  return {
    name: `${provider.name}-batch`,
    queues: true,
    run(request) {
      const model = request.model ?? options.defaultModel;
      const customId = customIdOf(request, model);
      if (closed || request.signal.aborted)
        return Promise.reject(new SessionError("aborted", "cancelled before it was submitted"));
      const leftover = leftovers.get(customId);
      return new Promise<SessionResult>((resolve, reject) => {
        if (waiters.has(customId))
          return reject(new SessionError("fatal", `request ${customId} is already waiting on a batch`));
        const waiter: Waiter = {
          customId,
          request: { customId, model, system: request.system, message: request.message },
          maxOutputBytes: request.maxOutputBytes,
          signal: request.signal,
          resolve,
          reject,
          onAbort: () => {
            if (waiters.get(customId) !== waiter) return;
            waiters.delete(customId);
            if (waiter.queued) pending.drop(waiter.queued);
            leave(waiter);
            reject(new SessionError("aborted", "the run stopped waiting for this batch request"));
          },
        };
        waiters.set(customId, waiter);
        request.signal.addEventListener("abort", waiter.onAbort, { once: true });
        if (leftover) {
          leftovers.delete(customId);
          return finish(waiter, leftover);
        }
        const batch = batchOf.get(customId);
        if (!batch) return enqueue(waiter);
        waiter.batch = batch;
        batch.waiting++;
        if (batch.downloaded)
          return finish(waiter, {
            customId,
            error: missingError(batch.batchId, { status: batch.status, done: true }, 0),
          });
        if (!batch.batchId) return void reconcile(batch);
        startPolling(batch, 0);
      });
    },
    unsubmitted: () => pending.size() + submitting,
    batches: () => tracked,
    close() {
      closed = true;
      pending.close();
      for (const batch of tracked) batch.wake?.();
      for (const waiter of [...waiters.values()])
        finish(waiter, {
          customId: waiter.customId,
          error: new SessionError("aborted", "the batch port was closed before this request's result arrived"),
        });
    },
  };
}
