// `run`, `resume`, `runs`, `show`: parallel_run from a terminal against OpenAI-compatible endpoints, journaled.
import fs from "node:fs";
import path from "node:path";
import { LIMITS, resolveConfig } from "../config.js";
import type { RunEvent } from "../engine/scheduler.js";
import { journalFile, listRuns, readJournal } from "../journal/run-journal.js";
import { defaultStateDir, userAgentsDir } from "../registry/catalogue-roots.js";
import { createTypesWithRefine } from "../tools/all-tools.js";
import { executeOrchestrate } from "../tools/orchestrate/execute.js";
import { executeRefineAgent } from "../tools/refine-agent/execute.js";
import { executeParallelRun } from "../tools/parallel-run/execute.js";
import { allowsEscapeCodes } from "./ansi.js";
import { CliError, flag, flagValues, hasFlag, type ParsedArgs } from "./args.js";
import { cliRegistry } from "./catalogue-commands.js";
import { cliPort, formatEndpointStats, type CliPort } from "./cli-port.js";
import type { CliIo } from "./io.js";
import { callParams, readParamsFile } from "./call-params.js";
import { createLiveView } from "./live-view.js";
import { renderHtmlReport, renderMarkdownReport } from "../report/render-report.js";

/** Exit status: every agent ok / some ok / none ok / cancelled; `refused`: orchestrate's plan stayed invalid, nothing ran. */
export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3, refused: 4, cancelled: 130 } as const;

export function runsDir(args: ParsedArgs, io: CliIo): string {
  return path.resolve(
    io.cwd,
    flag(args, "runs-dir") ?? path.join(flag(args, "state-dir") ?? defaultStateDir(io.env), "parallel-agents", "runs"),
  );
}

/** The engine's config for a CLI run: as many agents at once as the endpoints take, when they said. */
function cliConfig(endpoints: CliPort, raw: { maxAgentsPerCall?: number } = {}) {
  return resolveConfig({
    ...raw,
    ...(endpoints.capacity ? { maxConcurrent: Math.min(endpoints.capacity, LIMITS.maxConcurrent) } : {}),
  });
}

export async function runCommand(args: ParsedArgs, io: CliIo, resumeId?: string): Promise<number> {
  const params = resumeId ? { resume: resumeId } : callParams(args, io);
  const endpoints = cliPort(args, io);
  const dir = runsDir(args, io);
  const json = hasFlag(args, "json");
  const config = cliConfig(endpoints, { maxAgentsPerCall: 200 });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  let runId = "";
  const live =
    !json && allowsEscapeCodes(io) ? createLiveView({ write: io.stdout, rows: process.stdout.rows }) : undefined;
  const plain = json || live ? undefined : createPlainView(io);
  try {
    const out = await executeParallelRun(params, {
      config,
      registry: cliRegistry(args, io),
      port: endpoints.port,
      journalDir: dir,
      journalSecrets: endpoints.secrets,
      signal: controller.signal,
      onPrepared: (prepared) => live?.start(prepared.agents.map((a) => a.label)),
      onEvent: (e) => (live ? live.event(e) : plain?.(e)),
    });
    live?.stop();
    runId = out.run.runId;
    const stats = endpoints.stats?.();
    if (json) io.stdout(`${JSON.stringify(stats ? { ...out.details, endpoints: stats } : out.details, null, 2)}\n`);
    else
      io.stdout(
        `\n${out.text}\n${stats ? `\n${formatEndpointStats(stats)}\n` : ""}\njournal: ${journalFile(dir, runId)}\n`,
      );
    if (controller.signal.aborted) {
      io.stderr(`cancelled; finish it with: parallel-agents resume ${runId}\n`);
      return EXIT.cancelled;
    }
    const { ok } = out.run.counts;
    return ok === out.run.agents.length ? EXIT.ok : ok > 0 ? EXIT.partial : EXIT.failure;
  } finally {
    live?.stop();
    process.removeListener("SIGINT", onSignal);
  }
}

/** Plain lines as agents finish: for logs and pipes. */
function createPlainView(io: CliIo) {
  return (event: RunEvent) => {
    if (event.type !== "agent-ended") return;
    const r = event.result;
    io.stdout(
      `[${r.outcome}] ${r.label} (${r.type}) ${(r.durationMs / 1000).toFixed(1)} s${r.reason && r.outcome !== "ok" ? `: ${r.reason}` : ""}\n`,
    );
  };
}

/** A journaled run by id, or a CLI error naming it. */
function loadRun(args: ParsedArgs, io: CliIo, id: string) {
  try {
    return readJournal(journalFile(runsDir(args, io), id));
  } catch (error) {
    throw new CliError(`no run "${id}": ${(error as Error).message}`);
  }
}

