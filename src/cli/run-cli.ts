// The `parallel-agents` command: top-level flags, per-command help, strict flags, dispatch to the command, and errors
// turned into one-line messages and exit codes.
import { UserInputError, UserInputErrors } from "../errors.js";
import { nearestIds } from "../registry/suggest.js";
import { CliError, hasFlag, parseCommandArgs, type ParsedArgs } from "./args.js";
import { renderCommand, typesCommand, validateCommand } from "./catalogue-commands.js";
import { COMMAND_SPECS, isCommandName, TOP_LEVEL_FLAGS, type CommandName, type CommandSpec } from "./command-specs.js";
import { renderCommandHelp, renderOverview } from "./help.js";
import type { CliIo } from "./io.js";
import { metaToolCommand, reportCommand, resumeCommand, runCommand, runsCommand, showCommand } from "./run-commands.js";
import { batchRunCommand, loadBatchRun, refuseBatchFlags, waitCommand } from "./batch-commands.js";
import { runsWithBatches } from "./batch-runs-view.js";
import { packageVersion } from "./version.js";

export const USAGE = renderOverview(COMMAND_SPECS);

type Command = (args: ParsedArgs, io: CliIo) => Promise<number>;
const COMMANDS: Record<CommandName, Command> = {
  types: typesCommand,
  validate: validateCommand,
  render: renderCommand,
  // batch mode branches here, before the live commands: `run --batch`, `resume` of a batch run, batch runs in `runs`
  run: (args, io) => {
    if (hasFlag(args, "batch")) return batchRunCommand(args, io);
    refuseBatchFlags(args);
    return runCommand(args, io);
  },
  resume: (args, io) =>
    args.positionals[0] && loadBatchRun(args, io, args.positionals[0])
      ? waitCommand(args, io)
      : resumeCommand(args, io),
  wait: waitCommand,
  runs: (args, io) => runsWithBatches(args, io, runsCommand),
  show: showCommand,
  report: reportCommand,
  refine: (args, io) => metaToolCommand("refine", args, io),
  orchestrate: (args, io) => metaToolCommand("orchestrate", args, io),
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name) {
    io.stdout(USAGE);
    return 2;
  }
  if (name === "help" || name === "--help" || name === "-h") {
    const topic = rest[0];
    if (topic === undefined) io.stdout(USAGE);
    else if (isCommandName(topic)) io.stdout(renderCommandHelp(topic, COMMAND_SPECS[topic]));
    else return unknownCommand(topic, io);
    return 0;
  }
  if (name === "--version") {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (name.startsWith("-")) {
    const wanted = name.replace(/^-+/, "").split("=")[0]!;
    io.stderr(`parallel-agents: unknown flag ${name} (did you mean --${nearestIds(wanted, TOP_LEVEL_FLAGS, 1)[0]}?)\n`);
    return 2;
  }
  if (!isCommandName(name)) return unknownCommand(name, io);
  try {
    const spec = COMMAND_SPECS[name];
    const args = parseCommandArgs(rest, spec.flags);
    if (hasFlag(args, "help")) {
      io.stdout(renderCommandHelp(name, spec));
      return 0;
    }
    refuseExtraPositionals(name, spec, args);
    return await COMMANDS[name](args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(`parallel-agents ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof UserInputError || error instanceof UserInputErrors) {
      io.stderr(`parallel-agents ${name}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function unknownCommand(name: string, io: CliIo): number {
  io.stderr(`parallel-agents: unknown command "${name}"\n\n${USAGE}`);
  return 2;
}

/** An argument a command does not take is a mistake (`run calls.yaml` for `run --file calls.yaml`), never ignored. */
function refuseExtraPositionals(name: string, spec: CommandSpec, args: ParsedArgs): void {
  const extra = args.positionals[spec.maxPositionals];
  if (extra === undefined) return;
  const takes =
    spec.maxPositionals === 0
      ? "no arguments"
      : spec.maxPositionals === 1
        ? "one argument"
        : `at most ${spec.maxPositionals} arguments`;
  throw new CliError(`unexpected argument "${extra}": ${name} takes ${takes} (see \`parallel-agents ${name} --help\`)`);
}
