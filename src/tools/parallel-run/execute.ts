// parallel_run, host-independent: check the call, run the agents on the engine, and shape the result.
import { toolAccess, type ToolDeps } from "../../runs/run-deps.js";
import type { SessionPort } from "../../engine/port.js";
import { runAgents, type RunEvent, type RunResult } from "../../engine/scheduler.js";
import { foldCandidates } from "./best-of.js";
import { prepareParallelRun, type PreparedRun } from "./prepare.js";
import { runDetails, summarizeRun } from "./format-result.js";
import { reusableResults, type LoadedRun, type RunJournal } from "../../journal/run-journal.js";
import { journalRunEnd, journalRunEvents, startedLine, startToolRun } from "../../runs/journaled-run.js";

export type ParallelRunDeps = Omit<ToolDeps, "userDir" | "onProgress"> & {
  /**
   * The port, or a factory given the checked call (e.g. for its cleanup mode) and the run: its id, its open journal
   * (a batch port journals the batches it submits) and, on resume, what the journal held.
   */
  port: SessionPort | ((prepared: PreparedRun, run: PortRunContext) => SessionPort);
  /** Batch mode (the CLI's `run --batch`): see PrepareContext.batch. Default false. */
  batch?: boolean;
  /** Called with a short line as each agent finishes. */
  onProgress?: (text: string, event?: RunEvent) => void;
  /** Folder of run journals; when set, the run is journaled and `resume` can finish it. */
  journalDir?: string;
  /** Called with every engine event (after the journal has it). */
  onEvent?: (event: RunEvent) => void;
  /** Called once the call is checked, before anything starts (e.g. to lay out a live view). */
  onPrepared?: (prepared: PreparedRun) => void;
};

/** What a port factory learns about the run it serves. */
export type PortRunContext = { runId: string; journal?: RunJournal; loaded?: LoadedRun };

export type ParallelRunOutput = {
  text: string;
  details: ReturnType<typeof runDetails>;
  run: RunResult;
  prepared: PreparedRun;
};

export async function executeParallelRun(raw: unknown, deps: ParallelRunDeps): Promise<ParallelRunOutput> {
  const snapshot = await deps.registry.refresh();
  const started = startToolRun("parallel_run", "pr", raw, deps);
  const { runId, params } = started;
  const reuse = started.loaded ? reusableResults(started.loaded) : undefined;
  const prepared = prepareParallelRun(params, {
    config: deps.config,
    types: snapshot.types,
    tools: toolAccess(deps),
    defaultLadder: deps.defaultLadder,
    ...(deps.batch ? { batch: true } : {}),
  });
  using journal = started.open();
  deps.onPrepared?.(prepared);
  deps.onProgress?.(startedLine("parallel_run", runId, started.loaded !== undefined, prepared.agents.length));
  let finished = reuse?.size ?? 0;
  const toJournal = journalRunEvents(journal);
  const run = await runAgents({
    runId,
    port:
      typeof deps.port === "function"
        ? deps.port(prepared, { runId, journal, ...(started.loaded ? { loaded: started.loaded } : {}) })
        : deps.port,
    agents: prepared.agents,
    maxConcurrent: prepared.maxConcurrent,
    retries: prepared.retries,
    maxOutputBytes: prepared.maxOutputBytes,
    wait: prepared.wait,
    deadlineMs: prepared.deadlineMs,
    maxAttempts: prepared.maxAttempts,
    budgetTokens: prepared.budgetTokens,
    budgetCostUsd: prepared.budgetCostUsd,
    signal: deps.signal,
    backoff: deps.backoff,
    reuse,
    onEvent: (event) => {
      toJournal(event);
      deps.onEvent?.(event);
      if (event.type !== "agent-ended" || !deps.onProgress) return;
      finished++;
      const r = event.result;
      deps.onProgress(
        `${finished}/${prepared.agents.length} done: ${r.label} ${r.outcome} (${(r.durationMs / 1000).toFixed(1)} s)`,
        event,
      );
    },
  });
  journalRunEnd(journal, run);
  // bestOf candidates folded back into the agents asked for (the journal keeps every candidate).
  const asked =
    prepared.agents.length > prepared.groups.length ? foldCandidates(run, prepared.groups, prepared.labels) : run;
  const context = { ladder: prepared.ladder, notes: deps.hostNotes?.(prepared.ladder) };
  return {
    text: summarizeRun(asked, "parallel_run", context),
    details: runDetails(asked, context),
    run: asked,
    prepared,
  };
}
