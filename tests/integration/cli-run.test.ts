import { cliEndpointArgs } from "../helpers/cli-endpoint.js";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";
import { readJournal } from "../../src/journal/run-journal.js";
import { tempDir } from "../helpers/registry.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";

const CLI = path.join(packageRoot(), "dist", "cli.js");
const exec = promisify(execFile);
let server: ScriptedModelServer | undefined;
afterEach(async () => {
  server?.assertNoUnexpected();
  await server?.close();
  server = undefined;
});

const API_KEY = "sk-cli-secret-0123456789";
const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH!,
  HOME: process.env.HOME!,
  PARALLEL_AGENTS_API_KEY: API_KEY,
  ...extra,
});
const base = (runs: string) => cliEndpointArgs(server!.url, runs);
const markerOf = (user: string) => /\[n(\d+)\]/.exec(user)?.[1];

async function cli(args: string[], options: { env?: Record<string, string> } = {}) {
  return exec(process.execPath, [CLI, ...args], { env: env(options.env), timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("parallel-agents run / resume / runs / show", () => {
  it("runs agents from flags with plain lines, a summary, the journal path and exit 0", async () => {
    server = await startScriptedModelServer((r) => ({ json: { summary: `did ${markerOf(r.user)}` } }));
    const runs = await tempDir();
    const r = await cli([
      "run",
      ...base(runs),
      "--agent",
      "echo_agent=[n1] first",
      "--agent",
      "echo_agent=[n2] second",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[ok\] echo_agent \(echo_agent\) [\d.]+ s$/m);
    expect(r.stdout).toMatch(/2 agents, 2 ok/);
    expect(r.stdout).toMatch(/journal: .*\.jsonl/);
    expect(r.stdout).not.toContain("\x1b"); // a pipe gets no escape codes
    expect(server.log.every((e) => e.authorization === `Bearer ${API_KEY}`)).toBe(true);
  });

  it("--json prints the details, and the exit status tells partial success apart", async () => {
    server = await startScriptedModelServer((r) =>
      markerOf(r.user) === "2" ? { text: "no json" } : { json: { summary: "ok" } },
    );
    const runs = await tempDir();
    const r = await cli([
      "run",
      ...base(runs),
      "--json",
      "--agent",
      "echo_agent=[n1] a",
      "--agent",
      "echo_agent=[n2] b",
    ]);
    expect(r.code).toBe(3);
    const details = JSON.parse(r.stdout);
    expect(details.counts).toMatchObject({ ok: 1, invalid: 1 });
    const none = await cli(["run", ...base(runs), "--agent", "echo_agent=[n2] b"]);
    expect(none.code).toBe(1);
    const bad = await cli(["run", ...base(runs), "--agent", "no_such_type=x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/agents\[0\]\.type: unknown agent type "no_such_type"/);
  });

  it("after SIGKILL mid-run, the journal holds every finished outcome and resume requests only the rest", async () => {
    server = await startScriptedModelServer((r) => ({ json: { summary: `did ${markerOf(r.user)}` }, delayMs: 150 }));
    const runs = await tempDir();
    const file = path.join(runs, "calls.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        agents: Array.from({ length: 30 }, (_, i) => ({ type: "echo_agent", task: `[n${i}] item ${i}` })),
        maxConcurrent: 4,
      }),
    );
    const child = spawn(process.execPath, [CLI, "run", ...base(runs), "--file", file], { env: env(), stdio: "ignore" });
    const start = Date.now();
    while (server.log.filter((e) => e.endedAt).length < 10 && Date.now() - start < 30_000)
      await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const journal = fs.readdirSync(runs).find((f) => f.endsWith(".jsonl"))!;
    const before = readJournal(path.join(runs, journal));
    const done = [...before.results.values()].filter((r) => r.outcome === "ok");
    expect(done.length).toBeGreaterThanOrEqual(8);
    expect(done.length).toBeLessThan(30);
    expect(before.ended).toBe(false);
    const answered = new Set(server.log.filter((e) => e.endedAt && !e.closedEarly).map((e) => markerOf(e.user)));
    for (const r of done) expect(answered.has(String(r.index))).toBe(true); // nothing journaled that did not happen
    const requestsBefore = server.log.length;

    const resumed = await cli(["resume", before.runId, ...base(runs)]);
    expect(resumed.code).toBe(0);
    const after = server.log.slice(requestsBefore).map((e) => markerOf(e.user));
    for (const r of done) expect(after).not.toContain(String(r.index)); // zero requests for agents already done
    const final = readJournal(path.join(runs, journal));
    expect(final.ended).toBe(true);
    expect([...final.results.values()].filter((r) => r.outcome === "ok")).toHaveLength(30);

    const list = await cli(["runs", "--runs-dir", runs]);
    expect(list.stdout).toContain(before.runId);
    const show = await cli(["show", before.runId, "--runs-dir", runs, "--json"]);
    expect(JSON.parse(show.stdout).agents).toHaveLength(30);
  });

  it("keeps the API key and bearer tokens out of the journal", async () => {
    server = await startScriptedModelServer(() => ({ json: { summary: "ok" } }));
    const runs = await tempDir();
    const bearer = "Bearer abcdefghijklmnop123";
    await cli(["run", ...base(runs), "--api-key", API_KEY, "--agent", `echo_agent=[n1] use ${bearer} and ${API_KEY}`]);
    const text = fs.readFileSync(path.join(runs, fs.readdirSync(runs)[0]!), "utf8");
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain("abcdefghijklmnop123");
    expect(text).toContain("run-start");
  });

  it("tolerates a torn last line in a journal", async () => {
    server = await startScriptedModelServer(() => ({ json: { summary: "ok" } }));
    const runs = await tempDir();
    await cli(["run", ...base(runs), "--agent", "echo_agent=[n1] x"]);
    const file = path.join(runs, fs.readdirSync(runs)[0]!);
    fs.appendFileSync(file, '{"t":"agent-end","result":{"ind');
    const run = readJournal(file);
    expect(run.tornLines).toBe(1);
    expect(run.results.size).toBe(1);
  });
});

describe("the built binary's conventions", () => {
  it("--version prints the package version; run --help prints run's help; neither runs anything", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot(), "package.json"), "utf8"));
    expect(await cli(["--version"])).toMatchObject({ code: 0, stdout: `${version}\n` });
    const runs = await tempDir();
    const help = await cli(["run", "--help", "--runs-dir", path.join(runs, "j"), "--agent", "echo_agent=x"], {
      env: { PARALLEL_AGENTS_BASE_URL: "http://127.0.0.1:9/v1", PARALLEL_AGENTS_MODEL: "m1" },
    });
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/^Usage: parallel-agents run /);
    expect(fs.existsSync(path.join(runs, "j"))).toBe(false);
  });

  it("refuses a mistyped flag in one line with exit 2 and no stack trace", async () => {
    const r = await cli(["run", "--fle", "x.yaml"], {
      env: { PARALLEL_AGENTS_BASE_URL: "http://127.0.0.1:9/v1", PARALLEL_AGENTS_MODEL: "m1" },
    });
    expect(r).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "parallel-agents run: unknown flag --fle (did you mean --file?)\n",
    });
  });
});

