// The records every run produces: one definite outcome per agent, with its evidence.
import type { ToolCallCounts, Usage } from "./port.js";

export const OUTCOMES = ["ok", "invalid", "failed", "timeout", "cancelled", "skipped"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Whether a resume keeps this result: every final outcome except cancelled and skipped (those never ran to the end). */
export function isReusable(result: AgentResult): boolean {
  return result.outcome !== "cancelled" && result.outcome !== "skipped";
}

/** What one attempt ended with, before the engine decides what to do next. */
export type AttemptOutcome =
  | "ok"
  | "invalid"
  | "empty"
  | "transient"
  | "rate_limited"
  | "fatal"
  | "timeout"
  | "cancelled";

export type AttemptRecord = {
  attempt: number;
  model: string | null;
  kind: "first" | "retry" | "repair" | "escalation" | "judge";
  outcome: AttemptOutcome;
  startedAt: number;
  durationMs: number;
  /** Time this attempt waited for a slot (host lane or model cap) before it started; not counted against its limit. */
  queuedMs?: number;
  error?: string;
  usage?: Usage;
  /** Tool calls made in this attempt, by tool name. */
  toolCalls?: ToolCallCounts;
};

export type AgentResult = {
  index: number;
  id: string;
  type: string;
  label: string;
  outcome: Outcome;
  /** The validated output (parsed JSON for json types, the text otherwise); null unless ok. */
  output: unknown;
  /** The raw text of the last answer (kept even when invalid), capped at maxOutputBytes. */
  text: string | null;
  /** The model of the last attempt (null: the host's default). */
  model: string | null;
  attempts: AttemptRecord[];
  /** Why the agent ended this way, when not ok. */
  reason?: string;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number;
  usage?: Usage;
  /** The runtime that ran the agent: "openclaw-completion", "openclaw-session", "openclaw-session-tools" or "openai-http". */
  runtime?: string;
  /** Time spent waiting for a slot before attempts started, summed over attempts; absent when none. */
  queuedMs?: number;
  /** Tool calls the agent made, by tool name, summed over attempts; absent when none. */
  toolCalls?: ToolCallCounts;
  /** The judge's verdict on the kept answer (the best-scored one), when the call asked for a judge. */
  judged?: Judgement;
  /** Why the kept answer has no verdict although a judge was asked for (the judge failed or answered invalid). */
  unjudged?: string;
  /** bestOf: every candidate that ran, where and how it scored (the kept one among them). */
  candidates?: Array<{ model: string | null; outcome: Outcome; score?: number; reason?: string }>;
};

/** A judge's verdict: the score the engine computed from the per-dimension scores, and what would raise it. */
export type Judgement = { score: number; dimensions: Record<string, number>; feedback: string };
