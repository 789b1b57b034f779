// A run's journal: one JSONL file per run, appended as the run goes; every final outcome is on disk before it is
// reported. Secret values never enter it; a torn last line (a crash mid-write) is tolerated on read and on append.
import { ParallelAgentsError } from "../errors.js";
import fs from "node:fs";
import path from "node:path";
import { isReusable, type AgentResult } from "../engine/outcome.js";
import { createRedactor, stringifyRedacted } from "./redact-secrets.js";

export type JournalEvent =
  | {
      t: "run-start";
      runId: string;
      tool: string;
      params: unknown;
      at: number /** the calling agent, inside OpenClaw */;
      owner?: string;
    }
  | { t: "attempt"; index: number; attempt: unknown; at: number }
  | { t: "agent-end"; result: AgentResult; at: number }
  | {
      t: "run-end";
      counts: unknown;
      stopReason?: string /** how it stopped early, if it did */;
      stopKind?: string;
      at: number;
    }
  | { t: "resume"; at: number }
  /** orchestrate: the checked plan, so a resume never plans again */
  | { t: "plan"; plan: unknown; at: number }
  /** refine_agent: one requested agent's final result */
  | { t: "item"; index: number; value: unknown; at: number }
  /** batch mode: the provider and how follow-up attempts run, written once when the run starts */
  | {
      t: "batch-mode";
      provider: string;
      repairLive?: boolean;
      /** the model of requests that name none: `wait` refuses another (it would change every custom_id) */
      model?: string;
      /** the endpoint, without credentials or query: `wait` refuses another */
      baseUrl?: string;
      at: number;
    }
  /** batch mode: requests about to be submitted as one batch (written before the provider is asked); `slots[i]` is
   * the agent attempt ("agent 3 attempt 1") `customIds[i]` belongs to, null for a request outside the scheduler */
  | { t: "batch-intent"; key: string; provider: string; customIds: string[]; slots?: Array<string | null>; at: number }
  /** batch mode: the provider refused to create the batch of that intent (a definite 4xx): nothing of it exists */
  | { t: "batch-refused"; key: string; reason: string; at: number }
  /** batch mode: the provider created the batch of that intent; this id is never created again */
  | { t: "batch"; key: string; provider: string; batchId: string; inputFileId?: string; status: string; at: number }
  /** batch mode: a batch's state as last seen (written when it changes) */
  | { t: "batch-status"; batchId: string; status: string; counts?: BatchCounts; reason?: string; at: number };

/** A provider batch's request counts: done ok, failed, and in all. */
export type BatchCounts = { completed: number; failed: number; total: number };

/** One provider batch of a batch-mode run, as its journal holds it. */
export type JournaledBatch = {
  /** The submission's key (also sent as the batch's metadata), journaled before the provider is asked. */
  key: string;
  provider: string;
  /** The provider's id; absent when the process stopped between the intent and the provider's answer. */
  batchId?: string;
  inputFileId?: string;
  /** The requests in it, in file order. */
  customIds: string[];
  /** The agent attempt of each request (null outside the scheduler); absent in journals written before it was kept. */
  slots?: Array<string | null>;
  submittedAt: number;
  /** The state last seen ("submitting" before the provider answered). */
  status: string;
  counts?: BatchCounts;
  /** Why it failed or expired, in the provider's words. */
  reason?: string;
};

/** Open for appending until `close()` (or the end of a `using` scope); later events are dropped. */
export type RunJournal = Disposable & { file: string; append: (event: JournalEvent) => void; close: () => void };

export type JournalOptions = {
  /** Secret values (e.g. the API key in use) cut out of every string written; those under 8 characters are ignored. @default [] */
  secrets?: ReadonlyArray<string | undefined>;
};

/** Journals kept per folder: the oldest are removed when a new run starts. */
export const MAX_JOURNALS = 500;

/** Removes the oldest journals (by modification time) beyond `keep`. */
export function pruneJournals(dir: string, keep: number): number {
  if (!fs.existsSync(dir)) return 0;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  const old = files.slice(Math.max(0, keep));
  for (const { f } of old) fs.rmSync(path.join(dir, f), { force: true });
  return old.length;
}

export function journalFile(dir: string, runId: string): string {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(runId)) throw new Error(`invalid run id "${runId}": letters, digits, - and _ only`);
  return path.join(dir, `${runId}.jsonl`);
}

/**
 * Journals open for writing in this process, by file: their runs are still going, so a resume must not start them a
 * second time (the host may think a call lost that is still running, and ask to resume it).
 */
const liveJournals = new Set<string>();

/** True while a run's journal is open for writing in this process (the run is still going). */
export function isRunLive(dir: string, runId: string): boolean {
  return liveJournals.has(journalFile(dir, runId));
}

