// Reads one command's argv with Node's strict `util.parseArgs`: only the flags the command declares, each with its
// type; a bad flag becomes a one-line CliError (exit 2) naming the flag and the fix.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { describeFlagProblem } from "./flag-problem.js";

export type FlagSpec = {
  /** "string" takes a value (`--file x`, `--file=x`); "boolean" is a switch (`--json`). */
  type: "string" | "boolean";
  /** Repeatable: every value is kept, in order. Default false: the last value wins. */
  multiple?: boolean;
  /** A one-letter alias (`-h`). Default none. */
  short?: string;
  /** What the value is, for the help (`DIR`); string flags only. Default "VALUE". */
  value?: string;
  /** One line for the help; "(repeatable)" is added for repeatable flags. */
  description: string;
};

export type ParsedArgs = {
  positionals: string[];
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
};

export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function parseCommandArgs(argv: readonly string[], flags: Record<string, FlagSpec>): ParsedArgs {
  const options: ParseArgsOptionsConfig = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      { type: f.type, multiple: f.multiple ?? false, ...(f.short ? { short: f.short } : {}) },
    ]),
  );
  try {
    const { positionals, values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
    return { positionals, values };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("ERR_PARSE_ARGS_")) throw error;
    throw new CliError(describeFlagProblem(argv, options) ?? (error as Error).message.split("\n")[0]!);
  }
}

/** A string flag's value; the last one when it was given more than once. */
export function flag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string"
    ? value
    : Array.isArray(value)
      ? value.filter((v) => typeof v === "string").at(-1)
      : undefined;
}

/** Every value of a repeatable flag, in order; empty when absent. */
export function flagValues(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : typeof value === "string" ? [value] : [];
}

/** Whether a switch was given. */
export function hasFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
