// How a batch-mode run reads in `runs`, `run --batch` and `wait`: each batch's state and counts, and whether the run
// still waits on its batches (detached, or interrupted while waiting) rather than being a plain cancelled run.
import type { BatchPortEvent } from "../batch/batch-port.js";
import { listRuns, type JournaledBatch, type LoadedRun } from "../journal/run-journal.js";
import type { ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";
import { runsDir } from "./run-commands.js";

const requests = (n: number) => `${n} request${n === 1 ? "" : "s"}`;

/** True while a batch-mode run has agents that a `wait` would still collect. */
export function isWaitingOnBatches(run: LoadedRun): boolean {
  return (run.batches?.length ?? 0) > 0 && (!run.ended || run.stopKind === "cancelled");
}

/** `batch_1 in_progress, 1200/2000 done, 3 failed`. */
export function describeBatch(
  batch: Pick<JournaledBatch, "batchId" | "status" | "counts" | "customIds" | "reason">,
): string {
  const total = batch.counts?.total ?? batch.customIds.length;
  const counts = batch.counts
    ? `, ${batch.counts.completed}/${total} done${batch.counts.failed ? `, ${batch.counts.failed} failed` : ""}`
    : `, ${requests(total)}`;
  const reason = batch.reason && ["failed", "expired", "not created"].includes(batch.status) ? `: ${batch.reason}` : "";
  return `${batch.batchId ?? "(not yet created)"} ${batch.status}${counts}${reason}`;
}

/** One progress line per batch event, for stderr. */
export function describeBatchEvent(event: BatchPortEvent): string {
  switch (event.type) {
    case "submitted":
      return `batch ${event.batchId}: submitted, ${requests(event.requests)}`;
    case "submit-failed":
      return `batch of ${requests(event.requests)} not created: ${event.reason}`;
    case "status":
      return `batch ${describeBatch({ batchId: event.batchId, status: event.status, counts: event.counts, customIds: [], reason: event.reason })}`;
    case "downloaded":
      return `batch ${event.batchId}: ${event.requests} result${event.requests === 1 ? "" : "s"} downloaded`;
  }
}

/** A batch run's line in `runs`: its state, each batch, and the command that collects it. */
function runLine(run: LoadedRun): string {
  const batches = run.batches ?? [];
  const head = `${run.runId}  ${new Date(run.startedAt).toISOString()}  ${run.tool}`;
  const list = batches.map(describeBatch).join("; ");
  if (isWaitingOnBatches(run))
    return `${head}  waiting on ${batches.length === 1 ? "batch" : `${batches.length} batches`}: ${list}  (parallel-agents wait ${run.runId})`;
  return `${head}  ${run.results.size} agents finished; ${batches.length === 1 ? "batch" : "batches"}: ${list}${run.ended ? "" : `  (unfinished: parallel-agents wait ${run.runId})`}`;
}

/** A batch as `runs --json` and `run --batch --json` list it. */
export function batchJson(batch: JournaledBatch) {
  return {
    batchId: batch.batchId ?? null,
    provider: batch.provider,
    status: batch.status,
    requests: batch.customIds.length,
    ...(batch.counts ? { counts: batch.counts } : {}),
    ...(batch.reason ? { reason: batch.reason } : {}),
  };
}

type Command = (args: ParsedArgs, io: CliIo) => Promise<number>;

/**
 * `runs` with batch runs shown as such: the listing command's own output, with each batch run's line (or JSON entry)
 * told by its batches. Other runs' lines pass through unchanged.
 */
export async function runsWithBatches(args: ParsedArgs, io: CliIo, list: Command): Promise<number> {
  let out = "";
  const code = await list(args, { ...io, stdout: (text) => void (out += text) });
  const batchRuns = new Map(
    listRuns(runsDir(args, io))
      .filter((r) => (r.batches?.length ?? 0) > 0)
      .map((r) => [r.runId, r]),
  );
  if (batchRuns.size === 0) {
    io.stdout(out);
    return code;
  }
  if (args.values.json === true) {
    const entries = JSON.parse(out) as Array<{ runId: string }>;
    const told = entries.map((entry) => {
      const run = batchRuns.get(entry.runId);
      return run
        ? { ...entry, waitingOnBatch: isWaitingOnBatches(run), batches: (run.batches ?? []).map(batchJson) }
        : entry;
    });
    io.stdout(`${JSON.stringify(told, null, 2)}\n`);
    return code;
  }
  const lines = out.split("\n").map((line) => {
    const run = batchRuns.get(line.split("  ")[0] ?? "");
    return run ? runLine(run) : line;
  });
  io.stdout(lines.join("\n"));
  return code;
}
