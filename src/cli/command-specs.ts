// The commands of `parallel-agents` and the flags each one accepts: the single table read by the parser, the
// per-command help and the overview, so a flag cannot be accepted without being documented or the other way round.
import type { FlagSpec } from "./args.js";

export type CommandSpec = {
  /** What follows `parallel-agents <command>` in the usage line. */
  synopsis: string;
  /** One lower-case phrase: the overview's right column and, capitalised, the help's first sentence. */
  summary: string;
  /** Positional arguments the command takes at most; more are refused. */
  maxPositionals: number;
  /** Every flag the command accepts, in help order; any other flag is refused. */
  flags: Record<string, FlagSpec>;
  /** Paragraphs printed after the flags in the command's help. */
  notes?: string;
};

const HELP = { help: { type: "boolean", short: "h", description: "show this help and exit" } } satisfies Record<
  string,
  FlagSpec
>;
const JSON_OUTPUT = {
  json: { type: "boolean", description: "print JSON for scripts instead of text" },
} satisfies Record<string, FlagSpec>;
const STATE_DIR = {
  "state-dir": {
    type: "string",
    value: "DIR",
    description: "OpenClaw state dir (default $OPENCLAW_STATE_DIR or ~/.openclaw)",
  },
} satisfies Record<string, FlagSpec>;
const CATALOGUE = {
  dir: {
    type: "string",
    multiple: true,
    value: "DIR",
    description: "an extra folder of agent types; later folders override earlier ones",
  },
  ...STATE_DIR,
} satisfies Record<string, FlagSpec>;
const JOURNALS = {
  "runs-dir": {
    type: "string",
    value: "DIR",
    description: "the run journals (default <state dir>/parallel-agents/runs)",
  },
  ...STATE_DIR,
} satisfies Record<string, FlagSpec>;
const ENDPOINT = {
  "base-url": {
    type: "string",
    multiple: true,
    value: "URL",
    description: "OpenAI-compatible endpoint (or PARALLEL_AGENTS_BASE_URL); repeated: 8 at once each",
  },
  endpoints: {
    type: "string",
    value: "FILE",
    description: "endpoints with caps, model names, key variables (YAML/JSON; USAGE-GUIDE: Many endpoints)",
  },
  model: { type: "string", value: "NAME", description: "model name (or PARALLEL_AGENTS_MODEL, OPENAI_MODEL)" },
  "api-key": {
    type: "string",
    value: "KEY",
    description: "API key (or PARALLEL_AGENTS_API_KEY, OPENAI_API_KEY); kept out of the journals",
  },
  "no-stream": { type: "boolean", description: "ask for whole replies instead of streamed ones" },
  stream: { type: "boolean", description: "stream the replies (the default)" },
} satisfies Record<string, FlagSpec>;
/** The flags of every command that calls a model and journals the run. */
const MODEL_RUN = {
  ...ENDPOINT,
  price: {
    type: "string",
    multiple: true,
    value: "MODEL=IN/OUT",
    description: "USD per million input/output tokens, e.g. gpt-4o-mini=0.15/0.60; prints costs",
  },
  ...CATALOGUE,
  "runs-dir": JOURNALS["runs-dir"],
  ...JSON_OUTPUT,
  ...HELP,
} satisfies Record<string, FlagSpec>;

