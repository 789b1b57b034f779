// `run --batch` and `wait`: parallel_run through a provider's batch API. `run --batch` renders every agent's prompt,
// submits them, journals the batches and returns with the run id; `wait RUN_ID` (or `resume` of a batch run)
// reattaches, polls with a progress line, and runs every answer through the engine's checks, repair and ladder.
import { resolveConfig } from "../config.js";
import { journalFile, readJournal, type LoadedRun } from "../journal/run-journal.js";
import { executeParallelRun, type ParallelRunOutput } from "../tools/parallel-run/execute.js";
import { CliError, hasFlag, type ParsedArgs } from "./args.js";
import { batchSetup, type BatchSetup } from "./batch-setup.js";
import { batchJson, describeBatch, describeBatchEvent } from "./batch-runs-view.js";
import { callParams } from "./call-params.js";
import { cliRegistry } from "./catalogue-commands.js";
import type { CliIo } from "./io.js";
import { EXIT, runsDir } from "./run-commands.js";

/** Longest an interrupted command waits for a batch create in flight, so its id is journaled. */
const CREATE_GRACE_MS = 30_000;

/** `run --batch`: submit, journal, print the run id and batches, return (exit 0 once everything is submitted). */
export async function batchRunCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const params = callParams(args, io);
  const controller = new AbortController();
  let submitted = 0;
  const setup: BatchSetup = batchSetup(args, io, {
    journalDir: runsDir(args, io),
    onBatch: (event) => {
      if (event.type === "submitted") submitted++;
      if (!hasFlag(args, "json")) io.stderr(`${describeBatchEvent(event)}\n`);
      // detach once every request asked for is in a batch: the agents end cancelled (not reusable), and `wait`
      // attaches each one to its batch again
      if ((event.type === "submitted" || event.type === "submit-failed") && submitted > 0)
        if (setup.batchPort()?.unsubmitted() === 0) controller.abort();
    },
  });
  const out = await runBatchMode(args, io, params, setup, controller);
  if (!out) return EXIT.cancelled;
  const batches = setup.batchPort()?.batches() ?? [];
  const waiting = out.run.counts.cancelled;
  if (batches.length === 0 || !controller.signal.aborted) return finished(args, io, out, setup);
  const { runId } = out.run;
  const ended = out.run.agents.length - waiting;
  if (hasFlag(args, "json")) {
    io.stdout(
      `${JSON.stringify(
        {
          runId,
          provider: setup.provider,
          detached: true,
          waiting,
          ...(ended > 0 ? { counts: out.run.counts } : {}),
          batches: batches.map(batchJson),
          wait: `parallel-agents wait ${runId}`,
        },
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const lines = [
    `parallel_run ${runId}: ${waiting} agent${waiting === 1 ? "" : "s"} submitted to ${setup.provider} in ${batches.length === 1 ? "1 batch" : `${batches.length} batches`}${ended > 0 ? ` (${ended} ended before: ${countsText(out)})` : ""}`,
    ...batches.map((b) => `  ${describeBatch(b)}`),
    "",
    "A batch finishes within 24 h (often much sooner), at about half the live price. Collect the answers (checked,",
    "repaired and escalated as in a live run) with:",
    `  parallel-agents wait ${runId}`,
    `journal: ${journalFile(runsDir(args, io), runId)}`,
  ];
  io.stdout(`${lines.join("\n")}\n`);
  return EXIT.ok;
}

/** `--provider` and `--repair-live` say how a batch run goes: without `--batch` they are a mistake, never ignored. */
export function refuseBatchFlags(args: ParsedArgs): void {
  for (const name of ["provider", "repair-live"])
    if (args.values[name] !== undefined) throw new CliError(`--${name} is for batch mode: add --batch, or remove it`);
}

/** `wait RUN_ID`: reattach to a batch run's batches and finish it (also what `resume` does for a batch run). */
export async function waitCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (!id) throw new CliError("usage: parallel-agents wait RUN_ID");
  const run = loadBatchRun(args, io, id);
  if (!run) throw new CliError(`run "${id}" sent no batches: finish it with parallel-agents resume ${id}`);
  const setup = batchSetup(args, io, {
    journaled: run,
    journalDir: runsDir(args, io),
    onBatch: (event) => {
      if (!hasFlag(args, "json")) io.stderr(`${describeBatchEvent(event)}\n`);
    },
  });
  const controller = new AbortController();
  const out = await runBatchMode(args, io, { resume: id }, setup, controller);
  if (!out) return EXIT.cancelled;
  return finished(args, io, out, setup);
}

/** The journal of `id` when it is a batch-mode run; undefined for a live run; a CLI error when there is none. */
export function loadBatchRun(args: ParsedArgs, io: CliIo, id: string): LoadedRun | undefined {
  let run: LoadedRun;
  try {
    run = readJournal(journalFile(runsDir(args, io), id));
  } catch (error) {
    throw new CliError(`no run "${id}": ${(error as Error).message}`);
  }
  return run.batchMode || run.batches ? run : undefined;
}

/** Runs the call in batch mode; undefined when Ctrl-C stopped it (the resume hint is printed). */
async function runBatchMode(
  args: ParsedArgs,
  io: CliIo,
  params: Record<string, unknown>,
  setup: BatchSetup,
  controller: AbortController,
): Promise<ParallelRunOutput | undefined> {
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    controller.abort();
  };
  process.once("SIGINT", onSignal);
  try {
    const out = await executeParallelRun(params, {
      config: resolveConfig({}),
      registry: cliRegistry(args, io),
      port: setup.portFor,
      batch: true,
      journalDir: runsDir(args, io),
      journalSecrets: setup.secrets,
      signal: controller.signal,
    });
    if (!interrupted) return out;
    io.stderr(
      `cancelled; the batches go on at the provider: collect them with parallel-agents wait ${out.run.runId}\n`,
    );
    return undefined;
  } finally {
    // a create still in flight (Ctrl-C while submitting) gets its answer, and its id the journal, before the exit
    await setup.close(CREATE_GRACE_MS);
    process.removeListener("SIGINT", onSignal);
  }
}

/** A run that ended (every answer in): the summary or the details, and the exit status by outcomes. */
function finished(args: ParsedArgs, io: CliIo, out: ParallelRunOutput, setup: BatchSetup): number {
  const batches = setup.batchPort()?.batches() ?? [];
  if (hasFlag(args, "json"))
    io.stdout(`${JSON.stringify({ ...out.details, batches: batches.map(batchJson) }, null, 2)}\n`);
  else {
    const list = batches.map((b) => `  ${describeBatch(b)}`).join("\n");
    io.stdout(
      `\n${out.text}\n\n${batches.length > 0 ? `batches (${setup.provider}):\n${list}\n` : ""}journal: ${journalFile(runsDir(args, io), out.run.runId)}\n`,
    );
  }
  const { ok, cancelled } = out.run.counts;
  if (cancelled > 0)
    io.stderr(`${cancelled} agents still wait on their batches: parallel-agents wait ${out.run.runId}\n`);
  return ok === out.run.agents.length ? EXIT.ok : ok > 0 ? EXIT.partial : EXIT.failure;
}

function countsText(out: ParallelRunOutput): string {
  return Object.entries(out.run.counts)
    .filter(([outcome, n]) => n > 0 && outcome !== "cancelled")
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(", ");
}
