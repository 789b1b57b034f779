// parallel_run, host-independent: check the call, run the agents on the engine, and shape the result.
import { randomUUID } from "node:crypto";
import type { ToolDeps } from "../tool-deps.js";
import type { SessionPort } from "../../engine/port.js";
import { runAgents, type RunEvent, type RunResult } from "../../engine/run-agents.js";
import { prepareParallelRun, type PreparedRun } from "./prepare.js";
import { runDetails, summarizeRun } from "./format-result.js";

export type ParallelRunDeps = Omit<ToolDeps, "userDir" | "onProgress"> & {
  /** The port, or a factory given the checked call (e.g. for its cleanup mode). */
  port: SessionPort | ((prepared: PreparedRun) => SessionPort);
  /** Called with a short line as each agent finishes. */
  onProgress?: (text: string, event: RunEvent) => void;
};

export type ParallelRunOutput = { text: string; details: ReturnType<typeof runDetails>; run: RunResult; prepared: PreparedRun };

export async function executeParallelRun(raw: unknown, deps: ParallelRunDeps): Promise<ParallelRunOutput> {
  const snapshot = await deps.registry.refresh();
  const prepared = prepareParallelRun(raw, { config: deps.config, types: snapshot.types });
  const runId = deps.runId ?? `pr-${randomUUID().slice(0, 8)}`;
  let finished = 0;
  const run = await runAgents({
    runId,
    port: typeof deps.port === "function" ? deps.port(prepared) : deps.port,
    agents: prepared.agents,
    maxConcurrent: prepared.maxConcurrent,
    retries: prepared.retries,
    maxOutputBytes: prepared.maxOutputBytes,
    wait: prepared.wait,
    deadlineMs: prepared.deadlineMs,
    maxAttempts: prepared.maxAttempts,
    budgetTokens: prepared.budgetTokens,
    signal: deps.signal,
    backoff: deps.backoff,
    onEvent: (event) => {
      if (event.type !== "agent-ended" || !deps.onProgress) return;
      finished++;
      const r = event.result;
      deps.onProgress(`${finished}/${prepared.agents.length} done: ${r.label} ${r.outcome} (${(r.durationMs / 1000).toFixed(1)} s)`, event);
    },
  });
  return { text: summarizeRun(run), details: runDetails(run), run, prepared };
}
