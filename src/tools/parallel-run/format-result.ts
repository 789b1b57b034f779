// Turns an engine run into the tool result: a compact text the host model reads, and structured details.
import { agentDetails } from "../../runs/agent-details.js";
import type { RunResult } from "../../engine/scheduler.js";

/** Characters of agent output shown to the host model in total; details always carry everything. */
export const SUMMARY_CHAR_BUDGET = 24_000;

export function runDetails(run: RunResult) {
  return {
    runId: run.runId,
    agents: run.agents.map(agentDetails),
    counts: run.counts,
    usage: run.usage ?? null,
    attempts: run.attempts,
    durationMs: run.durationMs,
    ...(run.stopReason ? { stopReason: run.stopReason } : {}),
  };
}

export function summarizeRun(run: RunResult, tool = "parallel_run"): string {
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
  const perAgent = Math.max(600, Math.floor(SUMMARY_CHAR_BUDGET / Math.max(1, run.agents.length)));
  for (const r of run.agents) {
    const model = r.model ?? "default model";
    const head = `\n${r.index + 1}. [${r.outcome}] ${r.label}${r.label !== r.type ? ` (${r.type})` : ""}, ${model}, ${seconds(r.durationMs)}, ${plural(r.attempts.length, "attempt")}${toolCallsText(r.toolCalls)}`;
    lines.push(head);
    if (r.outcome === "ok")
      lines.push(clip(typeof r.output === "string" ? r.output : JSON.stringify(r.output), perAgent));
    else {
      if (r.reason) lines.push(`reason: ${clip(r.reason, 400)}`);
      if (r.text) lines.push(`last answer (unchecked): ${clip(r.text, Math.min(perAgent, 800))}`);
    }
  }
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

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}... [${text.length - max} more characters in details]`;
}
