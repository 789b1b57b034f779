// A parallel_run call from the command line: its parameters from --file (JSON or YAML), --agent type=task flags, or
// --team with its fields. Shared by `run` and `run --batch`.
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { CliError, flag, flagValues, type ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";

/** Tool parameters from --file (JSON or YAML); an empty object without it. */
export function readParamsFile(args: ParsedArgs, io: CliIo): Record<string, unknown> {
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
export function callParams(args: ParsedArgs, io: CliIo): Record<string, unknown> {
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
