// Turns an engine run into the tool result: a compact text the host model reads, and structured details.
import { agentDetails } from "../../runs/agent-details.js";
import type { RunResult } from "../../engine/scheduler.js";
import type { CallLadder } from "../../runs/run-deps.js";

/**
 * Characters of agent output shown to the host model in total; details always carry everything. Under OpenClaw's cap
 * on one tool result for models of 100k tokens and more (32,000 characters; 16,000 below), so that each agent keeps
 * its share instead of the host cutting the last ones off (bench/host-read).
 */
export const SUMMARY_CHAR_BUDGET = 24_000;
/** Every agent may show at least this many characters, whatever the budget. */
const MIN_AGENT_CHARS = 600;
/** Characters of an unchecked answer (an agent that did not end ok) shown at most. */
const UNCHECKED_CHARS = 800;

/** What a result says besides the agents: the ladder used and notes about the runtime. */
export type RunContext = { ladder?: CallLadder; notes?: readonly string[] };

export function runDetails(run: RunResult, context: RunContext = {}) {
  return {
    runId: run.runId,
    agents: run.agents.map(agentDetails),
    counts: run.counts,
    usage: run.usage ?? null,
    attempts: run.attempts,
    durationMs: run.durationMs,
    ...(run.stopReason ? { stopReason: run.stopReason } : {}),
    ...(context.ladder ? { ladder: { models: [...context.ladder.models], source: context.ladder.source } } : {}),
    ...(context.notes?.length ? { notes: [...context.notes] } : {}),
  };
}

/** The lines about the ladder (when there is one) and the runtime's notes, for the text the host model reads. */
export function contextLines(context: RunContext): string[] {
  const lines: string[] = [];
  if (context.ladder && context.ladder.models.length > 0)
    lines.push(`Ladder: ${context.ladder.models.join(" -> ")} (${context.ladder.source}).`);
  for (const note of context.notes ?? []) lines.push(`Note: ${note}`);
  return lines;
}

export function summarizeRun(run: RunResult, tool = "parallel_run", context: RunContext = {}): string {
  const counts = Object.entries(run.counts)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${n} ${o}`)
    .join(", ");
  const tokens = run.usage
    ? `, ${run.usage.totalTokens} tokens${run.usage.costUsd !== undefined ? `, $${run.usage.costUsd.toFixed(4)}` : ""}`
    : "";
  const lines = [
    `${tool} ${run.runId}: ${plural(run.agents.length, "agent")}, ${counts} (${seconds(run.durationMs)}, ${plural(run.attempts, "attempt")}${tokens})`,
  ];
  if (run.stopReason) lines.push(`Stopped early: ${run.stopReason}.`);
  lines.push(...contextLines(context));
  // What each agent shows: its checked output when ok, else at most 800 characters of its unchecked last answer.
  const shown = run.agents.map((r) =>
    r.outcome === "ok" ? (typeof r.output === "string" ? r.output : JSON.stringify(r.output)) : (r.text ?? ""),
  );
  const allowed = allotChars(
    shown.map((t, i) => (run.agents[i]!.outcome === "ok" ? t.length : Math.min(t.length, UNCHECKED_CHARS))),
    SUMMARY_CHAR_BUDGET,
  );
  run.agents.forEach((r, i) => {
    const model = r.model ?? "default model";
    const score = r.judged ? `, score ${r.judged.score}` : "";
    const head = `\n${r.index + 1}. [${r.outcome}] ${r.label}${r.label !== r.type ? ` (${r.type})` : ""}, ${model}, ${seconds(r.durationMs)}, ${plural(r.attempts.length, "attempt")}${score}${toolCallsText(r.toolCalls)}`;
    lines.push(head);
    if (r.outcome === "ok") lines.push(clip(shown[i]!, allowed[i]!, i));
    else {
      if (r.reason) lines.push(`reason: ${clip(r.reason, 400, i)}`);
      if (shown[i]) lines.push(`last answer (unchecked): ${clip(shown[i]!, allowed[i]!, i)}`);
    }
  });
  return lines.join("\n");
}

/** ", tools: read x2, web_search x1" for an agent that called tools. */
function toolCallsText(calls: Record<string, number> | undefined): string {
  if (!calls) return "";
  const entries = Object.entries(calls);
  const shown = entries.slice(0, 8).map(([name, n]) => `${name} x${n}`);
  return `, tools: ${shown.join(", ")}${entries.length > 8 ? `, +${entries.length - 8} more` : ""}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Splits `budget` characters among texts of these lengths: a text shorter than its even share takes only what it
 * needs, and what it leaves goes to the longer ones; every text may show at least MIN_AGENT_CHARS.
 */
export function allotChars(lengths: readonly number[], budget: number): number[] {
  const allowed = new Array<number>(lengths.length).fill(0);
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]!);
  let left = budget;
  order.forEach((i, k) => {
    const share = Math.max(MIN_AGENT_CHARS, Math.floor(left / (order.length - k)));
    allowed[i] = Math.min(lengths[i]!, share);
    left = Math.max(0, left - allowed[i]!);
  });
  return allowed;
}

/** The text, cut to `max` characters with a note of what was cut and where the whole is (agent i's details). */
function clip(text: string, max: number, agent: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... [${text.length - max} more characters in details.agents[${agent}]]`;
}
