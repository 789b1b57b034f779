// `types`, `validate` and `render`: look at the catalogue (and which definition of an id is active), lint drop-in
// files, and see exactly what an agent is sent.
import path from "node:path";
import type { AgentType } from "../registry/agent-type.js";
import { createRegistry } from "../registry/create-registry.js";
import { catalogueRoots, defaultStateDir } from "../registry/catalogue-roots.js";
import { formatDiagnostic } from "../registry/diagnostic.js";
import { nearestIds } from "../registry/suggest.js";
import { renderAgentPrompt } from "../render/render-agent-prompt.js";
import { CliError, flag, flagValues, hasFlag, type ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";

export function cliRegistry(args: ParsedArgs, io: CliIo) {
  const promptDirs = flagValues(args, "dir").map((d) => path.resolve(io.cwd, d));
  const stateDir = flag(args, "state-dir") ?? defaultStateDir(io.env);
  return createRegistry({ roots: catalogueRoots({ promptDirs, stateDir }) });
}

export async function typesCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const snapshot = await cliRegistry(args, io).refresh();
  const types = [...snapshot.types.values()].sort(
    (a, b) => a.def.category.localeCompare(b.def.category) || a.def.id.localeCompare(b.def.id),
  );
  const hidden = (t: AgentType) => snapshot.overridden.get(t.def.id) ?? [];
  if (hasFlag(args, "json")) {
    const rows = types.map((t) => ({
      id: t.def.id,
      name: t.def.name,
      version: t.def.version,
      category: t.def.category,
      tier: t.def.tier,
      outputFormat: t.def.outputFormat,
      description: t.def.description,
      useWhen: t.def.useWhen,
      source: t.source.kind,
      file: t.source.file,
      overrides: hidden(t).map((o) => ({ source: o.source.kind, file: o.source.file, version: o.def.version })),
    }));
    io.stdout(`${JSON.stringify({ types: rows, diagnostics: snapshot.diagnostics }, null, 2)}\n`);
    return 0;
  }
  // built-in rows carry no mark; a user file is marked, and listed below with its path and version
  const mark = (t: AgentType) => (t.source.kind === "builtin" ? "" : hidden(t).length > 0 ? "*" : "+");
  const idWidth = Math.max(4, ...types.map((t) => t.def.id.length + mark(t).length));
  io.stdout(`${"ID".padEnd(idWidth)}  ${"CATEGORY".padEnd(9)} ${"TIER".padEnd(8)} DESCRIPTION\n`);
  for (const t of types) {
    const desc = t.def.description.length > 70 ? `${t.def.description.slice(0, 67)}...` : t.def.description;
    io.stdout(`${(t.def.id + mark(t)).padEnd(idWidth)}  ${t.def.category.padEnd(9)} ${t.def.tier.padEnd(8)} ${desc}\n`);
  }
  io.stdout(`\n${types.length} agent types`);
  const problems = snapshot.diagnostics.length;
  io.stdout(problems > 0 ? `, ${problems} diagnostics (run \`parallel-agents validate\`)\n` : "\n");
  const overrides = types.filter((t) => mark(t) === "*");
  const added = types.filter((t) => mark(t) === "+");
  if (overrides.length > 0) {
    io.stdout("* user override: this file is active instead of the definition(s) it hides\n");
    for (const t of overrides) {
      const under = hidden(t).map(
        (o) => `${o.source.kind === "builtin" ? "built-in" : o.source.file} ${o.def.version}`,
      );
      io.stdout(`  ${t.def.id} ${t.def.version}  ${t.source.file}  (overrides ${under.join(", ")})\n`);
    }
  }
  if (added.length > 0) {
    io.stdout("+ user type\n");
    for (const t of added) io.stdout(`  ${t.def.id} ${t.def.version}  ${t.source.file}\n`);
  }
  return 0;
}

export async function validateCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const dirs = args.positionals.length > 0 ? args.positionals.map((d) => path.resolve(io.cwd, d)) : null;
  const registry = dirs
    ? createRegistry({ roots: dirs.map((dir) => ({ dir, kind: "user" as const, required: true })) })
    : cliRegistry(args, io);
  const snapshot = await registry.refresh();
  const errors = snapshot.diagnostics.filter((d) => d.severity === "error");
  if (hasFlag(args, "json")) {
    io.stdout(`${JSON.stringify({ valid: [...snapshot.types.keys()], diagnostics: snapshot.diagnostics }, null, 2)}\n`);
  } else {
    for (const d of snapshot.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    io.stdout(
      `${snapshot.types.size} valid agent types, ${errors.length} errors, ${snapshot.diagnostics.length - errors.length} warnings\n`,
    );
  }
  return errors.length > 0 ? 1 : 0;
}

export async function renderCommand(args: ParsedArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (!id)
    throw new CliError("usage: parallel-agents render <type> --task TEXT [--input key=value]... [--input-json JSON]");
  const snapshot = await cliRegistry(args, io).refresh();
  const type = snapshot.types.get(id);
  if (!type)
    throw new CliError(
      `unknown agent type "${id}"; did you mean ${nearestIds(id, snapshot.types.keys()).join(", ")}? (list them with \`parallel-agents types\`)`,
    );
  const input: Record<string, unknown> = {};
  const json = flag(args, "input-json");
  if (json) {
    try {
      Object.assign(input, JSON.parse(json));
    } catch (error) {
      throw new CliError(`--input-json is not valid JSON: ${(error as Error).message}`);
    }
  }
  for (const pair of flagValues(args, "input")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliError(`--input "${pair}" must be key=value`);
    input[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const prompt = renderAgentPrompt({
    type,
    task: flag(args, "task") ?? "",
    input,
    field: "render",
    inputField: "--input",
  });
  if (hasFlag(args, "json")) io.stdout(`${JSON.stringify(prompt, null, 2)}\n`);
  else io.stdout(`=== system ===\n${prompt.system}\n\n=== task ===\n${prompt.message}\n`);
  return 0;
}