export function openJournal(dir: string, runId: string, options: JournalOptions = {}): RunJournal {
  fs.mkdirSync(dir, { recursive: true });
  const file = journalFile(dir, runId);
  const redact = createRedactor(options.secrets);
  let fd: number | undefined = fs.openSync(file, "a+");
  liveJournals.add(file);
  const close = () => {
    if (fd === undefined) return;
    const open = fd;
    fd = undefined;
    liveJournals.delete(file);
    fs.closeSync(open);
  };
  try {
    // a torn last line (a crash mid-write) must not swallow the next event: it starts on a line of its own
    if (!endsWithNewline(fd)) fs.writeSync(fd, "\n");
  } catch (error) {
    close();
    throw error;
  }
  return {
    file,
    append(event) {
      // after close the number may already name another file: a late event (of a run that failed) is dropped
      if (fd === undefined) return;
      fs.writeSync(fd, `${stringifyRedacted(event, redact)}\n`);
      // everything but attempt bookkeeping must survive a crash right after it is written: outcomes, the plan, items.
      // A cancelled or skipped outcome is never reused by a resume, so losing it changes nothing: written, not synced
      // (a batch run that detaches ends thousands of agents cancelled at once)
      if (event.t !== "attempt" && !(event.t === "agent-end" && !isReusable(event.result))) fs.fsyncSync(fd);
    },
    close,
    [Symbol.dispose]: close,
  };
}

