// Judging an ok answer: one attempt of the judge agent on the answer (as data), its per-dimension scores turned into
// the score by the engine (a weighted mean; the judge's own total is never asked for), and the message that sends
// the agent back with the judge's feedback.
import { runAttempt, type AttemptResult } from "./attempt.js";
import type { Judgement } from "./outcome.js";
import { capBytes, type SessionPort } from "./port.js";
import type { JudgeSpec, PreparedAgent } from "./run-types.js";

/** The weighted mean of the scores of the weighted dimensions, 0-10 to two decimals; undefined when one is missing. */
export function scoreFromDimensions(
  dimensions: Readonly<Record<string, number>>,
  weights: Readonly<Record<string, number>>,
): number | undefined {
  let sum = 0;
  let total = 0;
  for (const [dimension, weight] of Object.entries(weights)) {
    const score = dimensions[dimension];
    if (typeof score !== "number" || !Number.isFinite(score)) return undefined;
    sum += Math.min(10, Math.max(0, score)) * weight;
    total += weight;
  }
  return total > 0 ? Math.round((sum / total) * 100) / 100 : undefined;
}

/** The verdict read from the judge's checked answer: `{ scores: { <dimension>: { score, note } }, feedback }`. */
export function readJudgement(output: unknown, weights: Readonly<Record<string, number>>): Judgement | string {
  const value = output as { scores?: Record<string, { score?: unknown; note?: unknown }>; feedback?: unknown };
  const dimensions: Record<string, number> = {};
  const notes: string[] = [];
  for (const dimension of Object.keys(weights)) {
    const entry = value?.scores?.[dimension];
    if (typeof entry?.score !== "number") return `the judge gave no score for ${dimension}`;
    dimensions[dimension] = entry.score;
    if (typeof entry.note === "string" && entry.note.trim() !== "") notes.push(`${dimension}: ${entry.note.trim()}`);
  }
  const score = scoreFromDimensions(dimensions, weights);
  if (score === undefined) return "the judge's scores could not be combined";
  const feedback = [typeof value.feedback === "string" ? value.feedback.trim() : "", ...notes]
    .filter((line) => line !== "")
    .join("\n");
  return { score, dimensions, feedback: capBytes(feedback, 4096).text };
}

/** One judge attempt on an answer: the attempt as recorded, and the verdict or why there is none. */
export async function judgeAnswer(options: {
  agent: PreparedAgent;
  spec: JudgeSpec;
  answer: string;
  attemptKey: string;
  runSignal: AbortSignal;
  maxOutputBytes: number;
  port: SessionPort;
}): Promise<{ attempt: AttemptResult; verdict: Judgement | string }> {
  const { spec } = options;
  const prompt = spec.prompt(options.answer);
  const judgeAgent: PreparedAgent = {
    id: `${options.agent.id}-judge`,
    type: "output_judge",
    label: `${options.agent.label} (judge)`,
    format: "json",
    validateOutput: spec.validate,
    ...(spec.outputSchema ? { outputSchema: spec.outputSchema } : {}),
    ladder: [spec.model],
    timeoutMs: spec.timeoutMs,
    prompt,
  };
  const attempt = await runAttempt({
    agent: judgeAgent,
    model: spec.model,
    system: prompt.system,
    message: prompt.message,
    attemptKey: options.attemptKey,
    runSignal: options.runSignal,
    maxOutputBytes: options.maxOutputBytes,
    port: options.port,
  });
  if (attempt.outcome !== "ok")
    return {
      attempt,
      verdict: `the judge's attempt ended ${attempt.outcome}${attempt.error ? `: ${attempt.error}` : ""}`,
    };
  const verdict = readJudgement(attempt.output, spec.weights);
  return {
    attempt: typeof verdict === "string" ? { ...attempt, outcome: "invalid", error: verdict } : attempt,
    verdict,
  };
}

/** The task again, with the judged answer (as data), its score and what the judge said would raise it. */
export function buildJudgedRetryMessage(options: { message: string; judgement: Judgement; threshold: number }): string {
  // The weak answer itself is not sent again: the judge's feedback and notes name what to change, and a stronger
  // model writes afresh from the task. Resending it made each escalation cost ~1.2 x a plain answer (bench/ladder).
  return [
    options.message,
    "",
    `## A previous answer to this task scored ${options.judgement.score}/10; ${options.threshold} is needed`,
    "A reviewer judged it. What would raise the score:",
    options.judgement.feedback || "(no feedback given)",
    "",
    "Write a better answer to the task that acts on this feedback, in the form the output contract asks for.",
  ].join("\n");
}