const EXIT_STATUS = `Exit status: 0 every agent ok, 3 some ok, 1 none ok, 2 bad call, 130 cancelled (Ctrl-C; the resume hint goes to
stderr).`;
const OUTPUT = "On a terminal a live view; in a pipe, or with NO_COLOR or TERM=dumb, plain lines without escape codes.";
/** Batch mode's flags (`run --batch`, `wait`); USAGE-GUIDE: Live, batch or a router. */
const BATCH_MODE = {
  provider: {
    type: "string",
    value: "NAME",
    description: "batch mode: openai (/v1/files + /v1/batches, the default) or anthropic (Message Batches)",
  },
  "repair-live": {
    type: "boolean",
    description: "batch mode: run repairs, retries and escalations live instead of in a follow-up batch",
  },
  resubmit: {
    type: "boolean",
    description: "batch mode: submit again what may already be at the provider (changed prompt, lost id)",
  },
} satisfies Record<string, FlagSpec>;
const BATCH_NOTES = `With --batch: every prompt goes out through the provider's batch API (about half the price, results
within 24 h); the command returns once they are submitted (exit 0) and \`parallel-agents wait RUN_ID\` collects them.
PARALLEL_AGENTS_BATCH_POLL_MS=FIRST[,MAX] sets the poll schedule (default 5000,60000 ms).`;