export async function runsCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const runs = listRuns(runsDir(args, io));
  if (hasFlag(args, "json")) {
    io.stdout(
      `${JSON.stringify(
        runs.map((r) => ({
          runId: r.runId,
          tool: r.tool,
          startedAt: r.startedAt,
          ended: r.ended,
          finished: r.results.size,
          counts: r.counts,
        })),
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  if (runs.length === 0) io.stdout("no runs yet\n");
  for (const r of runs)
    io.stdout(
      `${r.runId}  ${new Date(r.startedAt).toISOString()}  ${r.tool}  ${r.results.size} agents finished${r.ended ? "" : `  (unfinished: parallel-agents resume ${r.runId})`}\n`,
    );
  return 0;
}

export async function showCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (!id) throw new CliError("usage: parallel-agents show RUN_ID [--json]");
  const run = loadRun(args, io, id);
  const results = [...run.results.values()].sort((a, b) => a.index - b.index);
  if (hasFlag(args, "json")) {
    io.stdout(
      `${JSON.stringify({ runId: run.runId, tool: run.tool, ended: run.ended, params: run.params, agents: results }, null, 2)}\n`,
    );
    return 0;
  }
  io.stdout(
    `${run.runId} (${run.tool}) ${run.ended ? "finished" : "unfinished"}, ${results.length} agents with an outcome\n`,
  );
  for (const r of results)
    io.stdout(
      `[${r.outcome}] ${r.label} (${r.type}) ${(r.durationMs / 1000).toFixed(1)} s ${r.outcome === "ok" ? JSON.stringify(r.output).slice(0, 200) : (r.reason ?? "")}\n`,
    );
  return 0;
}

export async function reportCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (!id) throw new CliError("usage: parallel-agents report RUN_ID [--out DIR]");
  const run = loadRun(args, io, id);
  const out = path.resolve(io.cwd, flag(args, "out") ?? runsDir(args, io));
  fs.mkdirSync(out, { recursive: true });
  const md = path.join(out, `${run.runId}.md`);
  const html = path.join(out, `${run.runId}.html`);
  fs.writeFileSync(md, renderMarkdownReport(run));
  fs.writeFileSync(html, renderHtmlReport(run));
  io.stdout(`${md}\n${html}\n`);
  return 0;
}

/**
 * `refine` and `orchestrate` from a terminal: parameters from --file (JSON/YAML) or flags; text or --json. Exit status
 * as `run` (a refined agent counts as ok when a design came out; orchestrate's synthesis counts as one more agent),
 * EXIT.refused when orchestrate's plan is refused, EXIT.cancelled on Ctrl-C with a resume hint.
 */
export async function metaToolCommand(
  tool: "refine" | "orchestrate",
  args: ParsedArgs,
  io: CliIo,
  resumeId?: string,
): Promise<number> {
  const params: Record<string, unknown> = resumeId ? { resume: resumeId } : readParamsFile(args, io);
  if (resumeId) {
    // the journal holds the parameters
  } else if (tool === "refine") {
    const name = flag(args, "name");
    if (name)
      params.agents = [...((params.agents as unknown[]) ?? []), { name, purpose: flag(args, "purpose") ?? name }];
    for (const type of flagValues(args, "type")) params.agents = [...((params.agents as unknown[]) ?? []), { type }];
    if (hasFlag(args, "no-save")) params.save = false;
  } else {
    if (flag(args, "goal")) params.goal = flag(args, "goal");
    if (hasFlag(args, "dry-run")) params.dryRun = true;
  }
  const stateDir = flag(args, "state-dir") ?? defaultStateDir(io.env);
  const endpoints = cliPort(args, io);
  const deps = {
    config: cliConfig(endpoints),
    registry: cliRegistry(args, io),
    port: endpoints.port,
    userDir: userAgentsDir(stateDir),
    journalDir: runsDir(args, io),
    journalSecrets: endpoints.secrets,
    onProgress: (t: string) => (hasFlag(args, "json") ? undefined : io.stderr(`${t}\n`)),
  };
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once("SIGINT", onSignal);
  try {
    const out =
      tool === "refine"
        ? await executeRefineAgent(params, { ...deps, signal: controller.signal })
        : await executeOrchestrate(params, {
            ...deps,
            signal: controller.signal,
            createAgentTypes: createTypesWithRefine,
          });
    const refused = "orchestrate" in out.details && out.details.orchestrate?.refused !== undefined;
    const stats = endpoints.stats?.();
    if (hasFlag(args, "json"))
      io.stdout(`${JSON.stringify(stats ? { ...out.details, endpoints: stats } : out.details, null, 2)}\n`);
    else if (refused) io.stderr(`${out.text}\n`);
    else io.stdout(`${out.text}\n${stats ? `\n${formatEndpointStats(stats)}\n` : ""}`);
    if (controller.signal.aborted) {
      const journaled = fs.existsSync(journalFile(deps.journalDir, out.details.runId));
      io.stderr(
        journaled
          ? `cancelled; finish it with: parallel-agents resume ${out.details.runId}\n`
          : "cancelled before the plan was ready; nothing ran, nothing to resume\n",
      );
      return EXIT.cancelled;
    }
    if (refused) return EXIT.refused;
    return "agents" in out.details
      ? exitFor(out.details.agents.filter((a) => !a.error).length, out.details.agents.length)
      : orchestrateExit(out.details);
  } finally {
    process.removeListener("SIGINT", onSignal);
  }
}

/** An orchestrate run counts the synthesis as one more agent; a dry run that planned is a success. */
function orchestrateExit(details: {
  dryRun: boolean;
  tasks: Array<{ outcome: string }>;
  synthesis: { outcome: string } | null;
}): number {
  if (details.dryRun) return EXIT.ok;
  return exitFor(
    details.tasks.filter((t) => t.outcome === "ok").length + (details.synthesis?.outcome === "ok" ? 1 : 0),
    details.tasks.length + 1,
  );
}

function exitFor(ok: number, total: number): number {
  return ok === total ? EXIT.ok : ok > 0 ? EXIT.partial : EXIT.failure;
}

/** `resume RUN_ID`: finishes a run of any tool from its journal. */
export async function resumeCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (!id) throw new CliError("usage: parallel-agents resume RUN_ID");
  const { tool } = loadRun(args, io, id);
  if (tool === "refine_agent") return metaToolCommand("refine", args, io, id);
  if (tool === "orchestrate") return metaToolCommand("orchestrate", args, io, id);
  return runCommand(args, io, id);
}