function endsWithNewline(fd: number): boolean {
  const { size } = fs.fstatSync(fd);
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

export type LoadedRun = {
  runId: string;
  tool: string;
  owner?: string;
  params: unknown;
  startedAt: number;
  /** How the run stopped early when it ended (cancelled, deadline, first, budget, refused), if it did. */
  stopKind?: string;
  results: Map<number, AgentResult>;
  ended: boolean;
  counts?: unknown;
  events: number;
  tornLines: number;
  plan?: unknown;
  items: Map<number, unknown>;
  /** Batch mode: the provider and whether follow-up attempts run live; absent for live runs. */
  batchMode?: { provider: string; repairLive: boolean; model?: string; baseUrl?: string };
  /** Batch mode: every batch submitted, in order; absent when none was. */
  batches?: JournaledBatch[];
};

export function readJournal(file: string): LoadedRun {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  let start: Extract<JournalEvent, { t: "run-start" }> | undefined;
  const results = new Map<number, AgentResult>();
  let ended = false;
  let counts: unknown;
  let events = 0;
  let tornLines = 0;
  let plan: unknown;
  let stopKind: string | undefined;
  const items = new Map<number, unknown>();
  let batchMode: LoadedRun["batchMode"];
  const batches = new Map<string, JournaledBatch>();
  const batchById = new Map<string, JournaledBatch>();
  for (const line of lines) {
    if (line.trim() === "") continue;
    let event: JournalEvent;
    try {
      event = JSON.parse(line) as JournalEvent;
    } catch {
      tornLines++; // a crash mid-write leaves a partial line
      continue;
    }
    events++;
    if (event.t === "run-start") start ??= event;
    else if (event.t === "agent-end") results.set(event.result.index, event.result);
    else if (event.t === "run-end") {
      ended = true;
      counts = event.counts;
      stopKind = event.stopKind;
    } else if (event.t === "resume") {
      ended = false;
      stopKind = undefined;
    } else if (event.t === "plan") plan = event.plan;
    else if (event.t === "item") items.set(event.index, event.value);
    else if (event.t === "batch-mode")
      batchMode = {
        provider: event.provider,
        repairLive: event.repairLive === true,
        ...(event.model ? { model: event.model } : {}),
        ...(event.baseUrl ? { baseUrl: event.baseUrl } : {}),
      };
    else if (event.t === "batch-intent")
      batches.set(event.key, {
        key: event.key,
        provider: event.provider,
        customIds: event.customIds,
        ...(event.slots ? { slots: event.slots } : {}),
        submittedAt: event.at,
        status: "submitting",
      });
    else if (event.t === "batch-refused") {
      const batch = batches.get(event.key);
      if (batch && !batch.batchId) {
        batch.status = "not created";
        batch.reason = event.reason;
      }
    } else if (event.t === "batch") {
      const batch = batches.get(event.key);
      if (!batch) continue;
      batch.batchId = event.batchId;
      if (event.inputFileId) batch.inputFileId = event.inputFileId;
      batch.status = event.status;
      batchById.set(event.batchId, batch);
    } else if (event.t === "batch-status") {
      const batch = batchById.get(event.batchId);
      if (!batch) continue;
      batch.status = event.status;
      if (event.counts) batch.counts = event.counts;
      if (event.reason) batch.reason = event.reason;
    }
  }
  if (!start) throw new Error(`${file} has no run-start event`);
  return {
    runId: start.runId,
    tool: start.tool,
    ...(start.owner ? { owner: start.owner } : {}),
    params: start.params,
    startedAt: start.at,
    ...(stopKind ? { stopKind } : {}),
    results,
    ended,
    counts,
    events,
    tornLines,
    plan,
    items,
    ...(batchMode ? { batchMode } : {}),
    ...(batches.size > 0 ? { batches: [...batches.values()] } : {}),
  };
}

export function listRuns(dir: string): LoadedRun[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) => {
      try {
        return [readJournal(path.join(dir, f))];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** Journals read when looking for the latest unfinished run (newest first by modification time). */
const LATEST_SCAN = 50;

/**
 * The newest run of `tool` (and `owner`, when given) that is unfinished: it never ended (the process died), or it ended
 * with agents a resume would run again (cancelled, skipped). What `resume: "latest"` finishes.
 */
export function latestUnfinishedRun(dir: string, tool: string, owner?: string): LoadedRun | undefined {
  if (!fs.existsSync(dir)) return undefined;
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .slice(0, LATEST_SCAN);
  for (const { f } of files) {
    try {
      const run = readJournal(path.join(dir, f));
      // never ended (the process died), or cancelled with agents left; a run its wait policy, deadline or budget
      // stopped is finished as its caller asked
      const unfinished = !run.ended || run.stopKind === "cancelled";
      // a batch-mode run is finished by `parallel-agents wait` (its batches), never live by a tool call
      if (
        run.batchMode === undefined &&
        run.tool === tool &&
        unfinished &&
        !isRunLive(dir, run.runId) &&
        (owner === undefined || run.owner === undefined || run.owner === owner)
      )
        return run;
    } catch {
      // not a journal we can read: look further
    }
  }
  return undefined;
}

/** Results that a resume keeps: every final outcome except cancelled and skipped (those never really ran to the end). */
export function reusableResults(run: LoadedRun): Map<number, AgentResult> {
  return new Map([...run.results].filter(([, r]) => isReusable(r)));
}

/**
 * A new run, or an earlier one loaded for `resume` (shared by every tool). `open()` starts writing the journal: call it
 * once the call has been checked, so a refused call leaves no journal behind, and close what it returns however the run
 * ends (`using journal = started.open()`). `secrets` are the values to keep out of it (see `openJournal`).
 */
export function startJournaledRun(options: {
  dir: string | undefined;
  tool: string;
  raw: unknown;
  newRunId: string;
  secrets?: JournalOptions["secrets"];
  owner?: string;
}): { runId: string; params: unknown; loaded?: LoadedRun; open: () => RunJournal | undefined } {
  const { dir } = options;
  const resume =
    typeof options.raw === "object" && options.raw !== null ? (options.raw as { resume?: unknown }).resume : undefined;
  if (resume === undefined) {
    const open = () => {
      if (!dir) return undefined;
      pruneJournals(dir, MAX_JOURNALS - 1);
      const journal = openJournal(dir, options.newRunId, { secrets: options.secrets });
      journal.append({
        t: "run-start",
        runId: options.newRunId,
        tool: options.tool,
        params: options.raw,
        at: Date.now(),
        ...(options.owner ? { owner: options.owner } : {}),
      });
      return journal;
    };
    return { runId: options.newRunId, params: options.raw, open };
  }
  if (typeof resume !== "string" || !dir)
    throw new ResumeError(`resume needs the id of a journaled run (got ${JSON.stringify(resume)})`);
  let loaded: LoadedRun;
  if (resume === "latest") {
    // after a gateway restart the host model has no run id: the newest unfinished run of this tool (and caller)
    const latest = latestUnfinishedRun(dir, options.tool, options.owner);
    if (!latest) throw new ResumeError(`no unfinished ${options.tool} run to resume`);
    loaded = latest;
  } else {
    try {
      loaded = readJournal(journalFile(dir, resume));
    } catch (error) {
      throw new ResumeError(`no journal for run "${resume}": ${(error as Error).message}`);
    }
  }
  if (loaded.tool !== options.tool)
    throw new ResumeError(`run "${resume}" is a ${loaded.tool} run, not ${options.tool}`);
  if (isRunLive(dir, loaded.runId))
    throw new ResumeError(
      `run "${loaded.runId}" is still running in this process: its result arrives when it ends (resume it only after it ended or was cancelled)`,
    );
  const open = () => {
    // checked again where the journal is claimed, in the same step: a second resume of the same run that passed the
    // first check while the first one was still preparing is refused here
    if (isRunLive(dir, loaded.runId)) throw new ResumeError(`run "${loaded.runId}" is still running in this process`);
    const journal = openJournal(dir, loaded.runId, { secrets: options.secrets });
    journal.append({ t: "resume", at: Date.now() });
    return journal;
  };
  return { runId: loaded.runId, params: loaded.params, loaded, open };
}

export class ResumeError extends ParallelAgentsError {
  readonly category = "resume";
  override name = "ResumeError";
}
