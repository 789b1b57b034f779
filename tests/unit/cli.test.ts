import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";

async function cli(...argv: string[]) {
  return cliWith({}, ...argv);
}

async function cliWith(env: NodeJS.ProcessEnv, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { OPENCLAW_STATE_DIR: await tempDir(), ...env },
    cwd: process.cwd(),
    isTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("parallel-agents CLI: catalogue commands", () => {
  it("types prints a table of all 30 types", async () => {
    const r = await cli("types");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+CATEGORY\s+TIER\s+DESCRIPTION/);
    expect(r.stdout).toMatch(/content_writer_funny\s+content\s+fast/);
    expect(r.stdout).toMatch(/\n30 agent types\n$/);
  });

  it("types --json lists ids, categories and sources", async () => {
    const r = await cli("types", "--json");
    const parsed = JSON.parse(r.stdout);
    expect(parsed.types).toHaveLength(30);
    expect(parsed.types.find((t: { id: string }) => t.id === "agent_creator")).toMatchObject({
      category: "meta",
      tier: "premium",
      source: "builtin",
    });
    expect(parsed.diagnostics).toEqual([]);
  });

  it("validate exits 1 with file:line diagnostics on a folder with errors", async () => {
    const r = await cli("validate", path.join(FIXTURES, "malformed"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/malformed\/unknown_helper\.yaml:14:\d+ error task: template uses unknown helper "shout"/);
    // oversized.yaml is under the default 256 KiB cap, so it loads here (the registry test lowers the cap).
    expect(r.stdout).toMatch(/3 valid agent types, 14 errors/);
  });

  it("validate exits 0 on the built-in catalogue", async () => {
    const r = await cli("validate");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/30 valid agent types, 0 errors/);
  });

  it("render prints the system and task prompts with inputs from flags", async () => {
    const r = await cli(
      "render",
      "content_writer_educational",
      "--task",
      "Explain {{it}}",
      "--input",
      "topic=Photosynthesis",
      "--input",
      "platform=linkedin",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^=== system ===\nYou are an educator/);
    expect(r.stdout).toContain("Platform: linkedin");
    expect(r.stdout).toContain("Photosynthesis");
    expect(r.stdout).toContain("Explain {{it}}");
  });

  it("render --input-json passes structured input", async () => {
    const r = await cli(
      "render",
      "frontend_developer",
      "--task",
      "Build it",
      "--input-json",
      '{"appName":"Todo","features":["add","remove"]}',
      "--json",
    );
    const parsed = JSON.parse(r.stdout);
    expect(parsed.message).toContain("- add\n- remove");
  });

  it("render of an unknown type suggests the nearest ids", async () => {
    const r = await cli("render", "code_reviewr", "--task", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown agent type "code_reviewr"; did you mean code_reviewer/);
  });

  it("render names the input field that fails the type's schema", async () => {
    const r = await cli("render", "training_assistant", "--task", "x", "--input", "format=underwater");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input\.format.*must be one of \["in-person","remote","hybrid"\]/);
  });

  it("an unknown command prints usage and exits 2", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage:/);
  });
});

const COMMANDS = ["types", "validate", "render", "run", "resume", "runs", "show", "report", "refine", "orchestrate"];
const ENDPOINT = { PARALLEL_AGENTS_BASE_URL: "http://127.0.0.1:9/v1", PARALLEL_AGENTS_MODEL: "m1" };
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

describe("parallel-agents CLI: conventions", () => {
  it("run --help prints run's usage and flags, exits 0 and runs nothing", async () => {
    const runs = await tempDir();
    const r = await cliWith(
      ENDPOINT,
      "run",
      "--help",
      "--runs-dir",
      path.join(runs, "journals"),
      "--agent",
      "echo_agent=x",
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^Usage: parallel-agents run /);
    expect(r.stdout).toMatch(/^ {2}--file FILE\s+\S/m);
    expect(r.stdout).toMatch(/^ {2}--agent TYPE=TASK\s+.*\(repeatable\)/m);
    expect(r.stdout).toMatch(/^ {2}-h, --help\s+/m);
    expect(fs.existsSync(path.join(runs, "journals"))).toBe(false);
  });

  it.each(COMMANDS)("%s -h prints that command's help and exits 0", async (command) => {
    const r = await cli(command, "-h");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: parallel-agents ${command}\\b`));
    expect(r.stderr).toBe("");
  });

  it("help COMMAND prints that command's help; help alone prints the overview", async () => {
    expect((await cli("help", "show")).stdout).toMatch(/^Usage: parallel-agents show RUN_ID/);
    const overview = await cli("--help");
    expect(overview.code).toBe(0);
    for (const command of COMMANDS) expect(overview.stdout).toContain(`parallel-agents ${command}`);
    expect(overview.stdout).toContain("parallel-agents <command> --help");
  });

  it("an unknown flag is refused in one line with the command's nearest flag, exit 2, before anything runs", async () => {
    const r = await cliWith(ENDPOINT, "run", "--fle", "x.yaml");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("parallel-agents run: unknown flag --fle (did you mean --file?)\n");
  });

  it("the suggestion comes from the command's own flags", async () => {
    expect((await cli("show", "pr-1", "--jsn")).stderr).toBe(
      "parallel-agents show: unknown flag --jsn (did you mean --json?)\n",
    );
    expect((await cli("report", "pr-1", "--outt", "x")).stderr).toBe(
      "parallel-agents report: unknown flag --outt (did you mean --out?)\n",
    );
    const notHere = await cli("types", "--file", "x.yaml");
    expect(notHere.code).toBe(2);
    expect(notHere.stderr).toMatch(/^parallel-agents types: unknown flag --file \(did you mean --[a-z-]+\?\)\n$/);
  });

  it("a flag without its value, a value on a switch and a dash-led value are refused with the fix", async () => {
    const missing = await cli("render", "code_reviewer", "--task");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("parallel-agents render: --task needs a value\n");
    const onSwitch = await cli("types", "--json=yes");
    expect(onSwitch.code).toBe(2);
    expect(onSwitch.stderr).toBe("parallel-agents types: --json takes no value\n");
    const dashed = await cli("render", "code_reviewer", "--task", "-5 degrees");
    expect(dashed.code).toBe(2);
    expect(dashed.stderr).toMatch(/^parallel-agents render: --task needs a value.*--task=/);
    expect(dashed.stderr).not.toMatch(STACK_FRAME);
  });

  it("a value may start with a dash when written --flag=value", async () => {
    const r = await cli("render", "code_reviewer", "--task=-5 degrees");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("-5 degrees");
  });

  it("an argument a command does not take is refused instead of ignored", async () => {
    const r = await cliWith(ENDPOINT, "run", "calls.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^parallel-agents run: unexpected argument "calls\.yaml"/);
  });

  it("--version prints the package version and exits 0", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "..", "package.json"), "utf8"));
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  });

  it("an unknown top-level flag is refused with the nearest one", async () => {
    const r = await cli("--verison");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("parallel-agents: unknown flag --verison (did you mean --version?)\n");
  });
});
