// The engine's vocabulary: what it is given (prepared agents, options) and what it returns (a run's result, events).
import type { Static } from "@sinclair/typebox";
import type { OutputFormat } from "../registry/agent-type-schema.js";
import type { Validator } from "../validation/json-validator.js";
import type { AgentResult, AttemptRecord, Outcome } from "./outcome.js";
import type { SessionPort, Usage } from "./port.js";

/** An agent's prompt as the port sends it: the system prompt and the one task message. */
export type RenderedPrompt = { system: string; message: string };

export type PreparedAgent = {
  id: string;
  type: string;
  label: string;
  format: Static<typeof OutputFormat>;
  validateOutput?: Validator;
  /** The JSON Schema behind validateOutput, offered to ports that can ask for constrained output. */
  outputSchema?: object;
  /** "host": runs with the host's tools (on the port's `withTools`); absent: none. */
  tools?: "host";
  /** Models to try in order; `undefined` is the host's default model. At least one rung. */
  ladder: ReadonlyArray<string | undefined>;
  timeoutMs: number;
  /** Indexes of agents whose ok result this one needs. */
  dependsOn?: readonly number[];
  /** Scores each ok answer; below the threshold the agent tries again on the next rung with the judge's feedback. */
  judge?: JudgeSpec;
  /** The prompt, or a builder that makes it from the dependencies' results once they are ok. */
  prompt: RenderedPrompt | ((dependencies: AgentResult[]) => RenderedPrompt);
};

/** How an agent's ok answers are judged (parallel_run's `judge`). */
export type JudgeSpec = {
  /** Answers scoring at least this (0-10) are accepted; below it the agent climbs one rung with the feedback. */
  threshold: number;
  /** The judge's prompt for one answer (the answer as data). */
  prompt: (answer: string) => RenderedPrompt;
  /** Checks the judge's answer (per-dimension scores and feedback). */
  validate: Validator;
  outputSchema?: object;
  /** Weight of each scored dimension: the score is their weighted mean, never the judge's own total. */
  weights: Readonly<Record<string, number>>;
  /** The model that judges; undefined is the host's default. */
  model: string | undefined;
  timeoutMs: number;
};

export type WaitPolicy = "all" | { first: number };

export type RunEvent =
  | { type: "agent-started"; index: number; at: number }
  | { type: "attempt-ended"; index: number; attempt: AttemptRecord }
  | { type: "agent-ended"; result: AgentResult };

export type Backoff = { baseMs: number; maxMs: number; random?: () => number };

export type RunOptions = {
  runId: string;
  port: SessionPort;
  agents: readonly PreparedAgent[];
  /** Agents running at once. */
  maxConcurrent: number;
  /** Same-model retries of transient faults (and timeouts) per rung. */
  retries: number;
  /** Keep at most this many bytes of each answer. */
  maxOutputBytes: number;
  /** @default "all" */
  wait?: WaitPolicy;
  /** Whole-run deadline in ms from start; agents running then time out, unstarted ones are skipped. */
  deadlineMs?: number;
  /** Cap on attempts across all agents. */
  maxAttempts?: number;
  /** Stop starting attempts once reported usage reaches this many tokens. */
  budgetTokens?: number;
  /** Stop starting attempts once reported cost reaches this many US dollars. */
  budgetCostUsd?: number;
  /** Backoff of same-model retries. @default { baseMs: 500, maxMs: 8000 } */
  backoff?: Backoff;
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
  /** How it stopped early: cancelled from outside, its deadline, its wait policy, or a budget or attempt cap. */
  stopKind?: RunStopKind;
};

export type RunStopKind = StopKind | "budget";

/** Why a run stopped everything at once: cancelled from outside, its deadline, or its wait policy met. */
export type StopKind = "cancelled" | "deadline" | "first";
export type StopInfo = { kind: StopKind; message: string };
