// The `parallel-agents` command: dispatches sub-commands and turns errors into messages and exit codes.
import { UserInputError, UserInputErrors } from "../errors.js";
import { CliError, parseArgs } from "./args.js";
import { renderCommand, typesCommand, validateCommand } from "./catalogue-commands.js";
import { metaToolCommand, reportCommand, resumeCommand, runCommand, runsCommand, showCommand } from "./run-commands.js";
import type { CliIo } from "./io.js";

const BOOLEAN_FLAGS = new Set(["json", "help", "stream", "no-stream", "no-save", "dry-run"]);

export const USAGE = `parallel-agents: run many specialised AI sub-agents at once

Usage:
  parallel-agents types [--json] [--dir DIR]...          list the agent types
  parallel-agents validate [DIR...] [--json]             lint agent-type YAML files (exit 1 on errors)
  parallel-agents render TYPE --task TEXT [--input k=v]... [--input-json JSON]
                                                         print the prompts an agent would receive
  parallel-agents run [--agent TYPE=TASK]... [--file CALL.json|yaml] [--team PRESET --topic ...] [--json]
                                                         run agents against an OpenAI-compatible endpoint
  parallel-agents resume RUN_ID                          finish a run of any tool: finished agents reused, the rest run
  parallel-agents runs [--json]                          list journaled runs
  parallel-agents show RUN_ID [--json]                   one run's outcomes
  parallel-agents report RUN_ID [--out DIR]              Markdown and HTML report with a timeline of the run
  parallel-agents refine --name NAME --purpose TEXT | --type ID | --file F [--no-save] [--json]
                                                         design or improve agent types (refine_agent)
  parallel-agents orchestrate --goal TEXT | --file F [--dry-run] [--json]
                                                         plan, run in waves, synthesize (orchestrate)

Endpoint (run, resume): --base-url URL --model NAME [--api-key KEY] [--no-stream], or PARALLEL_AGENTS_BASE_URL,
  PARALLEL_AGENTS_MODEL, PARALLEL_AGENTS_API_KEY (or the OPENAI_ ones). Journals go to --runs-dir
  (default <state dir>/parallel-agents/runs). Exit status (run, resume, refine, orchestrate): 0 all ok, 3 some ok,
  1 none ok, 2 bad call, 4 plan refused (orchestrate: still invalid after the planner's attempts; nothing ran),
  130 cancelled (Ctrl-C; resume hint on stderr).

Common flags:
  --dir DIR          an extra folder of agent types (repeatable; later overrides earlier)
  --state-dir DIR    OpenClaw state dir (default $OPENCLAW_STATE_DIR or ~/.openclaw)
`;

type Command = (args: ReturnType<typeof parseArgs>, io: CliIo) => Promise<number>;
const COMMANDS: Record<string, Command> = {
  types: typesCommand,
  validate: validateCommand,
  render: renderCommand,
  run: (args, io) => runCommand(args, io),
  resume: resumeCommand,
  runs: runsCommand,
  show: showCommand,
  report: reportCommand,
  refine: (args, io) => metaToolCommand("refine", args, io),
  orchestrate: (args, io) => metaToolCommand("orchestrate", args, io),
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.stdout(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`parallel-agents: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(parseArgs(rest, BOOLEAN_FLAGS), io);
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
