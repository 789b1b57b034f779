// Starts a journaled run, or loads one to resume, turning journal problems into a clear error on `resume`.
import { randomUUID } from "node:crypto";
import type { ToolDeps } from "./run-deps.js";
import { UserInputError } from "../errors.js";
import { ResumeError, startJournaledRun, type RunJournal } from "../journal/run-journal.js";
import type { RunEvent } from "../engine/run-types.js";

/** The first progress line of a run: its id, so a host that loses the call (a gateway restart) can still resume it. */
export function startedLine(tool: string, runId: string, resumed: boolean, agents: number): string {
  return `${tool} ${runId} ${resumed ? "resumed" : "started"} with ${agents} agent${agents === 1 ? "" : "s"}; if it is interrupted, call ${tool} again with resume: "${runId}" (or "latest")`;
}

/** A tool's run: a new one with a fresh id (`<prefix>-xxxxxxxx`) or the one `raw.resume` names, journaled in deps.journalDir. */
export function startToolRun(
  tool: string,
  idPrefix: string,
  raw: unknown,
  deps: Pick<ToolDeps, "runId" | "journalSecrets" | "owner"> & { journalDir?: string },
) {
  return resumeOrStart({
    dir: deps.journalDir,
    tool,
    raw,
    newRunId: deps.runId ?? `${idPrefix}-${randomUUID().slice(0, 8)}`,
    secrets: deps.journalSecrets,
    owner: deps.owner,
  });
}

export function resumeOrStart(options: Parameters<typeof startJournaledRun>[0]): ReturnType<typeof startJournaledRun> {
  try {
    return startJournaledRun(options);
  } catch (error) {
    if (error instanceof ResumeError)
      throw new UserInputError({
        field: "resume",
        value: (options.raw as { resume?: unknown }).resume,
        message: error.message,
        fix: 'pass the runId of an earlier run of this tool (see `parallel-agents runs`), or "latest" for the newest unfinished one',
      });
    throw error;
  }
}

/** Journals the engine's events as they come: every attempt, and every agent's final outcome (on disk first). */
export function journalRunEvents(journal: RunJournal | undefined): (event: RunEvent) => void {
  return (event) => {
    if (event.type === "attempt-ended")
      journal?.append({ t: "attempt", index: event.index, attempt: event.attempt, at: Date.now() });
    if (event.type === "agent-ended") journal?.append({ t: "agent-end", result: event.result, at: Date.now() });
  };
}

/**
 * Closes a run in its journal, saying how it stopped early if it did: `cancelled` is what `resume: "latest"` finishes;
 * a run stopped by its wait policy, deadline, budget or a refused plan ended as asked.
 */
export function journalRunEnd(
  journal: RunJournal | undefined,
  end: { counts: unknown; stopReason?: string; stopKind?: string },
): void {
  journal?.append({
    t: "run-end",
    counts: end.counts,
    ...(end.stopReason ? { stopReason: end.stopReason } : {}),
    ...(end.stopKind ? { stopKind: end.stopKind } : {}),
    at: Date.now(),
  });
}
