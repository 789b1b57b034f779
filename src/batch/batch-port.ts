// A SessionPort over a provider's batch API: `run` never calls the model; it adds the request to a pending set that
// goes out as one batch when no new request arrived for a short while (split at the provider's limits), journals the
// batch before and after the provider creates it, polls it with backoff, and settles each request from the
// downloaded results. A request whose custom_id is in a journaled batch attaches to that batch: nothing is submitted
// twice across processes. The engine sees an ordinary port: extraction, checks, repair and the ladder run as live.
import { capBytes, SessionError, type SessionPort, type SessionResult } from "../engine/port.js";
import type { BatchCounts, JournalEvent, JournaledBatch } from "../journal/run-journal.js";
import {
  BatchNotCreatedError,
  capMessage,
  providerCallError,
  type BatchItem,
  type BatchProvider,
  type BatchRequest,
  type BatchState,
} from "./batch-provider.js";
import { createCustomIds, slotOf, submissionKey } from "./custom-id.js";
import { createPendingQueue, type PendingEntry } from "./pending-queue.js";
import {
  DEFAULT_BATCH_POLL,
  MAX_BATCH_WAIT_MS,
  missingError,
  watchBatch,
  type BatchPollOptions,
} from "./watch-batch.js";

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
  /** Submit again what may already be at the provider: an agent attempt whose prompt changed since its journaled
   * submission, an intent without an id the provider cannot look up by key. @default false */
  resubmit?: boolean;
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
  /** Why its requests cannot be collected now (an intent without an id that could not be found): they end aborted. */
  stranded?: string;
  wake?: () => void;
};

export type BatchPort = SessionPort & {
  /** Requests pending or being submitted: 0 once everything asked for is in a batch. */
  unsubmitted: () => number;
  /** Every batch this process knows of (journaled earlier or submitted now). */
  batches: () => readonly TrackedBatch[];
  /** Stops polls and timers; requests still waiting end aborted. */
  close: () => void;
  /** Resolves once no batch create is in flight (its id journaled), or after `timeoutMs`. */
  drain: (timeoutMs: number) => Promise<void>;
};

