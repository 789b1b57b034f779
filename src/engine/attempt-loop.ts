// One agent's attempts: acts on the pure decision (decideNext) after each attempt: accept, retry on the same model
// after a backoff, repair with the problems named, climb the ladder, or stop with a final outcome.
import { sleep } from "./abort.js";
import { runAttempt, type AttemptResult } from "./attempt.js";
import { backoffDelay, decideNext, finalOutcomeOf, type Decision } from "./decide-next.js";
import { buildJudgedRetryMessage, judgeAnswer } from "./judge.js";
import type { AgentResult, AttemptRecord, Judgement, Outcome } from "./outcome.js";
import {
  addToolCalls,
  addUsage,
  portForAgent,
  runtimeOf,
  type SessionPort,
  type ToolCallCounts,
  type Usage,
} from "./port.js";
import { buildRepairMessage } from "./repair-message.js";
import type { Backoff, PreparedAgent, RenderedPrompt, RunEvent, StopInfo } from "./run-types.js";

/** What the scheduler lends each agent's attempt loop: the run's stop, its budgets, and where events go. */
export type RunControls = {
  port: SessionPort;
  retries: number;
  maxOutputBytes: number;
  backoff: Backoff;
  now: () => number;
  runSignal: AbortSignal;
  stopInfo: () => StopInfo | undefined;
  /** Counts the attempt about to start; returns why it may not (a budget or the attempt cap), or undefined. */
  takeAttempt: () => string | undefined;
  /** Adds an attempt's usage to the run's (the token budget counts it). */
  addUsage: (usage: Usage | undefined) => void;
  emit: (event: RunEvent) => void;
  attemptKey: (index: number, attempt: number) => string;
};

/** Where the agent's loop is: which rung, how many retries there, and whether the repair was used. */
type LoopState = {
  rung: number;
  retriesOnRung: number;
  repairedOnRung: boolean;
  repairIssues?: string;
  kind: AttemptRecord["kind"];
  /** The judged answer the next attempt improves on, with its verdict. */
  judged?: { text: string; judgement: Judgement };
};

export async function runAgentAttempts(
  controls: RunControls,
  index: number,
  agent: PreparedAgent,
  dependencies: () => AgentResult[],
): Promise<AgentResult> {
  const record = createAgentRecord(controls, index, agent);
  let prompt: RenderedPrompt;
  try {
    prompt = typeof agent.prompt === "function" ? agent.prompt(dependencies()) : agent.prompt;
  } catch (error) {
    return record.done("failed", null, `could not build the prompt from its dependencies: ${(error as Error).message}`);
  }
  let port: SessionPort;
  try {
    port = portForAgent(controls.port, agent);
  } catch (error) {
    return record.done("failed", null, (error as Error).message);
  }
  const state: LoopState = { rung: 0, retriesOnRung: 0, repairedOnRung: false, kind: "first" };
  let last: AttemptResult | undefined;
  // With a judge: the best-scored ok answer so far, kept whatever comes after it.
  let best: Kept | undefined;
  for (;;) {
    const halted = controls.stopInfo();
    // An ok answer already judged is never lost to a stop, a budget or a later failure.
    if (halted && best) return record.keep(best);
    // Stopped between attempts (backoff, before a repair): the kind of stop decides, so resume runs it again.
    if (halted) return record.done(halted.kind === "deadline" ? "timeout" : "cancelled", null, halted.message);
    const blocked = controls.takeAttempt();
    if (blocked && best) return record.keep(best);
    if (blocked) return record.done(last ? finalOutcomeOf(last.outcome) : "skipped", null, blocked);
    const model = agent.ladder[state.rung];
    const message =
      state.repairIssues !== undefined
        ? buildRepairMessage({ message: prompt.message, previous: record.lastText() ?? "", issues: state.repairIssues })
        : state.judged !== undefined && agent.judge
          ? buildJudgedRetryMessage({
              message: prompt.message,
              judgement: state.judged.judgement,
              threshold: agent.judge.threshold,
            })
          : prompt.message;
    const startedAt = controls.now();
    last = await runAttempt({
      agent,
      model,
      message,
      system: prompt.system,
      attemptKey: controls.attemptKey(index, record.attempts.length + 1),
      runSignal: controls.runSignal,
      maxOutputBytes: controls.maxOutputBytes,
      port,
    });
    record.add(last, model, state.kind, startedAt);
    if (last.outcome === "cancelled" || last.outcome === "timeout") {
      const stopped = controls.stopInfo();
      if (stopped) return record.done(stopped.kind === "deadline" ? "timeout" : "cancelled", null, stopped.message);
    }
    const decision = decideNext({
      outcome: last.outcome,
      rung: state.rung,
      rungs: agent.ladder.length,
      retriesOnRung: state.retriesOnRung,
      repairedOnRung: state.repairedOnRung,
      maxRetries: controls.retries,
      retryAfterMs: last.retryAfterMs,
      backoffMs: backoffDelay(state.retriesOnRung, controls.backoff),
    });
    if (decision.action === "accept") {
      if (!agent.judge) return record.done("ok", last.output);
      const answer: Kept = { output: last.output, text: record.lastText() ?? "", model: record.lastModel() };
      const blockedJudge = controls.takeAttempt();
      if (blockedJudge) return record.keep(best ?? { ...answer, unjudged: `not judged: ${blockedJudge}` });
      const judgeStart = controls.now();
      const { attempt, verdict } = await judgeAnswer({
        agent,
        spec: agent.judge,
        answer: answer.text,
        attemptKey: controls.attemptKey(index, record.attempts.length + 1),
        runSignal: controls.runSignal,
        maxOutputBytes: controls.maxOutputBytes,
        port: controls.port, // the judge needs no tools: the lean port
      });
      record.add(attempt, agent.judge.model, "judge", judgeStart, { keepText: true });
      // A judge that fails or answers invalid never turns an ok answer into a failure.
      if (typeof verdict === "string") return record.keep(best ?? { ...answer, unjudged: verdict });
      const judged: Kept = { ...answer, judgement: verdict };
      if (!best?.judgement || verdict.score > best.judgement.score) best = judged;
      if (verdict.score >= agent.judge.threshold || state.rung + 1 >= agent.ladder.length) return record.keep(best);
      // Below the threshold: one more try, on the next rung, with what the judge said.
      state.rung++;
      state.retriesOnRung = 0;
      state.repairedOnRung = false;
      state.repairIssues = undefined;
      state.kind = "escalation";
      state.judged = { text: answer.text, judgement: verdict };
      continue;
    }
    if (decision.action === "stop") return best ? record.keep(best) : record.done(decision.outcome, null, last.error);
    advance(state, decision, last);
    if (decision.action === "retry") await sleep(decision.delayMs, controls.runSignal);
  }
}

