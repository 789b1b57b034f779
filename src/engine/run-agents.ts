// The engine: runs prepared agents through a SessionPort with a concurrency cap, dependencies, retries, the model
// ladder, wait policies and budgets. Pure core: it never touches the OpenClaw api or the network itself.
import type { OutputFormat } from "../registry/agent-type-schema.js";
import type { Static } from "@sinclair/typebox";
import type { RenderedPrompt } from "../render/render-agent-prompt.js";
import type { Validator } from "../validation/json-validator.js";
import { checkOutput } from "./check-output.js";
import { backoffDelay, decideNext, finalOutcomeOf } from "./decide-next.js";
import type { AgentResult, AttemptOutcome, AttemptRecord, Outcome } from "./outcome.js";
import { OUTCOMES } from "./outcome.js";
import { randomBytes } from "node:crypto";
import { addUsage, SessionError, type SessionPort, type SessionResult, type Usage } from "./port.js";
import { buildRepairMessage } from "./repair-message.js";

export type PreparedAgent = {
  id: string;
  type: string;
  label: string;
  format: Static<typeof OutputFormat>;
  validateOutput?: Validator;
  /** The JSON Schema behind validateOutput, offered to ports that can ask for constrained output. */
  outputSchema?: object;
  /** Models to try in order; `undefined` is the host's default model. At least one rung. */
  ladder: ReadonlyArray<string | undefined>;
  timeoutMs: number;
  /** Indexes of agents whose ok result this one needs. */
  dependsOn?: readonly number[];
  /** The prompt, or a builder that makes it from the dependencies' results once they are ok. */
  prompt: RenderedPrompt | ((dependencies: AgentResult[]) => RenderedPrompt);
};

export type WaitPolicy = "all" | { first: number };

export type RunEvent =
  | { type: "agent-started"; index: number; at: number }
  | { type: "attempt-ended"; index: number; attempt: AttemptRecord }
  | { type: "agent-ended"; result: AgentResult };

export type RunOptions = {
  runId: string;
  port: SessionPort;
  agents: readonly PreparedAgent[];
  /** Agents running at once. */
  maxConcurrent: number;
  /** Same-model retries of transient faults per rung. */
  retries: number;
  /** Keep at most this many bytes of each answer. */
  maxOutputBytes: number;
  wait?: WaitPolicy;
  /** Whole-run deadline in ms from start; agents running then time out, unstarted ones are skipped. */
  deadlineMs?: number;
  /** Cap on attempts across all agents. */
  maxAttempts?: number;
  /** Stop starting attempts once reported usage reaches this many tokens. */
  budgetTokens?: number;
  /** Backoff of same-model retries. Default base 500 ms, max 8 s. */
  backoff?: { baseMs: number; maxMs: number; random?: () => number };
  /** Cancels the whole run. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Results of a previous run of the same agents, reused as they are (resume). */
  reuse?: ReadonlyMap<number, AgentResult>;
  now?: () => number;
};

export type RunResult = {
  runId: string;
  agents: AgentResult[];
  counts: Record<Outcome, number>;
  usage?: Usage;
  attempts: number;
  startedAt: number;
  endedAt: number;
  durationMs: number;
  /** Why the run stopped early, if it did. */
  stopReason?: string;
};

type StopKind = "cancelled" | "deadline" | "first";