type Waiter = {
  customId: string;
  slot?: string;
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
  const leftovers = new Map<string, BatchItem>(); // results downloaded before a request waiting for them arrived
  const abandoned = new Set<string>(); // requests their agent stopped waiting for: a late result is dropped
  let leftoverCap = 1 << 20; // the largest output cap asked for: a leftover answer is cut to it at download
  const inFlight = new Set<Promise<void>>();
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
  // every custom_id journaled for an agent attempt in a batch that exists (or may): a different id for the same
  // attempt means its prompt or model changed, and sending it would pay twice for one answer
  const submittedAs = new Map<string, { customId: string; batch: TrackedBatch }>();
  for (const batch of tracked)
    if (batch.status !== "not created")
      batch.slots?.forEach((slot, i) => {
        if (slot) submittedAs.set(slot, { customId: batch.customIds[i]!, batch });
      });

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
    if (waiter) return finish(waiter, item);
    if (abandoned.has(item.customId)) return;
    if ("error" in item) return void leftovers.set(item.customId, item);
    const cut = capBytes(item.result.text, leftoverCap);
    leftovers.set(item.customId, { customId: item.customId, result: { ...item.result, text: cut.text } });
  };
  /** Ends the requests of `batch` still waiting on it as aborted: a later `wait` can collect them. */
  const letGo = (batch: TrackedBatch, message: string, except?: ReadonlySet<string>) => {
    const error = new SessionError("aborted", message);
    for (const id of batch.customIds) {
      const waiter = waiters.get(id);
      if (waiter && waiter.batch === batch && !except?.has(id)) finish(waiter, { customId: id, error });
    }
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

  function submit(entries: Queued[]) {
    const done = submitOnce(entries).finally(() => inFlight.delete(done));
    inFlight.add(done);
  }

  async function submitOnce(entries: Queued[]) {
    const customIds = entries.map((e) => e.waiter.customId);
    const slots = entries.map((e) => e.waiter.slot ?? null);
    const key = submissionKey(options.runId, customIds);
    const batch = track({ key, provider: provider.name, customIds, slots, submittedAt: now(), status: "submitting" });
    for (const { waiter } of entries) {
      if (waiters.get(waiter.customId) !== waiter) continue; // aborted meanwhile: submitted all the same
      waiter.batch = batch;
      batch.waiting++;
    }
    // the intent first: a process that dies before the provider's answer finds the batch again by its key
    const hasSlots = slots.some((slot) => slot !== null);
    options.journal?.append({
      t: "batch-intent",
      key,
      provider: provider.name,
      customIds,
      ...(hasSlots ? { slots } : {}),
      at: now(),
    });
    submitting += customIds.length;
    let created: { batchId: string; inputFileId?: string; status: string } | undefined;
    let failure: SessionError | undefined;
    try {
      created = await provider.submit(
        entries.map((e) => e.line),
        { key, runId: options.runId },
      );
    } catch (error) {
      const refused = refusalOf(error);
      if (refused) failure = refused;
      else {
        // the provider may have created it before the answer was lost: never create it a second time
        const lost = providerCallError(error, `creating the ${provider.name} batch`);
        const found = await lookUp(batch, lost.message);
        if (found) created = { batchId: found, status: "submitted" };
        else {
          submitting -= customIds.length;
          emit({ type: "submit-failed", requests: customIds.length, reason: batch.stranded ?? lost.message });
          return;
        }
      }
    }
    submitting -= customIds.length;
    if (created) return adopt(batch, created, poll.initialMs);
    const reason = failure!.message;
    batch.status = "not created";
    batch.reason = reason;
    options.journal?.append({ t: "batch-refused", key, reason, at: now() });
    for (const id of customIds) if (batchOf.get(id) === batch) batchOf.delete(id);
    for (const id of customIds) {
      const waiter = waiters.get(id);
      if (waiter) finish(waiter, { customId: id, error: failure! });
    }
    emit({ type: "submit-failed", requests: customIds.length, reason });
  }

  /** The create's answer is known: journal the id and poll it. */
  function adopt(
    batch: TrackedBatch,
    created: { batchId: string; inputFileId?: string; status: string },
    delay: number,
  ) {
    batch.batchId = created.batchId;
    batch.status = created.status;
    batch.stranded = undefined;
    if (created.inputFileId) batch.inputFileId = created.inputFileId;
    options.journal?.append({
      t: "batch",
      key: batch.key,
      provider: provider.name,
      batchId: created.batchId,
      ...(created.inputFileId ? { inputFileId: created.inputFileId } : {}),
      status: created.status,
      at: now(),
    });
    emit({ type: "submitted", batchId: created.batchId, requests: batch.customIds.length });
    startPolling(batch, delay);
  }

  /**
   * The batch of an intent whose create answer never arrived, by its key; undefined when it cannot be found now (its
   * requests then end aborted and the intent stays pending, so nothing is ever created twice).
   */
  async function lookUp(batch: TrackedBatch, why: string): Promise<string | undefined> {
    if (!provider.findByKey) return void strand(batch, `${why}; ${NO_LOOKUP(provider.name)}`);
    try {
      const found = await provider.findByKey(batch.key, batch.submittedAt);
      if (found) return found;
      strand(batch, `${why}; no batch with key ${batch.key} found (yet): wait for the run again to look once more`);
    } catch (error) {
      strand(batch, `${why}; ${lookupFailed(error, batch.key)}`);
    }
    return undefined;
  }

  /** The batch of `batch` cannot be collected now: its requests end aborted (a later `wait` looks again). */
  function strand(batch: TrackedBatch, message: string) {
    batch.stranded = message;
    letGo(batch, message);
  }

  /** An intent journaled by a process that died before the provider answered: adopt its batch; send it again only
   * when the provider says it does not exist, or the user asked with --resubmit. */
  async function reconcile(batch: TrackedBatch) {
    if (batch.reconciling) return;
    batch.reconciling = true;
    const why = `batch key ${batch.key} was being created when an earlier process stopped`;
    let found: string | undefined;
    let missing = options.resubmit === true;
    if (!missing && !provider.findByKey) strand(batch, `${why}; ${NO_LOOKUP(provider.name)}`);
    else if (!missing && provider.findByKey)
      try {
        found = await provider.findByKey(batch.key, batch.submittedAt);
        missing = !found;
      } catch (error) {
        strand(batch, `${why}; ${lookupFailed(error, batch.key)}`);
      }
    batch.reconciling = false;
    if (found) return adopt(batch, { batchId: found, status: "submitted" }, 0);
    if (!missing) return;
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
      deadline: batch.submittedAt + MAX_BATCH_WAIT_MS,
      now,
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
      const slot = slotOf(request);
      if (closed || request.signal.aborted)
        return Promise.reject(new SessionError("aborted", "cancelled before it was submitted"));
      leftoverCap = Math.max(leftoverCap, request.maxOutputBytes);
      const earlier = slot ? submittedAs.get(slot) : undefined;
      if (earlier && earlier.customId !== customId && !batchOf.has(customId) && !options.resubmit)
        return Promise.reject(
          new SessionError(
            "fatal",
            `${slot}: its prompt or model changed since submission (now ${customId}, submitted as ${earlier.customId} in ${earlier.batch.batchId ? `batch ${earlier.batch.batchId}` : `batch key ${earlier.batch.key}`}); the submitted batch is kept: pass --resubmit to wait to pay for it again`,
          ),
        );
      const leftover = leftovers.get(customId);
      return new Promise<SessionResult>((resolve, reject) => {
        if (waiters.has(customId))
          return reject(new SessionError("fatal", `request ${customId} is already waiting on a batch`));
        const waiter: Waiter = {
          customId,
          ...(slot ? { slot } : {}),
          request: { customId, model, system: request.system, message: request.message },
          maxOutputBytes: request.maxOutputBytes,
          signal: request.signal,
          resolve,
          reject,
          onAbort: () => {
            if (waiters.get(customId) !== waiter) return;
            waiters.delete(customId);
            abandoned.add(customId);
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
        if (batch.stranded && !batch.reconciling)
          return finish(waiter, { customId, error: new SessionError("aborted", batch.stranded) });
        if (!batch.batchId) return void reconcile(batch);
        startPolling(batch, 0);
      });
    },
    unsubmitted: () => pending.size() + submitting,
    batches: () => tracked,
    async drain(timeoutMs) {
      if (inFlight.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
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

/** Why an intent without an id is not sent again where the provider keeps no key to find its batch by. */
const NO_LOOKUP = (provider: string) =>
  `${provider} cannot look a batch up by its key, so it may exist (and be billed) without its id in the journal: ` +
  "check the provider's console, then pass --resubmit to wait to submit these requests again";

const lookupFailed = (error: unknown, key: string) =>
  `looking up batch key ${key}: ${capMessage((error as Error)?.message ?? String(error))}: wait for the run again to look once more`;

/** A create the provider certainly refused (nothing exists): the upload failed, or a 4xx other than 408/409. */
function refusalOf(error: unknown): SessionError | undefined {
  if (error instanceof BatchNotCreatedError) return error.failure;
  const status = (error as { status?: unknown })?.status;
  if (typeof status !== "number" || status < 400 || status >= 500 || status === 408 || status === 409) return undefined;
  return providerCallError(error, "creating the batch");
}
