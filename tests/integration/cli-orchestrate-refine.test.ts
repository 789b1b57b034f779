// `parallel-agents orchestrate` and `refine` through the built CLI (dist/cli.js, `npm run build`): exit statuses,
// a refused plan as a short message, Ctrl-C as for `run`.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { journalFile, readJournal } from "../../src/journal/run-journal.js";
import { packageRoot } from "../../src/paths.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";
import {
  startScriptedModelServer,
  type Script,
  type ScriptedModelServer,
} from "../../testing/scripted-model-server.js";

const CLI = path.join(packageRoot(), "dist", "cli.js");
const exec = promisify(execFile);
let server: ScriptedModelServer | undefined;
afterEach(async () => {
  server?.assertNoUnexpected();
  await server?.close();
  server = undefined;
});

const env = () => ({ PATH: process.env.PATH!, HOME: process.env.HOME! });
const base = (state: string) => [
  "--base-url",
  server!.url,
  "--model",
  "m1",
  "--dir",
  path.join(FIXTURES, "agents"),
  "--state-dir",
  state,
  "--runs-dir",
  path.join(state, "runs"),
];
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

async function cli(args: string[]) {
  return exec(process.execPath, [CLI, ...args], { env: env(), timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** Starts the CLI, waits until `ready()` holds, sends SIGINT; resolves with the exit code and output. */
async function interrupt(args: string[], ready: () => boolean) {
  const child = spawn(process.execPath, [CLI, ...args], { env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const start = Date.now();
  while (!ready() && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 20));
  child.kill("SIGINT");
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { code, stdout, stderr };
}

const isPlanner = (system: string) => system.includes("You are a planner for a team");
const isSynth = (system: string) => system.includes("You are the editor who turns");
const task = (id: string, dependsOn: string[] = [], type = "echo_agent") => ({
  id,
  type,
  task: `[t:${id}] part ${id}`,
  dependsOn,
});
const marker = (user: string) => /\[t:([a-z]+)\]/.exec(user)?.[1];

/** Planner returns `plan`; tasks reply through `taskReply`; the synthesizer closes. */
function orchestrateScript(plan: unknown[], taskReply: Script = () => ({ json: { summary: "done" } })): Script {
  return (r) => {
    if (isPlanner(r.system)) return { json: { tasks: plan, rationale: "split" } };
    if (isSynth(r.system)) return { json: { synthesis: "all done", failed_lanes: [], confidence: 0.9 } };
    if (!marker(r.user)) throw new Error("unexpected request");
    return taskReply(r);
  };
}

describe("parallel-agents orchestrate: a refused plan", () => {
  it("exits 4 with one paragraph on stderr naming each problem and that no task ran, without a stack trace", async () => {
    server = await startScriptedModelServer(orchestrateScript([task("a", ["zz"]), task("b", [], "ghost_writer")]));
    const state = await tempDir();
    const r = await cli(["orchestrate", ...base(state), "--goal", "Something"]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^orchestrate or-[0-9a-f]+: the plan was refused after 3 planner attempts, so no task agent ran\. Problems with the last plan:$/m,
    );
    expect(r.stderr).toContain('- tasks[0].dependsOn (task "a"): task "a" depends on "zz", which is not in the plan');
    expect(r.stderr).toContain('- tasks[1].type (task "b"): unknown agent type "ghost_writer"');
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.stderr).not.toMatch(/\n\n.*\S/); // one paragraph: no blank line inside the message
    expect(server.log.filter((e) => isPlanner(e.system))).toHaveLength(3);
    expect(server.log.filter((e) => marker(e.user) && !isPlanner(e.system))).toHaveLength(0); // no task agent
  });

  it("with --json, exits 4 and prints the details with every problem under orchestrate.refused", async () => {
    server = await startScriptedModelServer(orchestrateScript([task("a", ["b"]), task("b", ["a"])]));
    const state = await tempDir();
    const r = await cli(["orchestrate", ...base(state), "--goal", "Something", "--json"]);
    expect(r.code).toBe(4);
    const details = JSON.parse(r.stdout);
    expect(details.orchestrate.refused).toEqual({
      attempts: 3,
      problems: [{ field: "dependsOn", message: 'the dependencies form a cycle among "a", "b"' }],
    });
    expect(details.tasks).toEqual([]);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("parallel-agents orchestrate: exit status as run", () => {
  it("exits 0 when every task and the synthesis end ok, 3 when some task fails", async () => {
    const failing: Script = (r) => (r.user.includes("[fail]") ? { text: "no json" } : { json: { summary: "done" } });
    server = await startScriptedModelServer(orchestrateScript([task("a"), task("b")], failing));
    const state = await tempDir();
    const ok = await cli(["orchestrate", ...base(state), "--goal", "Two parts"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("## Synthesis\nall done");
    server.setScript(orchestrateScript([task("a"), { ...task("b"), task: "[t:b] [fail] part b" }], failing));
    const partial = await cli(["orchestrate", ...base(state), "--goal", "Two parts"]);
    expect(partial.code).toBe(3);
    expect(partial.stdout).toMatch(/- \[invalid\] b/);
  });
});

describe("parallel-agents refine: exit status as run", () => {
  it("exits 1 when no agent got a design, with the error in the summary and no stack trace", async () => {
    server = await startScriptedModelServer((r) =>
      r.system.includes("You are an expert designer of AI agents") ? { text: "no design here" } : { status: 500 },
    );
    const state = await tempDir();
    const r = await cli(["refine", ...base(state), "--name", "cli_agent", "--purpose", "test", "--no-save"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error: agent_creator ended invalid/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });
});

describe("Ctrl-C in orchestrate and refine", () => {
  it("orchestrate: in-flight tasks cancelled, exit 130 with a resume hint; resume then finishes the run", async () => {
    server = await startScriptedModelServer(
      orchestrateScript([task("a"), task("b")], (r) =>
        marker(r.user) === "a" ? { json: { summary: "quick" } } : { hang: true },
      ),
    );
    const state = await tempDir();
    const r = await interrupt(
      ["orchestrate", ...base(state), "--goal", "Two parts"],
      () =>
        server!.log.some((e) => marker(e.user) === "b" && !isPlanner(e.system)) &&
        server!.log.some((e) => marker(e.user) === "a" && e.endedAt),
    );
    expect(r.code).toBe(130);
    const runId = /cancelled; finish it with: parallel-agents resume (or-[0-9a-f]+)/.exec(r.stderr)?.[1];
    expect(runId).toBeDefined();
    expect(r.stderr).not.toMatch(STACK_FRAME);
    await new Promise((res) => setTimeout(res, 100));
    expect(server.log.filter((e) => marker(e.user) === "b").every((e) => e.closedEarly)).toBe(true);
    expect(server.log.some((e) => isSynth(e.system))).toBe(false); // no synthesis after a cancel
    const journal = readJournal(journalFile(path.join(state, "runs"), runId!));
    expect([...journal.results.values()].map((x) => `${x.id}:${x.outcome}`).sort()).toEqual(["a:ok", "b:cancelled"]);

    server.setScript(orchestrateScript([task("a"), task("b")]));
    const before = server.log.length;
    const resumed = await cli(["resume", runId!, ...base(state)]);
    expect(resumed.code).toBe(0);
    expect(
      server.log
        .slice(before)
        .map((e) => (isPlanner(e.system) ? "planner" : isSynth(e.system) ? "synthesis" : marker(e.user))),
    ).toEqual(["b", "synthesis"]);
  });

  it("orchestrate while planning: exit 130, and says there is nothing to resume", async () => {
    server = await startScriptedModelServer((r) => (isPlanner(r.system) ? { hang: true } : { status: 500 }));
    const state = await tempDir();
    const r = await interrupt(["orchestrate", ...base(state), "--goal", "Something"], () => server!.inFlight() >= 1);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled before the plan was ready; nothing ran, nothing to resume/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(fs.existsSync(path.join(state, "runs")) ? fs.readdirSync(path.join(state, "runs")) : []).toEqual([]);
  });

  it("refine: the running design cancelled, exit 130 with a resume hint", async () => {
    server = await startScriptedModelServer((r) =>
      r.system.includes("You are an expert designer of AI agents") ? { hang: true } : { status: 500 },
    );
    const state = await tempDir();
    const r = await interrupt(
      ["refine", ...base(state), "--name", "cli_agent", "--purpose", "test", "--no-save"],
      () => server!.inFlight() >= 1,
    );
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled; finish it with: parallel-agents resume ra-[0-9a-f]+/);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    await new Promise((res) => setTimeout(res, 100));
    expect(server.log.every((e) => e.closedEarly)).toBe(true);
  });
});