export const COMMAND_SPECS = {
  types: {
    synopsis: "[--json] [--dir DIR]...",
    summary: "list the agent types",
    maxPositionals: 0,
    flags: { ...JSON_OUTPUT, ...CATALOGUE, ...HELP },
  },
  validate: {
    synopsis: "[DIR...] [--json]",
    summary: "lint agent-type YAML files (exit 1 on errors)",
    maxPositionals: Infinity,
    flags: { ...JSON_OUTPUT, ...CATALOGUE, ...HELP },
    notes: "Without DIR, lints the catalogue: built-in types, the state dir's agents and every --dir.",
  },
  render: {
    synopsis: "TYPE --task TEXT [--input k=v]... [--input-json JSON]",
    summary: "print the prompts an agent would receive",
    maxPositionals: 1,
    flags: {
      task: { type: "string", value: "TEXT", description: "the agent's task" },
      input: { type: "string", multiple: true, value: "KEY=VALUE", description: "one input field" },
      "input-json": { type: "string", value: "JSON", description: "the input fields as a JSON object" },
      ...JSON_OUTPUT,
      ...CATALOGUE,
      ...HELP,
    },
  },
  run: {
    synopsis: "[--agent TYPE=TASK]... [--file CALL.json|yaml] [--team PRESET --topic ...] [--json]",
    summary: "run agents against an OpenAI-compatible endpoint",
    maxPositionals: 0,
    flags: {
      agent: {
        type: "string",
        multiple: true,
        value: "TYPE=TASK",
        description: "an agent to run: its type and its task",
      },
      file: { type: "string", value: "FILE", description: "the parallel_run parameters as JSON or YAML" },
      team: {
        type: "string",
        value: "PRESET",
        description: "a team preset (content, dev, review, meta) with its fields below",
      },
      topic: { type: "string", value: "TEXT", description: "content team: the posts' topic" },
      platform: { type: "string", value: "NAME", description: "content team: where the posts go (default instagram)" },
      appName: { type: "string", value: "NAME", description: "dev team: the app to build" },
      feature: { type: "string", multiple: true, value: "TEXT", description: "dev team: one feature of the app" },
      code: { type: "string", value: "TEXT", description: "review team: the code to review" },
      language: { type: "string", value: "NAME", description: "review team: the code's language" },
      "max-concurrent": { type: "string", value: "N", description: "agents running at once" },
      judge: {
        type: "string",
        value: "SCORE",
        description: "score every ok answer with the judge; below SCORE (0-10) try once more a model higher",
      },
      "best-of": { type: "string", value: "N", description: "run N candidates of each agent and keep the best judged" },
      batch: {
        type: "boolean",
        description: "submit through the provider's batch API (about half price, up to 24 h) and return",
      },
      ...BATCH_MODE,
      ...MODEL_RUN,
    },
    notes: `${OUTPUT}\n${EXIT_STATUS}\n${BATCH_NOTES}`,
  },
  resume: {
    synopsis: "RUN_ID",
    summary: "finish a run of any tool: finished agents reused, the rest run",
    maxPositionals: 1,
    flags: MODEL_RUN,
    notes: `The journal holds the run's parameters; pass the endpoint again.\n${EXIT_STATUS}`,
  },
  wait: {
    synopsis: "RUN_ID",
    summary: "collect a batch run's answers: checked, repaired, escalated",
    maxPositionals: 1,
    flags: { ...BATCH_MODE, ...MODEL_RUN },
    notes: `Reattaches to the batches \`run --batch\` journaled (none is submitted again) and prints a line as each batch
changes; repairs and escalations go out as a follow-up batch, or live with --repair-live. Pass the key and model
again. \`resume RUN_ID\` of a batch run does the same.\n${EXIT_STATUS}`,
  },
  runs: {
    synopsis: "[--json]",
    summary: "list journaled runs",
    maxPositionals: 0,
    flags: { ...JSON_OUTPUT, ...JOURNALS, ...HELP },
  },
  show: {
    synopsis: "RUN_ID [--json]",
    summary: "one run's outcomes",
    maxPositionals: 1,
    flags: { ...JSON_OUTPUT, ...JOURNALS, ...HELP },
  },
  report: {
    synopsis: "RUN_ID [--out DIR]",
    summary: "Markdown and HTML report with a timeline of the run",
    maxPositionals: 1,
    flags: {
      out: { type: "string", value: "DIR", description: "where to write the report (default the runs dir)" },
      ...JOURNALS,
      ...HELP,
    },
  },
  refine: {
    synopsis: "--name NAME --purpose TEXT | --type ID | --file F [--no-save] [--json]",
    summary: "design or improve agent types (refine_agent)",
    maxPositionals: 0,
    flags: {
      name: { type: "string", value: "NAME", description: "design a new agent type with this name" },
      purpose: { type: "string", value: "TEXT", description: "what the new agent type is for (default its name)" },
      type: { type: "string", multiple: true, value: "ID", description: "improve this existing agent type" },
      file: { type: "string", value: "FILE", description: "the refine_agent parameters as JSON or YAML" },
      "no-save": { type: "boolean", description: "print the designs without writing any file" },
      ...MODEL_RUN,
    },
    notes: `Exit status as run (an agent counts as ok when a design came out).\n${EXIT_STATUS}`,
  },
  orchestrate: {
    synopsis: "--goal TEXT | --file F [--dry-run] [--json]",
    summary: "plan, run in waves, synthesize (orchestrate)",
    maxPositionals: 0,
    flags: {
      goal: { type: "string", value: "TEXT", description: "what the team should achieve" },
      file: { type: "string", value: "FILE", description: "the orchestrate parameters as JSON or YAML" },
      "dry-run": { type: "boolean", description: "plan and check the plan; run nothing" },
      ...MODEL_RUN,
    },
    notes: `Exit status as run (the synthesis counts as one more agent), and 4 when the plan is refused: still invalid\nafter the planner's attempts, so nothing ran.\n${EXIT_STATUS}`,
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMAND_SPECS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMAND_SPECS, name);
}

/** The flags `parallel-agents` takes before any command. */
export const TOP_LEVEL_FLAGS = ["help", "version"] as const;

/** The overview's closing paragraphs. */
export const OVERVIEW_NOTES = `Run \`parallel-agents <command> --help\` for a command's flags, \`parallel-agents --version\` for the version.

Endpoint (run, resume, refine, orchestrate): --base-url URL --model NAME [--api-key KEY] [--no-stream], or
  PARALLEL_AGENTS_BASE_URL, PARALLEL_AGENTS_MODEL, PARALLEL_AGENTS_API_KEY (or the OPENAI_ ones). Journals go to
  --runs-dir (default <state dir>/parallel-agents/runs). Exit status (run, resume, refine, orchestrate): 0 all ok,
  3 some ok, 1 none ok, 2 bad call, 4 plan refused (orchestrate: still invalid after the planner's attempts; nothing
  ran), 130 cancelled (Ctrl-C; resume hint on stderr).
`;
