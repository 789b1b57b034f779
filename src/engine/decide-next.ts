// The retry and escalation policy as one pure function: what to do after an attempt ends.
import type { AttemptOutcome, Outcome } from "./outcome.js";

export type DecisionInput = {
  outcome: AttemptOutcome;
  /** Rung of the ladder the attempt ran on, and how many rungs the agent's ladder has. */
  rung: number;
  rungs: number;
  /** Transient retries already made on this rung. */
  retriesOnRung: number;
  /** Whether the one repair attempt on this rung was already used. */
  repairedOnRung: boolean;
  /** Retries allowed per rung for transient faults. */
  maxRetries: number;
  /** Server-given delay for rate limits. */
  retryAfterMs?: number;
  /** Backoff for the next same-model retry (computed by the caller from the retry count). */
  backoffMs: number;
};

export type Decision =
  | { action: "accept" }
  | { action: "retry"; delayMs: number }
  | { action: "repair" }
  | { action: "escalate" }
  | { action: "stop"; outcome: Exclude<Outcome, "ok" | "skipped"> };

/** The final outcome an attempt outcome becomes when nothing more is tried. */
export function finalOutcomeOf(outcome: AttemptOutcome): Exclude<Outcome, "skipped"> {
  switch (outcome) {
    case "ok":
      return "ok";
    case "invalid":
      return "invalid";
    case "timeout":
      return "timeout";
    case "cancelled":
      return "cancelled";
    default:
      return "failed";
  }
}

export function decideNext(input: DecisionInput): Decision {
  const { outcome } = input;
  const canEscalate = input.rung + 1 < input.rungs;
  const stop = (): Decision => ({
    action: "stop",
    outcome: finalOutcomeOf(outcome) as Exclude<Outcome, "ok" | "skipped">,
  });
  switch (outcome) {
    case "ok":
      return { action: "accept" };
    case "cancelled":
      return stop(); // an abort is never retried
    case "transient":
    case "rate_limited":
    case "timeout": // a slow answer may come in time on a second try, like any other transient failure
      if (input.retriesOnRung < input.maxRetries) {
        const delayMs =
          outcome === "rate_limited" && input.retryAfterMs !== undefined ? input.retryAfterMs : input.backoffMs;
        return { action: "retry", delayMs };
      }
      return canEscalate ? { action: "escalate" } : stop();
    case "invalid":
      if (!input.repairedOnRung) return { action: "repair" };
      return canEscalate ? { action: "escalate" } : stop();
    case "empty":
    case "fatal":
      return canEscalate ? { action: "escalate" } : stop();
  }
}

/** Exponential backoff with full jitter: base * 2^retry, capped; `random` injectable for tests. */
export function backoffDelay(retry: number, options: { baseMs: number; maxMs: number; random?: () => number }): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  const r = options.random ? options.random() : Math.random();
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
