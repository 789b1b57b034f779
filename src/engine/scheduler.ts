// The engine's scheduler: runs prepared agents through a SessionPort with a concurrency cap, dependencies, the wait
// policy, a deadline and budgets; each agent's attempts are its attempt loop's. Pure core: it never touches the
// OpenClaw api or the network itself.
import { randomBytes } from "node:crypto";
import { runAgentAttempts, type RunControls } from "./attempt-loop.js";
import { createDependencyGraph } from "./dependency-graph.js";
import { OUTCOMES, isReusable, type AgentResult, type Outcome } from "./outcome.js";
import { addUsage, runtimeOf, type Usage } from "./port.js";
import type { RunOptions, RunResult, StopInfo, StopKind } from "./run-types.js";

export type { PreparedAgent, RunEvent, RunOptions, RunResult, WaitPolicy } from "./run-types.js";

export async function runAgents(options: RunOptions): Promise<RunResult> {
  const startedAt = (options.now ?? Date.now)();
  const run = createRunState(options);
  const book = createAgentBook(options, run);
  let running = 0;
  return new Promise<RunResult>((resolve) => {
    const pump = () => {
      // the concurrency cap: start ready agents while a slot is free and nothing stopped the run
      while (running < options.maxConcurrent && !run.stopInfo() && !run.softStop()) {
        const index = book.nextReady();
        if (index === undefined) break;
        running++;
        runAgentAttempts(run.controls, index, options.agents[index]!, () => book.dependencyResults(index))
          .catch((error: unknown) => book.blank(index, "failed", `internal error: ${(error as Error).message}`))
          .then((result) => {
            running--;
            book.finish(index, result);
            pump();
          });
      }
      if (running === 0) resolve(settle(options, run, book, startedAt));
    };
    pump();
  });
}

/** Every agent not started gets its outcome (cancelled or skipped, with why), and the run its result. */
function settle(options: RunOptions, run: RunState, book: AgentBook, startedAt: number): RunResult {
  const halted = run.stopInfo();
  for (const i of book.unfinished()) {
    if (halted)
      book.finish(
        i,
        book.blank(i, halted.kind === "cancelled" ? "cancelled" : "skipped", `${halted.message} before it started`),
      );
    else
      book.finish(
        i,
        book.blank(
          i,
          "skipped",
          run.softStop() ? `${run.softStop()} before it started` : "its dependencies never finished",
        ),
      );
  }
  run.dispose();
  const endedAt = (options.now ?? Date.now)();
  const agents = book.results();
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of agents) counts[r.outcome]++;
  const stopReason = run.stopInfo()?.message ?? run.softStop();
  const stopKind = run.stopInfo()?.kind ?? (run.softStop() ? "budget" : undefined);
  return {
    runId: options.runId,
    agents,
    counts,
    usage: run.usage(),
    attempts: run.attempts(),
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    ...(stopReason ? { stopReason } : {}),
    ...(stopKind ? { stopKind } : {}),
  };
}

type AgentBook = ReturnType<typeof createAgentBook>;

/**
 * Each agent's place: waiting for dependencies, ready (a queue), or done with its one result; a finished agent readies
 * or skips its dependents, and the wait policy may stop the run. Reused results (resume) start done.
 */
function createAgentBook(options: RunOptions, run: RunState) {
  const { agents } = options;
  const wait = options.wait ?? "all";
  const graph = createDependencyGraph(agents);
  const results: Array<AgentResult | undefined> = agents.map(() => undefined);
  const waiting = agents.map(() => true); // not yet ready, running or done
  const ready: number[] = [];
  let readyHead = 0; // a moving head instead of shift() keeps 10,000 agents linear
  let okCount = 0;
  const blank = (index: number, outcome: Outcome, reason: string): AgentResult => {
    const a = agents[index]!;
    return {
      index,
      id: a.id,
      type: a.type,
      label: a.label,
      outcome,
      output: null,
      text: null,
      model: a.ladder[0] ?? null,
      attempts: [],
      reason,
      startedAt: null,
      endedAt: null,
      durationMs: 0,
      runtime: runtimeOf(options.port, a),
    };
  };
  const markReady = (index: number) => {
    waiting[index] = false;
    ready.push(index);
  };
  const release = (index: number) => {
    const result = results[index]!;
    for (const i of graph.dependentsOf(index)) {
      if (!waiting[i]) continue;
      if (result.outcome !== "ok")
        finish(i, blank(i, "skipped", `dependency ${result.id} (${result.type}) ended ${result.outcome}`));
      else if (graph.satisfy(i)) markReady(i);
    }
  };
  function finish(index: number, result: AgentResult) {
    if (results[index]) return; // exactly one outcome per agent
    results[index] = result;
    waiting[index] = false;
    if (result.outcome === "ok") okCount++;
    run.emit({ type: "agent-ended", result });
    if (typeof wait === "object" && okCount >= wait.first)
      run.stop("first", `wait.first: ${wait.first} valid results arrived`);
    release(index);
  }
  for (const [index, previous] of options.reuse ?? []) {
    if (index >= agents.length || !isReusable(previous)) continue;
    results[index] = previous;
    waiting[index] = false;
    if (previous.outcome === "ok") okCount++;
    run.addUsage(previous.usage); // what the first part of a resumed run used counts, and so does its budget
  }
  if (typeof wait === "object" && okCount >= wait.first)
    run.stop("first", `wait.first: ${wait.first} valid results arrived`);
  for (const i of graph.initiallyReady((i) => results[i] !== undefined)) markReady(i);
  for (const [index] of options.reuse ?? []) if (results[index]) release(index);
  return {
    blank,
    finish,
    nextReady: () => (readyHead < ready.length ? ready[readyHead++] : undefined),
    dependencyResults: (index: number) => graph.dependenciesOf(index).map((d) => results[d]!),
    unfinished: () => agents.flatMap((_, i) => (results[i] ? [] : [i])),
    results: () => results as AgentResult[],
  };
}

