// One attempt: the request through the port, raced against the run's stop and the attempt's own time limit (which
// starts when the port starts the request), and the answer checked against the agent's output contract.
import { raceAbort } from "./abort.js";
import { checkOutput } from "./check-output.js";
import type { AttemptOutcome } from "./outcome.js";
import { SessionError, type SessionPort, type SessionResult, type ToolCallCounts, type Usage } from "./port.js";
import type { PreparedAgent } from "./run-types.js";

export type AttemptResult = {
  outcome: AttemptOutcome;
  output?: unknown;
  text?: string;
  error?: string;
  usage?: Usage;
  retryAfterMs?: number;
  answeredBy?: string;
  queuedMs?: number;
  toolCalls?: ToolCallCounts;
};

export type AttemptOptions = {
  agent: PreparedAgent;
  model: string | undefined;
  system: string;
  message: string;
  attemptKey: string;
  /** The run's stop: aborted when the run is cancelled, its deadline passes or its wait policy is met. */
  runSignal: AbortSignal;
  maxOutputBytes: number;
  port: SessionPort;
};

export async function runAttempt(options: AttemptOptions): Promise<AttemptResult> {
  const { agent, runSignal } = options;
  const clock = attemptClock(agent.timeoutMs, !options.port.queues);
  const signal = AbortSignal.any([runSignal, clock.signal]);
  let result: SessionResult;
  try {
    const run = options.port.run({
      system: options.system,
      message: options.message,
      label: agent.label,
      model: options.model,
      attemptKey: options.attemptKey,
      timeoutMs: agent.timeoutMs,
      signal,
      maxOutputBytes: options.maxOutputBytes,
      ...(agent.outputSchema ? { outputSchema: agent.outputSchema } : {}),
      onStarted: clock.start,
    });
    run.catch(() => undefined); // the race below may leave it behind; its late rejection is not an error
    result = await raceAbort(run, signal);
  } catch (error) {
    return { ...failedAttempt(error, runSignal, clock.signal, agent.timeoutMs), queuedMs: clock.queuedMs() };
  } finally {
    clock.stop();
  }
  const queuedMs = clock.queuedMs() + (result.queuedMs ?? 0); // our wait for a slot, then the host's own queue
  // No result is accepted after cancellation or past the attempt's time limit.
  if (runSignal.aborted)
    return { outcome: "cancelled", error: "the answer arrived after the run stopped", usage: result.usage, queuedMs };
  if (clock.signal.aborted)
    return { outcome: "timeout", error: `no answer within ${agent.timeoutMs} ms`, usage: result.usage, queuedMs };
  const base = {
    text: result.text,
    usage: result.usage,
    queuedMs,
    ...(result.model ? { answeredBy: result.model } : {}),
    ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
  };
  // An answer cut at the model's output token limit is never accepted, however complete it looks.
  if (result.stopReason === "length")
    return {
      ...base,
      outcome: "invalid",
      error: "the answer was cut at the model's output token limit (stop reason: length)",
    };
  const check = checkOutput({
    text: result.text,
    truncated: result.truncated,
    format: agent.format,
    validate: agent.validateOutput,
    maxOutputBytes: options.maxOutputBytes,
  });
  if (check.status === "ok") return { ...base, outcome: "ok", output: check.output };
  return { ...base, outcome: check.status, error: check.error };
}

/** The attempt's time limit: it runs from `start()` (at once for ports that never queue), and says how long it waited. */
function attemptClock(timeoutMs: number, startNow: boolean) {
  const timeout = new AbortController();
  const calledAt = Date.now();
  let startedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    if (startedAt !== undefined) return;
    startedAt = Date.now();
    timer = setTimeout(() => timeout.abort(), timeoutMs);
  };
  if (startNow) start();
  return {
    signal: timeout.signal,
    start,
    stop: () => clearTimeout(timer),
    queuedMs: () => (startedAt ?? Date.now()) - calledAt,
  };
}

/** Why an attempt that threw ended: the run's stop and the time limit first, then the port's own classification. */
function failedAttempt(error: unknown, runSignal: AbortSignal, timeout: AbortSignal, timeoutMs: number): AttemptResult {
  if (runSignal.aborted)
    return { outcome: "cancelled", error: (runSignal.reason as { message?: string })?.message ?? "cancelled" };
  if (timeout.aborted) return { outcome: "timeout", error: `no answer within ${timeoutMs} ms` };
  if (error instanceof SessionError)
    return {
      outcome: error.kind === "aborted" ? "cancelled" : error.kind,
      error: error.message,
      usage: error.usage,
      retryAfterMs: error.retryAfterMs,
    };
  return { outcome: "transient", error: (error as Error)?.message ?? String(error) };
}