export async function runAgents(options: RunOptions): Promise<RunResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const agents = options.agents;
  const wait = options.wait ?? "all";
  const backoff = options.backoff ?? { baseMs: 500, maxMs: 8000 };
  // Attempt keys are unique per invocation: a resumed run never reuses a key the host may still deduplicate on.
  const keyPrefix = `${options.runId}-${randomBytes(3).toString("hex")}`;
  const controller = new AbortController();
  const stop = (kind: StopKind, message: string) => {
    if (!controller.signal.aborted) controller.abort({ kind, message });
  };
  const stopInfo = () => controller.signal.reason as { kind: StopKind; message: string } | undefined;

  const onExternalAbort = () => stop("cancelled", "the run was cancelled");
  if (options.signal?.aborted) onExternalAbort();
  options.signal?.addEventListener("abort", onExternalAbort, { once: true });
  const deadlineTimer =
    options.deadlineMs !== undefined ? setTimeout(() => stop("deadline", `the run deadline of ${options.deadlineMs} ms passed`), options.deadlineMs) : undefined;

  const results: Array<AgentResult | undefined> = agents.map(() => undefined);
  const state = agents.map(() => "waiting" as "waiting" | "ready" | "running" | "done");
  const ready: number[] = [];
  let readyHead = 0; // ready is a queue: a moving head instead of shift() keeps 10,000 agents linear
  let running = 0;
  let attemptsMade = 0;
  let okCount = 0;
  let usage: Usage | undefined;
  let softStop: string | undefined; // budget or attempt cap: no new attempts, in-flight ones finish

  const emit = (event: RunEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // a progress listener must never break the run
    }
  };

  const finish = (index: number, result: AgentResult) => {
    if (results[index]) return; // exactly one outcome per agent
    results[index] = result;
    state[index] = "done";
    if (result.outcome === "ok") okCount++;
    emit({ type: "agent-ended", result });
    if (typeof wait === "object" && okCount >= wait.first) stop("first", `wait.first: ${wait.first} valid results arrived`);
    release(index);
  };

  const blankResult = (index: number, outcome: Outcome, reason: string): AgentResult => {
    const a = agents[index]!;
    return { index, id: a.id, type: a.type, label: a.label, outcome, output: null, text: null, model: a.ladder[0] ?? null, attempts: [], reason, startedAt: null, endedAt: null, durationMs: 0, runtime: options.port.name };
  };

  const depsOf = (index: number) => agents[index]!.dependsOn ?? [];
  // Dependency bookkeeping in O(edges): how many dependencies each agent still waits for, and who waits on whom.
  const waitingOn = agents.map((a) => new Set(a.dependsOn ?? []).size);
  const dependents: number[][] = agents.map(() => []);
  agents.forEach((a, i) => new Set(a.dependsOn ?? []).forEach((d) => dependents[d]?.push(i)));

  /** A finished agent readies its dependents, or skips them (and theirs) when it did not succeed. */
  function release(index: number) {
    const result = results[index]!;
    for (const i of dependents[index]!) {
      if (state[i] !== "waiting") continue;
      if (result.outcome !== "ok") {
        finish(i, blankResult(i, "skipped", `dependency ${result.id} (${result.type}) ended ${result.outcome}`));
      } else if (--waitingOn[i]! === 0) {
        state[i] = "ready";
        ready.push(i);
      }
    }
  }

  for (const [index, previous] of options.reuse ?? []) {
    if (index < agents.length && previous.outcome !== "cancelled") {
      results[index] = previous;
      state[index] = "done";
      if (previous.outcome === "ok") okCount++;
      usage = addUsage(usage, previous.usage); // what the first part of a resumed run used counts, and so does its budget
    }
  }
  agents.forEach((_, i) => {
    if (state[i] === "waiting" && waitingOn[i] === 0) {
      state[i] = "ready";
      ready.push(i);
    }
  });
  for (const [index] of options.reuse ?? []) if (results[index]) release(index);
  if (options.budgetTokens !== undefined && (usage?.totalTokens ?? 0) >= options.budgetTokens) softStop = `the token budget of ${options.budgetTokens} was used up`;

  const runOne = async (index: number): Promise<AgentResult> => {
    const agent = agents[index]!;
    const agentStart = now();
    emit({ type: "agent-started", index, at: agentStart });
    const attempts: AttemptRecord[] = [];
    let agentUsage: Usage | undefined;
    let lastText: string | null = null;
    let lastModel: string | null = agent.ladder[0] ?? null;
    let queuedMs = 0;
    const done = (outcome: Outcome, output: unknown, reason?: string): AgentResult => {
      const endedAt = now();
      return { index, id: agent.id, type: agent.type, label: agent.label, outcome, output, text: lastText, model: lastModel, attempts, reason, startedAt: agentStart, endedAt, durationMs: endedAt - agentStart, usage: agentUsage, runtime: options.port.name, ...(queuedMs > 0 ? { queuedMs } : {}) };
    };

    let prompt: RenderedPrompt;
    try {
      prompt = typeof agent.prompt === "function" ? agent.prompt(depsOf(index).map((d) => results[d]!)) : agent.prompt;
    } catch (error) {
      return done("failed", null, `could not build the prompt from its dependencies: ${(error as Error).message}`);
    }

    let rung = 0;
    let retriesOnRung = 0;
    let repairedOnRung = false;
    let repairIssues: string | undefined;
    let kind: AttemptRecord["kind"] = "first";
    let last: { outcome: AttemptOutcome; error?: string } | undefined;

    for (;;) {
      const halted = stopInfo();
      // Stopped between attempts (backoff, before a repair): the kind of stop decides, so resume runs it again.
      if (halted) return done(halted.kind === "deadline" ? "timeout" : "cancelled", null, halted.message);
      if (softStop) return done(last ? finalOutcomeOf(last.outcome) : "skipped", null, softStop);
      if (options.maxAttempts !== undefined && attemptsMade >= options.maxAttempts) {
        softStop = `the attempt cap of ${options.maxAttempts} was reached`;
        continue;
      }
      attemptsMade++;
      const model = agent.ladder[rung];
      lastModel = model ?? null;
      const attemptNo = attempts.length + 1;
      const message = repairIssues !== undefined ? buildRepairMessage({ message: prompt.message, previous: lastText ?? "", issues: repairIssues }) : prompt.message;
      const attemptStart = now();
      const outcome = await attempt({ agent, model, message, system: prompt.system, attemptKey: `${keyPrefix}-${index}-${attemptNo}`, controller, maxOutputBytes: options.maxOutputBytes, port: options.port });
      queuedMs += outcome.queuedMs ?? 0;
      const record: AttemptRecord = { attempt: attemptNo, model: outcome.answeredBy ?? model ?? null, kind, outcome: outcome.outcome, startedAt: attemptStart, durationMs: now() - attemptStart, ...(outcome.queuedMs ? { queuedMs: outcome.queuedMs } : {}), ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.usage ? { usage: outcome.usage } : {}) };
      attempts.push(record);
      if (outcome.text !== undefined) lastText = outcome.text;
      if (outcome.answeredBy) lastModel = outcome.answeredBy;
      agentUsage = addUsage(agentUsage, outcome.usage);
      usage = addUsage(usage, outcome.usage);
      emit({ type: "attempt-ended", index, attempt: record });
      if (options.budgetTokens !== undefined && (usage?.totalTokens ?? 0) >= options.budgetTokens && !softStop) {
        softStop = `the token budget of ${options.budgetTokens} was used up`;
      }
      last = outcome;
      if (outcome.outcome === "cancelled" || outcome.outcome === "timeout") {
        const halted = stopInfo();
        if (halted) return done(halted.kind === "deadline" ? "timeout" : "cancelled", null, halted.message);
      }
      const decision = decideNext({
        outcome: outcome.outcome,
        rung,
        rungs: agent.ladder.length,
        retriesOnRung,
        repairedOnRung,
        maxRetries: options.retries,
        retryAfterMs: outcome.retryAfterMs,
        backoffMs: backoffDelay(retriesOnRung, backoff),
      });
      switch (decision.action) {
        case "accept":
          return done("ok", outcome.output);
        case "stop":
          return done(decision.outcome, null, outcome.error);
        case "retry":
          retriesOnRung++;
          kind = "retry";
          repairIssues = undefined;
          await sleep(decision.delayMs, controller.signal);
          break;
        case "repair":
          repairedOnRung = true;
          repairIssues = outcome.error ?? "the answer did not match the output contract";
          kind = "repair";
          break;
        case "escalate":
          rung++;
          retriesOnRung = 0;
          repairedOnRung = false;
          repairIssues = undefined;
          kind = "escalation";
          break;
      }
    }
  };

  return new Promise<RunResult>((resolve) => {
    const settle = () => {
      const halted = stopInfo();
      agents.forEach((_, i) => {
        if (results[i]) return;
        if (halted) finish(i, blankResult(i, halted.kind === "cancelled" ? "cancelled" : "skipped", `${halted.message} before it started`));
        else finish(i, blankResult(i, "skipped", softStop ? `${softStop} before it started` : "its dependencies never finished"));
      });
      clearTimeout(deadlineTimer);
      options.signal?.removeEventListener("abort", onExternalAbort);
      const endedAt = now();
      const final = results as AgentResult[];
      const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
      for (const r of final) counts[r.outcome]++;
      resolve({ runId: options.runId, agents: final, counts, usage, attempts: attemptsMade, startedAt, endedAt, durationMs: endedAt - startedAt, ...(stopInfo() || softStop ? { stopReason: stopInfo()?.message ?? softStop } : {}) });
    };
    const pump = () => {
      while (running < options.maxConcurrent && readyHead < ready.length && !stopInfo() && !softStop) {
        const index = ready[readyHead++]!;
        state[index] = "running";
        running++;
        runOne(index)
          .catch((error: unknown) => blankResult(index, "failed", `internal error: ${(error as Error).message}`))
          .then((result) => {
            running--;
            finish(index, result);
            pump();
          });
      }
      if (running === 0) settle();
    };
    pump();
  });
}

