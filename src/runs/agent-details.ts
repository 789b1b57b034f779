// One agent's result as the tools publish it in `details`: complete for programs, each fact once, no empty fields.
// Through OpenClaw's default Tool Search bridge the host model reads `details` too, so every copy costs host tokens.
import type { Static } from "@sinclair/typebox";
import type { AgentResult, AttemptRecord } from "../engine/outcome.js";
import type { AgentResultSchema } from "./agent-details-schema.js";

export type AgentDetails = Static<typeof AgentResultSchema>;

/** One agent's details, shaped as AgentResultSchema says. */
export function agentDetails(result: AgentResult): AgentDetails {
  const ok = result.outcome === "ok";
  return {
    id: result.id,
    type: result.type,
    label: result.label,
    outcome: result.outcome,
    // the checked answer: present exactly when ok (even when it is null, for a type whose schema allows it)
    ...(ok ? { output: result.output } : {}),
    // the raw answer only when it says what `output` cannot: unchecked text of an agent that did not end ok
    ...(!ok && result.text ? { text: result.text } : {}),
    ...(result.model !== null ? { model: result.model } : {}),
    attempts: result.attempts.map(attemptDetails),
    durationMs: result.durationMs,
    ...(result.startedAt !== null ? { startedAt: result.startedAt } : {}),
    ...(result.endedAt !== null ? { endedAt: result.endedAt } : {}),
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
    ...(result.runtime ? { runtime: result.runtime } : {}),
    ...(result.queuedMs ? { queuedMs: result.queuedMs } : {}),
    ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
    ...(result.judged ? { judged: result.judged } : {}),
    ...(result.unjudged ? { unjudged: result.unjudged } : {}),
    ...(result.candidates
      ? {
          candidates: result.candidates.map(({ model, ...rest }) => ({
            ...(model !== null ? { model } : {}),
            ...rest,
          })),
        }
      : {}),
  };
}

function attemptDetails(a: AttemptRecord): AgentDetails["attempts"][number] {
  return {
    ...(a.model !== null ? { model: a.model } : {}),
    kind: a.kind,
    outcome: a.outcome,
    durationMs: a.durationMs,
    ...(a.queuedMs ? { queuedMs: a.queuedMs } : {}),
    ...(a.error ? { error: a.error } : {}),
  };
}
