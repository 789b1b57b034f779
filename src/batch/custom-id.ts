// Request ids that a resumed run computes again: the same attempt of the same agent with the same prompt gets the same
// custom_id in every process, so a request already in a journaled batch is found there instead of submitted twice.
import { createHash } from "node:crypto";
import type { SessionRequest } from "../engine/port.js";
import { parseAttemptKey } from "../engine/scheduler.js";

/** Characters of hex in a custom_id after its `pa-` prefix (128 bits; Anthropic allows 64 characters in all). */
const ID_HEX = 32;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * A function giving each request of run `runId` its custom_id: a hash of the agent's index and attempt number (both
 * replay the same on resume, unlike the attempt key's per-process prefix), the model and the prompt. Requests from
 * outside the scheduler are keyed by their label and how many identical ones came before.
 */
export function createCustomIds(runId: string): (request: SessionRequest, model: string) => string {
  const seen = new Map<string, number>();
  return (request, model) => {
    const who = slotOf(request) ?? `label ${request.label}`;
    const base = sha256(JSON.stringify([runId, who, model, request.system, request.message]));
    const nth = (seen.get(base) ?? 0) + 1;
    seen.set(base, nth);
    return `pa-${sha256(`${base}:${nth}`).slice(0, ID_HEX)}`;
  };
}

/** The agent attempt a request is ("agent 3 attempt 1"), the same in every process; undefined outside the scheduler. */
export function slotOf(request: SessionRequest): string | undefined {
  const at = parseAttemptKey(request.attemptKey);
  return at ? `agent ${at.index} attempt ${at.attempt}` : undefined;
}

/** The key of one submission: the same requests in the same order give the same key (sent as the batch's metadata). */
export function submissionKey(runId: string, customIds: readonly string[]): string {
  const hash = createHash("sha256").update(runId);
  for (const id of customIds) hash.update(`\n${id}`);
  return `pa-${hash.digest("hex").slice(0, ID_HEX)}`;
}