type AttemptResult = { outcome: AttemptOutcome; output?: unknown; text?: string; error?: string; usage?: Usage; retryAfterMs?: number; answeredBy?: string; queuedMs?: number };

async function attempt(options: {
  agent: PreparedAgent;
  model: string | undefined;
  system: string;
  message: string;
  attemptKey: string;
  controller: AbortController;
  maxOutputBytes: number;
  port: SessionPort;
}): Promise<AttemptResult> {
  const { agent, controller } = options;
  // The time limit runs from when the port starts the request: a port that queues (a model slot) says when.
  const timeout = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const calledAt = Date.now();
  let startedAt: number | undefined;
  const startClock = () => {
    if (startedAt !== undefined) return;
    startedAt = Date.now();
    timer = setTimeout(() => timeout.abort(), agent.timeoutMs);
  };
  if (!options.port.queues) startClock();
  const signal = AbortSignal.any([controller.signal, timeout.signal]);
  const portQueuedMs = () => (startedAt !== undefined ? startedAt - calledAt : Date.now() - calledAt);
  let result: SessionResult;
  try {
    const run = options.port.run({ system: options.system, message: options.message, label: agent.label, model: options.model, attemptKey: options.attemptKey, timeoutMs: agent.timeoutMs, signal, maxOutputBytes: options.maxOutputBytes, ...(agent.outputSchema ? { outputSchema: agent.outputSchema } : {}), onStarted: startClock });
    run.catch(() => undefined); // the race below may leave it behind; its late rejection is not an error
    result = await raceAbort(run, signal);
  } catch (error) {
    const queuedMs = portQueuedMs();
    if (controller.signal.aborted) return { outcome: "cancelled", error: (controller.signal.reason as { message?: string })?.message ?? "cancelled", queuedMs };
    if (timeout.signal.aborted) return { outcome: "timeout", error: `no answer within ${agent.timeoutMs} ms`, queuedMs };
    if (error instanceof SessionError) {
      const outcome: AttemptOutcome = error.kind === "aborted" ? "cancelled" : error.kind;
      return { outcome, error: error.message, usage: error.usage, retryAfterMs: error.retryAfterMs, queuedMs };
    }
    return { outcome: "transient", error: (error as Error)?.message ?? String(error), queuedMs };
  } finally {
    clearTimeout(timer);
  }
  const queuedMs = portQueuedMs() + (result.queuedMs ?? 0); // our wait for a slot, then the host's own queue
  // No result is accepted after cancellation or past the attempt's time limit.
  if (controller.signal.aborted) return { outcome: "cancelled", error: "the answer arrived after the run stopped", usage: result.usage, queuedMs };
  if (timeout.signal.aborted) return { outcome: "timeout", error: `no answer within ${agent.timeoutMs} ms`, usage: result.usage, queuedMs };
  const base = { text: result.text, usage: result.usage, queuedMs, ...(result.model ? { answeredBy: result.model } : {}) };
  // An answer cut at the model's output token limit is never accepted, however complete it looks.
  if (result.stopReason === "length") return { ...base, outcome: "invalid", error: "the answer was cut at the model's output token limit (stop reason: length)" };
  const check = checkOutput({ text: result.text, truncated: result.truncated, format: agent.format, validate: agent.validateOutput, maxOutputBytes: options.maxOutputBytes });
  if (check.status === "ok") return { ...base, outcome: "ok", output: check.output };
  return { ...base, outcome: check.status, error: check.error };
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
