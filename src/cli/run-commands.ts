// `run`, `resume`, `runs`, `show`: parallel_run from a terminal against any OpenAI-compatible endpoint, journaled.
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { resolveConfig } from "../config.js";
import type { RunEvent } from "../engine/scheduler.js";
import { createOpenAiHttpPort } from "../host/openai-http-port.js";
import { journalFile, listRuns, readJournal } from "../journal/run-journal.js";
import { defaultStateDir, userAgentsDir } from "../registry/catalogue-roots.js";
import { createTypesWithRefine } from "../tools/all-tools.js";
import { executeOrchestrate } from "../tools/orchestrate/execute.js";
import { executeRefineAgent } from "../tools/refine-agent/execute.js";
import { executeParallelRun } from "../tools/parallel-run/execute.js";
import { allowsEscapeCodes } from "./ansi.js";
import { CliError, flag, flagValues, hasFlag, type ParsedArgs } from "./args.js";
import { cliRegistry } from "./catalogue-commands.js";
import type { CliIo } from "./io.js";
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

/** The API key in use, if any: also kept out of the journals. */
function apiKey(args: ParsedArgs, io: CliIo): string | undefined {
  return flag(args, "api-key") ?? io.env.PARALLEL_AGENTS_API_KEY ?? io.env.OPENAI_API_KEY;
}

function endpoint(args: ParsedArgs, io: CliIo) {
  const baseUrl = flag(args, "base-url") ?? io.env.PARALLEL_AGENTS_BASE_URL ?? io.env.OPENAI_BASE_URL;
  const model = flag(args, "model") ?? io.env.PARALLEL_AGENTS_MODEL ?? io.env.OPENAI_MODEL;
  if (!baseUrl)
    throw new CliError(
      "no model endpoint: pass --base-url (e.g. http://127.0.0.1:11434/v1) or set PARALLEL_AGENTS_BASE_URL / OPENAI_BASE_URL",
    );
  if (!model) throw new CliError("no model: pass --model or set PARALLEL_AGENTS_MODEL / OPENAI_MODEL");
  return createOpenAiHttpPort({
    baseUrl,
    apiKey: apiKey(args, io),
    defaultModel: model,
    stream: !hasFlag(args, "no-stream"),
  });
}

/** Tool parameters from --file (JSON or YAML); an empty object without it. */
function readParamsFile(args: ParsedArgs, io: CliIo): Record<string, unknown> {
  const file = flag(args, "file");
  if (!file) return {};
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new CliError(`--file ${file}: ${(error as Error).message}`);
  }
  try {
    return (/\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`--file ${file}: ${(error as Error).message}`);
  }
}

/** The call's parameters from --file (JSON or YAML), --agent type=task flags, or --team with its fields. */
function callParams(args: ParsedArgs, io: CliIo): Record<string, unknown> {
  const params = readParamsFile(args, io);
  const agents = flagValues(args, "agent").map((spec) => {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new CliError(`--agent "${spec}" must be type=task`);
    return { type: spec.slice(0, eq), task: spec.slice(eq + 1) };
  });
  if (agents.length > 0) params.agents = [...((params.agents as unknown[]) ?? []), ...agents];
  const preset = flag(args, "team");
  if (preset) {
    const team: Record<string, unknown> = { preset };
    for (const key of ["topic", "platform", "appName", "code", "language"])
      if (flag(args, key)) team[key] = flag(args, key);
    if (flagValues(args, "feature").length > 0) team.features = flagValues(args, "feature");
    params.team = team;
  }
  const n = flag(args, "max-concurrent");
  if (n) params.maxConcurrent = Number(n);
  const judge = flag(args, "judge");
  if (judge) params.judge = { ...(params.judge as object | undefined), threshold: Number(judge) };
  const bestOf = flag(args, "best-of");
  if (bestOf) params.bestOf = Number(bestOf);
  return params;
}

export async function runCommand(args: ParsedArgs, io: CliIo, resumeId?: string): Promise<number> {
  const params = resumeId ? { resume: resumeId } : callParams(args, io);
  const port = endpoint(args, io);
  const dir = runsDir(args, io);
  const json = hasFlag(args, "json");
  const config = resolveConfig({ maxAgentsPerCall: 200 });
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
      port,
      journalDir: dir,
      journalSecrets: [apiKey(args, io)],
      signal: controller.signal,
      onPrepared: (prepared) => live?.start(prepared.agents.map((a) => a.label)),
      onEvent: (e) => (live ? live.event(e) : plain?.(e)),
    });
    live?.stop();
    runId = out.run.runId;
    if (json) io.stdout(`${JSON.stringify(out.details, null, 2)}\n`);
    else io.stdout(`\n${out.text}\n\njournal: ${journalFile(dir, runId)}\n`);
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
  const deps = {
    config: resolveConfig({}),
    registry: cliRegistry(args, io),
    port: endpoint(args, io),
    userDir: userAgentsDir(stateDir),
    journalDir: runsDir(args, io),
    journalSecrets: [apiKey(args, io)],
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
    if (hasFlag(args, "json")) io.stdout(`${JSON.stringify(out.details, null, 2)}\n`);
    else if (refused) io.stderr(`${out.text}\n`);
    else io.stdout(`${out.text}\n`);
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