/** An ok answer kept by a judged agent: its output and text, and the verdict on it (or why there is none). */
type Kept = { output: unknown; text: string; model: string | null; judgement?: Judgement; unjudged?: string };

/** Moves the loop to its next attempt as the decision says. */
function advance(
  state: LoopState,
  decision: Exclude<Decision, { action: "accept" | "stop" }>,
  last: AttemptResult,
): void {
  switch (decision.action) {
    case "retry":
      state.retriesOnRung++;
      state.kind = "retry";
      state.repairIssues = undefined;
      return;
    case "repair":
      state.repairedOnRung = true;
      state.repairIssues = last.error ?? "the answer did not match the output contract";
      state.kind = "repair";
      return;
    case "escalate":
      state.rung++;
      state.retriesOnRung = 0;
      state.repairedOnRung = false;
      state.repairIssues = undefined;
      state.kind = "escalation";
  }
}

/** The evidence an agent collects over its attempts, and its one final result. */
function createAgentRecord(controls: RunControls, index: number, agent: PreparedAgent) {
  const startedAt = controls.now();
  controls.emit({ type: "agent-started", index, at: startedAt });
  const attempts: AttemptRecord[] = [];
  let usage: Usage | undefined;
  let lastText: string | null = null;
  let lastModel: string | null = agent.ladder[0] ?? null;
  let queuedMs = 0;
  let toolCalls: ToolCallCounts | undefined;
  const done = (outcome: Outcome, output: unknown, reason?: string): AgentResult => {
    const endedAt = controls.now();
    return {
      index,
      id: agent.id,
      type: agent.type,
      label: agent.label,
      outcome,
      output,
      text: lastText,
      model: lastModel,
      attempts,
      reason,
      startedAt,
      endedAt,
      durationMs: endedAt - startedAt,
      usage,
      runtime: runtimeOf(controls.port, agent),
      ...(queuedMs > 0 ? { queuedMs } : {}),
      ...(toolCalls ? { toolCalls } : {}),
    };
  };
  return {
    attempts,
    lastText: () => lastText,
    lastModel: () => lastModel,
    add(
      result: AttemptResult,
      model: string | undefined,
      kind: AttemptRecord["kind"],
      attemptStart: number,
      options: { keepText?: boolean } = {},
    ) {
      queuedMs += result.queuedMs ?? 0;
      const attempt: AttemptRecord = {
        attempt: attempts.length + 1,
        model: result.answeredBy ?? model ?? null,
        kind,
        outcome: result.outcome,
        startedAt: attemptStart,
        durationMs: controls.now() - attemptStart,
        ...(result.queuedMs ? { queuedMs: result.queuedMs } : {}),
        ...(result.error ? { error: result.error } : {}),
        ...(result.usage ? { usage: result.usage } : {}),
        ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
      };
      attempts.push(attempt);
      toolCalls = addToolCalls(toolCalls, result.toolCalls);
      // A judge's attempt is evidence about the answer, not the answer: the agent's text and model stay its own.
      if (!options.keepText) {
        if (result.text !== undefined) lastText = result.text;
        lastModel = result.answeredBy ?? model ?? null;
      }
      usage = addUsage(usage, result.usage);
      controls.addUsage(result.usage);
      controls.emit({ type: "attempt-ended", index, attempt });
    },
    /** Ends ok with a kept answer: its text (not the last attempt's), and the verdict on it or why there is none. */
    keep(kept: Kept): AgentResult {
      lastText = kept.text;
      lastModel = kept.model;
      const result = done("ok", kept.output);
      return {
        ...result,
        ...(kept.judgement ? { judged: kept.judgement } : {}),
        ...(kept.unjudged ? { unjudged: kept.unjudged } : {}),
      };
    },
    done,
  };
}