/**
 * The agent index and attempt number (1: the agent's first) an attempt key of this scheduler names. Both replay the
 * same on resume, unlike the key's per-process prefix: a batch port keys its requests by them.
 */
export function parseAttemptKey(attemptKey: string): { index: number; attempt: number } | undefined {
  const match = /-(\d+)-(\d+)$/.exec(attemptKey);
  return match ? { index: Number(match[1]), attempt: Number(match[2]) } : undefined;
}

type RunState = ReturnType<typeof createRunState>;

/** The run-wide state the attempt loops share: the stop (cancel, deadline, wait policy), budgets, usage, events. */
function createRunState(options: RunOptions) {
  const controller = new AbortController();
  const stop = (kind: StopKind, message: string) => {
    if (!controller.signal.aborted) controller.abort({ kind, message } satisfies StopInfo);
  };
  const stopInfo = () => controller.signal.reason as StopInfo | undefined;
  const onExternalAbort = () => stop("cancelled", "the run was cancelled");
  if (options.signal?.aborted) onExternalAbort();
  options.signal?.addEventListener("abort", onExternalAbort, { once: true });
  const deadline =
    options.deadlineMs !== undefined
      ? setTimeout(() => stop("deadline", `the run deadline of ${options.deadlineMs} ms passed`), options.deadlineMs)
      : undefined;
  // Attempt keys are unique per invocation: a resumed run never reuses a key the host may still deduplicate on.
  const keyPrefix = `${options.runId}-${randomBytes(3).toString("hex")}`;
  let usage: Usage | undefined;
  let attempts = 0;
  let softStop: string | undefined; // budget or attempt cap: no new attempts, in-flight ones finish
  const addRunUsage = (u: Usage | undefined) => {
    usage = addUsage(usage, u);
    if (options.budgetTokens !== undefined && (usage?.totalTokens ?? 0) >= options.budgetTokens)
      softStop ??= `the token budget of ${options.budgetTokens} was used up`;
    if (options.budgetCostUsd !== undefined && (usage?.costUsd ?? 0) >= options.budgetCostUsd)
      softStop ??= `the cost budget of $${options.budgetCostUsd} was used up ($${(usage?.costUsd ?? 0).toFixed(4)} reported)`;
  };
  const emit: RunControls["emit"] = (event) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a progress listener must never break the run
    }
  };
  const controls: RunControls = {
    port: options.port,
    retries: options.retries,
    maxOutputBytes: options.maxOutputBytes,
    backoff: options.backoff ?? { baseMs: 500, maxMs: 8000 },
    now: options.now ?? Date.now,
    runSignal: controller.signal,
    stopInfo,
    takeAttempt: () => {
      if (!softStop && options.maxAttempts !== undefined && attempts >= options.maxAttempts)
        softStop = `the attempt cap of ${options.maxAttempts} was reached`;
      if (softStop) return softStop;
      attempts++;
      return undefined;
    },
    addUsage: addRunUsage,
    emit,
    attemptKey: (index, attempt) => `${keyPrefix}-${index}-${attempt}`,
  };
  return {
    controls,
    stop,
    stopInfo,
    emit,
    addUsage: addRunUsage,
    usage: () => usage,
    attempts: () => attempts,
    softStop: () => softStop,
    dispose: () => {
      clearTimeout(deadline);
      options.signal?.removeEventListener("abort", onExternalAbort);
    },
  };
}
