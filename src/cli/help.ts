// Help text rendered from the command table: the overview (`parallel-agents --help`) and one command's usage, flags
// and notes (`parallel-agents <command> --help`).
import type { FlagSpec } from "./args.js";
import { OVERVIEW_NOTES, type CommandSpec } from "./command-specs.js";

/** The column where the overview's summaries start. */
const SUMMARY_COLUMN = 57;

export function renderOverview(specs: Record<string, CommandSpec>): string {
  const lines = Object.entries(specs).flatMap(([name, spec]) => {
    const call = `  parallel-agents ${name} ${spec.synopsis}`;
    return call.length < SUMMARY_COLUMN - 1
      ? [`${call.padEnd(SUMMARY_COLUMN)}${spec.summary}`]
      : [call, `${" ".repeat(SUMMARY_COLUMN)}${spec.summary}`];
  });
  return `parallel-agents: run many specialised AI sub-agents at once\n\nUsage:\n${lines.join("\n")}\n\n${OVERVIEW_NOTES}`;
}

export function renderCommandHelp(name: string, spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(
    ([flag, f]) => [flagLabel(flag, f), f.multiple ? `${f.description} (repeatable)` : f.description] as const,
  );
  const width = Math.max(...rows.map(([label]) => label.length)) + 3;
  const text = [
    `Usage: parallel-agents ${name} ${spec.synopsis}`,
    "",
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    "",
    "Flags:",
    ...rows.map(([label, description]) => `  ${label.padEnd(width)}${description}`),
  ];
  if (spec.notes) text.push("", spec.notes);
  return `${text.join("\n")}\n`;
}

function flagLabel(name: string, f: FlagSpec): string {
  return `${f.short ? `-${f.short}, ` : ""}--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}`;
}
