// One agent's result as the tools publish it in `details`: complete for programs, without copies.
import type { AgentResult } from "../engine/outcome.js";

/** Shape published as AgentResultSchema (agent-details-schema.ts). */
export function agentDetails(result: AgentResult) {
  return {
    id: result.id,
    type: result.type,
    label: result.label,
    outcome: result.outcome,
    output: result.output,
    text: result.text,
    model: result.model,
    attempts: result.attempts.map((a) => ({
      model: a.model,
      kind: a.kind,
      outcome: a.outcome,
      durationMs: a.durationMs,
      ...(a.queuedMs ? { queuedMs: a.queuedMs } : {}),
      ...(a.error ? { error: a.error } : {}),
    })),
    durationMs: result.durationMs,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
    ...(result.runtime ? { runtime: result.runtime } : {}),
    ...(result.queuedMs ? { queuedMs: result.queuedMs } : {}),
    ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
  };
}