/** The CLI call as one shell command line, for `script`. */
const shellCommand = (args: string[]) =>
  [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");

describe("the live view, through a pseudo-terminal", () => {
  it("shows a progress bar and each agent queued, running with elapsed time, then done with its outcome", async () => {
    server = await startScriptedModelServer((r) =>
      markerOf(r.user) === "3" ? { text: "not json" } : { json: { summary: "ok" }, delayMs: 700 },
    );
    const runs = await tempDir();
    const args = [
      "run",
      ...base(runs),
      "--max-concurrent",
      "2",
      ...[1, 2, 3, 4].flatMap((n) => ["--agent", `echo_agent=[n${n}] task ${n}`]),
    ];
    // `script` gives the CLI a real pseudo-terminal, as a person's shell would
    const result = await exec("script", ["-qfec", shellCommand(args), "/dev/null"], {
      env: { ...env(), COLUMNS: "100", LINES: "30", TERM: "xterm" },
      timeout: 60_000,
    }).catch((e: { code: number; stdout: string }) => e);
    expect((result as { code?: number }).code).toBe(3); // some ok: partial success
    const stdout = result.stdout;
    const screen = stdout.replace(/\r/g, "");
    expect(screen).toMatch(/\[\.{30}\] 0\/4 done, 0 running, 4 queued/); // first frame
    expect(screen).toMatch(/\x1b\[36mrunning\x1b\[0m {2}echo_agent( #\d)? {2}\d+\.\d s/);
    expect(screen).toMatch(/queued {3}echo_agent #\d/);
    expect(screen).toMatch(/\x1b\[\d+A/); // redrawn in place
    expect(screen).toMatch(/\[#{30}\] 4\/4 done, 0 running, 0 queued/); // last frame
    expect(screen).toMatch(/\x1b\[33minvalid {2}\x1b\[0mecho_agent #3/);
    expect(screen).toMatch(/4 agents, 3 ok, 1 invalid/);
  });

  it("with NO_COLOR set, the terminal gets plain lines and not one escape code", async () => {
    server = await startScriptedModelServer(() => ({ json: { summary: "ok" } }));
    const runs = await tempDir();
    const args = ["run", ...base(runs), "--agent", "echo_agent=[n1] a", "--agent", "echo_agent=[n2] b"];
    const result = await exec("script", ["-qfec", shellCommand(args), "/dev/null"], {
      env: { ...env(), TERM: "xterm", NO_COLOR: "1" },
      timeout: 60_000,
    });
    expect(result.stdout).toMatch(/^\[ok\] echo_agent( #\d)? \(echo_agent\) [\d.]+ s\r?$/m);
    expect(result.stdout).not.toContain("\x1b");
  });
});

describe("parallel-agents refine and orchestrate from a terminal", () => {
  it("orchestrate --dry-run prints the checked plan; refine --no-save prints the scores and keeps files untouched", async () => {
    const { SAMPLE_OUTPUTS, designReview } = await import("../../testing/sample-outputs.js");
    server = await startScriptedModelServer((r) => {
      if (r.system.includes("You are a planner for a team"))
        return {
          json: {
            tasks: [
              { id: "a", type: "echo_agent", task: "x", dependsOn: [] },
              { id: "b", type: "echo_agent", task: "y", dependsOn: ["a"] },
            ],
            rationale: "two steps",
          },
        };
      if (r.system.includes("You are an expert designer of AI agents"))
        return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: "cli_agent" } };
      if (r.system.includes("You are a strict reviewer of AI agent designs")) return { json: designReview(9.1) };
      throw new Error("unexpected");
    });
    const state = await tempDir();
    const plan = await cli(["orchestrate", ...base(state), "--state-dir", state, "--goal", "Two steps", "--dry-run"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/2 tasks in 2 waves; would start 3 agents/);
    const refined = await cli([
      "refine",
      ...base(state),
      "--state-dir",
      state,
      "--name",
      "cli_agent",
      "--purpose",
      "test",
      "--no-save",
    ]);
    expect(refined.code).toBe(0);
    expect(refined.stdout).toMatch(/cli_agent: 9.10; final 9.1 \(target reached\)/);
    expect(fs.existsSync(path.join(state, "parallel-agents", "agents"))).toBe(false);
  });
});

describe("Ctrl-C", () => {
  it("cancels cleanly: in-flight requests aborted, the journal closed with every outcome, a hint to resume, exit 130", async () => {
    server = await startScriptedModelServer((r) =>
      markerOf(r.user) === "1" ? { json: { summary: "quick" } } : { hang: true },
    );
    const runs = await tempDir();
    const child = spawn(
      process.execPath,
      [CLI, "run", ...base(runs), ...[1, 2, 3].flatMap((n) => ["--agent", `echo_agent=[n${n}] t`])],
      { env: env(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    const start = Date.now();
    while (server.inFlight() < 2 && Date.now() - start < 20_000) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/cancelled; finish it with: parallel-agents resume pr-[0-9a-f]+/);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.log.filter((e) => markerOf(e.user) !== "1").every((e) => e.closedEarly)).toBe(true);
    const run = readJournal(path.join(runs, fs.readdirSync(runs).find((f) => f.endsWith(".jsonl"))!));
    expect(run.ended).toBe(true);
    expect([...run.results.values()].map((r) => r.outcome).sort()).toEqual(["cancelled", "cancelled", "ok"]);
  });
});

describe("parallel-agents run --judge --best-of", () => {
  it("judges every answer and keeps the best of N candidates; the text shows each agent's score", async () => {
    let n = 0;
    server = await startScriptedModelServer((r) => {
      if (r.system.includes("You are a strict, fair judge")) {
        const s = r.user.includes("ANSWER-2") ? 9 : 6;
        const dim = { score: s, note: "n" };
        return { json: { scores: { task_fit: dim, accuracy: dim, completeness: dim, clarity: dim }, feedback: "f" } };
      }
      return { text: `ANSWER-${++n}`, delayMs: 50 };
    });
    const runs = await tempDir();
    const r = await cli([
      "run",
      ...base(runs),
      "--agent",
      "general=Summarise the plan",
      "--judge",
      "7.5",
      "--best-of",
      "3",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const details = JSON.parse(r.stdout);
    expect(details.agents).toHaveLength(1);
    expect(details.agents[0].output).toBe("ANSWER-2");
    expect(details.agents[0].judged.score).toBe(9);
    expect(details.agents[0].candidates.map((c: { score: number }) => c.score).sort()).toEqual([6, 6, 9]);
    const text = await cli(["run", ...base(runs), "--agent", "general=Again", "--judge", "5"]);
    expect(text.stdout).toMatch(/\[ok\] general, .*score 6/);
  });
});
