// `parallel-agents run --batch` and `wait` end to end: the built CLI against the scripted batch server over real HTTP.
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { readJournal } from "../../src/journal/run-journal.js";
import { packageRoot } from "../../src/paths.js";
import {
  startScriptedBatchServer,
  type BatchScript,
  type ScriptedBatchServer,
  type ScriptedBatchServerOptions,
} from "../../testing/scripted-batch-server.js";
import { cliEndpointArgs } from "../helpers/cli-endpoint.js";
import { tempDir } from "../helpers/registry.js";

const CLI = path.join(packageRoot(), "dist", "cli.js");
const exec = promisify(execFile);
const API_KEY = "sk-batch-secret-0123456789";

let server: ScriptedBatchServer | undefined;
afterEach(async () => {
  server?.assertNoUnexpected();
  await server?.close();
  server = undefined;
});

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH!,
  HOME: process.env.HOME!,
  PARALLEL_AGENTS_API_KEY: API_KEY,
  PARALLEL_AGENTS_BATCH_POLL_MS: "15,60",
  ...extra,
});

type CliResult = { code: number; stdout: string; stderr: string };

async function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return exec(process.execPath, [CLI, ...args], { env: env(extraEnv), timeout: 60_000, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: CliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const markerOf = (user: string) => /\[n(\d+)\]/.exec(user)?.[1];
const ok = (user: string) => ({ json: { summary: `did ${markerOf(user)}` } });
const isRepair = (user: string) => user.includes("Your previous answer was rejected");

async function start(script: BatchScript, options: Omit<ScriptedBatchServerOptions, "script"> = {}) {
  server = await startScriptedBatchServer({ script, ...options });
  return server;
}

/** A runs folder with calls.json of `n` echo agents, tasks `[n<i>] item <i>`. */
async function callsFile(n: number, extra: Record<string, unknown> = {}) {
  const runs = await tempDir("pa-batch-");
  const file = path.join(runs, "calls.json");
  const agents = Array.from({ length: n }, (_, i) => ({ type: "echo_agent", task: `[n${i}] item ${i}` }));
  fs.writeFileSync(file, JSON.stringify({ agents, ...extra }));
  return { runs, file };
}

const runIdOf = (stdout: string) => /parallel-agents wait (\S+)/.exec(stdout)![1]!;
const journalOf = (runs: string, runId: string) => readJournal(path.join(runs, `${runId}.jsonl`));

describe("parallel-agents run --batch / wait", () => {
  it("2,000 agents: submitted in batches of at most the batch size, detached, then every one ends with a definite outcome", {
    timeout: 60_000,
  }, async () => {
    await start((r) => ok(r.user));
    const { runs, file } = await callsFile(2000);
    const t0 = Date.now();
    const submitted = await cli(["run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs)], {
      PARALLEL_AGENTS_BATCH_MAX_REQUESTS: "500",
    });
    const submitMs = Date.now() - t0;
    expect(submitted.code).toBe(0);
    const runId = runIdOf(submitted.stdout);
    expect(submitted.stdout).toMatch(/2000 agents submitted to openai in 4 batches/);
    expect(server!.count("files.create")).toBe(4);
    expect(server!.count("batches.create")).toBe(4);
    expect(server!.batches().map((b) => b.requests)).toEqual([500, 500, 500, 500]);
    expect(server!.answered).toHaveLength(0); // nothing ran yet: the command returned after submitting

    const listed = await cli(["runs", "--runs-dir", runs]);
    expect(listed.stdout).toMatch(new RegExp(`${runId} .* waiting on 4 batches: batch_\\d+ validating`));
    const listedJson = JSON.parse((await cli(["runs", "--runs-dir", runs, "--json"])).stdout);
    expect(listedJson[0]).toMatchObject({ runId, waitingOnBatch: true });
    expect(listedJson[0].batches).toHaveLength(4);

    const t1 = Date.now();
    const waited = await cli(["wait", runId, ...cliEndpointArgs(server!.url, runs), "--json"]);
    const waitMs = Date.now() - t1;
    expect(waited.code).toBe(0);
    const details = JSON.parse(waited.stdout);
    expect(details.agents).toHaveLength(2000);
    expect(details.counts.ok).toBe(2000);
    expect(details.batches.map((b: { status: string }) => b.status)).toEqual(Array(4).fill("completed"));
    // each agent's answer is its own (by marker), and each request was submitted exactly once
    expect(details.agents.map((a: { output: unknown }) => a.output)).toEqual(
      Array.from({ length: 2000 }, (_, i) => ({ summary: `did ${i}` })),
    );
    expect(server!.count("batches.create")).toBe(4);
    expect(server!.answered).toHaveLength(2000);
    expect(new Set(server!.answered.map((a) => a.customId)).size).toBe(2000);

    const journal = journalOf(runs, runId);
    expect(journal.ended).toBe(true);
    expect([...journal.results.values()].filter((r) => r.outcome === "ok")).toHaveLength(2000);
    const after = await cli(["runs", "--runs-dir", runs]);
    expect(after.stdout).toMatch(
      new RegExp(`${runId} .* 2000 agents finished; batches: batch_\\d+ completed, 500/500 done`),
    );
    console.log(`2,000 agents: run --batch ${submitMs} ms, wait ${waitMs} ms`);
  });
});

describe("interrupted: nothing is submitted twice", () => {
  it("a SIGKILL of `wait` while it polls, then `resume`: the same batch is downloaded, 0 re-submitted", async () => {
    await start((r) => ok(r.user));
    server!.hold(true); // the batch stays in_progress until released
    const { runs, file } = await callsFile(20);
    const submitted = await cli(["run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs)]);
    expect(submitted.code).toBe(0);
    const runId = runIdOf(submitted.stdout);
    const child = spawn(process.execPath, [CLI, "wait", runId, ...cliEndpointArgs(server!.url, runs)], {
      env: env(),
      stdio: "ignore",
    });
    const started = Date.now();
    while (server!.count("batches.retrieve") < 3 && Date.now() - started < 20_000)
      await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(journalOf(runs, runId).ended).toBe(false); // killed mid-wait: no run end

    server!.hold(false);
    const resumed = await cli(["resume", runId, ...cliEndpointArgs(server!.url, runs), "--json"]);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).counts.ok).toBe(20);
    expect(server!.count("files.create")).toBe(1);
    expect(server!.count("batches.create")).toBe(1);
    expect(server!.answered).toHaveLength(20);
  });

  it("a SIGKILL of `run --batch` while the provider creates the batch: `wait` finds it by its key, 0 re-submitted", async () => {
    await start((r) => ok(r.user), { createDelayMs: 5_000 });
    const { runs, file } = await callsFile(10);
    const child = spawn(
      process.execPath,
      [CLI, "run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs)],
      {
        env: env(),
        stdio: "ignore",
      },
    );
    const started = Date.now();
    while (server!.count("batches.create") < 1 && Date.now() - started < 20_000)
      await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGKILL"); // the batch exists at the provider; its id never reached the journal
    await new Promise((r) => child.once("exit", r));
    const runId = fs
      .readdirSync(runs)
      .find((f) => f.endsWith(".jsonl"))!
      .replace(/\.jsonl$/, "");
    expect(journalOf(runs, runId).batches?.map((b) => b.status)).toEqual(["submitting"]);

    const waited = await cli(["wait", runId, ...cliEndpointArgs(server!.url, runs), "--json"]);
    expect(waited.code).toBe(0);
    expect(JSON.parse(waited.stdout).counts.ok).toBe(10);
    expect(server!.count("batches.list")).toBeGreaterThanOrEqual(1);
    expect(server!.count("batches.create")).toBe(1);
    expect(server!.answered).toHaveLength(10);
  });
});

describe("nothing is submitted twice", () => {
  const replace = (args: string[], name: string, value: string) =>
    args.map((a, i) => (args[i - 1] === name ? value : a));

  it("`wait` refuses another --model or --base-url than the batches went out with, naming both", async () => {
    await start((r) => ok(r.user));
    server!.hold(true);
    const { runs, file } = await callsFile(3);
    const base = cliEndpointArgs(server!.url, runs);
    const runId = runIdOf((await cli(["run", "--batch", "--file", file, ...base])).stdout);
    const otherModel = await cli(["wait", runId, ...replace(base, "--model", "m2")]);
    expect(otherModel.code).toBe(2);
    expect(otherModel.stderr).toMatch(/--model m2: run \S+ submitted its batches with model m1; leave --model out/);
    const otherUrl = await cli(["wait", runId, ...replace(base, "--base-url", "http://user:pw@127.0.0.1:9/v1?k=1")]);
    expect(otherUrl.code).toBe(2);
    expect(otherUrl.stderr).toContain(
      `--base-url http://127.0.0.1:9/v1: run ${runId} sent its batches to ${server!.url}`,
    );
    expect(journalOf(runs, runId).batchMode).toMatchObject({ model: "m1", baseUrl: server!.url });
    expect(server!.count("batches.create")).toBe(1);
    server!.hold(false);
  });

  it("a create whose answer is lost while the lookup by key fails: the agents wait, `wait` finds the batch, 0 re-submitted", async () => {
    // the SDK tries a list three times: every lookup of `run --batch` fails
    await start((r) => ok(r.user), { failCreate: { mode: "lose", times: 1 }, failingLists: 3 });
    const { runs, file } = await callsFile(4);
    const base = cliEndpointArgs(server!.url, runs);
    const submitted = await cli(["run", "--batch", "--file", file, ...base, "--json"]);
    const runId = JSON.parse(submitted.stdout).runId as string;
    expect(JSON.parse(submitted.stdout).counts.cancelled).toBe(4);
    expect(journalOf(runs, runId).batches?.map((b) => b.status)).toEqual(["submitting"]);
    const waited = await cli(["wait", runId, ...base, "--json"]);
    expect(JSON.parse(waited.stdout).counts.ok).toBe(4);
    expect(server!.count("batches.create")).toBe(1);
    expect(server!.answered).toHaveLength(4);
  });

  it("a create refused with a 4xx ends its agents failed and is journaled as not created", async () => {
    await start((r) => ok(r.user), { failCreate: { mode: "refuse", times: 1 } });
    const { runs, file } = await callsFile(2);
    const out = JSON.parse(
      (await cli(["run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs), "--json"])).stdout,
    );
    expect(out.counts.failed).toBe(2);
    expect(out.agents[0].reason).toMatch(/HTTP 400: .*scripted refusal/);
    expect(journalOf(runs, out.runId).batches?.map((b) => b.status)).toEqual(["not created"]);
  });

  it("Anthropic: Ctrl-C while the batch is created journals its id; a SIGKILL there is never resubmitted by `wait`", async () => {
    await start((r) => ok(r.user), { createDelayMs: 600 });
    const runBatch = async (signal: NodeJS.Signals) => {
      const { runs, file } = await callsFile(2);
      const before = server!.count("messages.batches.create");
      const args = [
        "run",
        "--batch",
        "--file",
        file,
        ...cliEndpointArgs(server!.root, runs),
        "--provider",
        "anthropic",
      ];
      const child = spawn(process.execPath, [CLI, ...args], { env: env(), stdio: "ignore" });
      while (server!.count("messages.batches.create") === before) await new Promise((r) => setTimeout(r, 10));
      child.kill(signal);
      await new Promise((r) => child.once("exit", r));
      const runId = fs
        .readdirSync(runs)
        .find((f) => f.endsWith(".jsonl"))!
        .replace(/\.jsonl$/, "");
      return { runs, runId };
    };
    const interrupted = await runBatch("SIGINT");
    expect(journalOf(interrupted.runs, interrupted.runId).batches?.[0]?.batchId).toMatch(/^msgbatch_/);

    const killed = await runBatch("SIGKILL");
    expect(journalOf(killed.runs, killed.runId).batches?.map((b) => b.status)).toEqual(["submitting"]);
    const waited = await cli(["wait", killed.runId, ...cliEndpointArgs(server!.root, killed.runs), "--json"]);
    const details = JSON.parse(waited.stdout);
    expect(details.counts.cancelled).toBe(2);
    expect(details.agents[0].reason).toMatch(
      /anthropic cannot look a batch up by its key.*check the provider's console/,
    );
    expect(server!.count("messages.batches.create")).toBe(2); // one per run: the killed one's never went out again
  });
});

describe("failures end only the agents they touch, with the provider's reason", () => {
  it("an expired batch with a refused request: those agents end failed with the reason, the rest ok", async () => {
    await start((r) => {
      const n = markerOf(r.user);
      if (n === "3") return { expire: true };
      if (n === "4") return { status: 400 };
      return ok(r.user);
    });
    const { runs, file } = await callsFile(8);
    const runId = runIdOf(
      (await cli(["run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs)])).stdout,
    );
    const waited = await cli(["wait", runId, ...cliEndpointArgs(server!.url, runs), "--json"]);
    expect(waited.code).toBe(3);
    const details = JSON.parse(waited.stdout);
    expect(details.counts).toMatchObject({ ok: 6, failed: 2 });
    expect(details.agents[3].reason).toMatch(
      /^batch batch_\d+ expired before this request ran: This request could not be executed/,
    );
    expect(details.agents[4].reason).toMatch(/^batch batch_\d+: HTTP 400: scripted HTTP 400/);
    expect(details.batches[0]).toMatchObject({ status: "expired", counts: { completed: 6, failed: 2, total: 8 } });
    expect(server!.count("batches.create")).toBe(1); // the failures are final: nothing sent again
    const listed = await cli(["runs", "--runs-dir", runs]);
    expect(listed.stdout).toMatch(
      /8 agents finished; batch: batch_\d+ expired, 6\/8 done, 2 failed: the 24 h completion window passed/,
    );
  });

  it("a batch the provider fails at validation ends the refused line's agent failed; the others go out again", async () => {
    await start((r) => (markerOf(r.user) === "1" ? { invalid: "messages: too long", ...ok(r.user) } : ok(r.user)));
    const { runs, file } = await callsFile(3);
    const runId = runIdOf(
      (await cli(["run", "--batch", "--file", file, ...cliEndpointArgs(server!.url, runs)])).stdout,
    );
    const details = JSON.parse((await cli(["wait", runId, ...cliEndpointArgs(server!.url, runs), "--json"])).stdout);
    expect(details.counts).toMatchObject({ ok: 2, failed: 1 });
    expect(details.agents[1].reason).toMatch(/refused this request \(line 2\): invalid_request: messages: too long/);
    // their own lines were fine: a follow-up batch (attempt 2) answers them
    expect(server!.count("batches.create")).toBe(2);
    expect(server!.answered.map((a) => markerOf(a.user)).sort()).toEqual(["0", "2"]);
  });
});

describe("repairs", () => {
  const script: BatchScript = (r) =>
    ["1", "2"].includes(markerOf(r.user) ?? "") && !isRepair(r.user) ? { text: "not json at all" } : ok(r.user);

  it("invalid answers are repaired in a follow-up batch, priced at the batch discount", async () => {
    await start(script);
    const { runs, file } = await callsFile(5);
    const args = [...cliEndpointArgs(server!.url, runs), "--price", "m1=1/2"];
    const runId = runIdOf((await cli(["run", "--batch", "--file", file, ...args])).stdout);
    const waited = await cli(["wait", runId, ...args, "--json"]);
    expect(waited.code).toBe(0);
    const details = JSON.parse(waited.stdout);
    expect(details.counts.ok).toBe(5);
    expect(details.agents[1].attempts.map((a: { kind: string; outcome: string }) => `${a.kind} ${a.outcome}`)).toEqual([
      "first invalid",
      "repair ok",
    ]);
    expect(server!.count("batches.create")).toBe(2);
    const [first, followUp] = server!.batches();
    expect(first!.requests).toBe(5);
    expect(followUp!.requests).toBe(2);
    expect(server!.answered.filter((a) => a.batchId === followUp!.id).every((a) => isRepair(a.user))).toBe(true);
    for (const a of details.agents) {
      const { inputTokens, outputTokens, costUsd } = a.usage;
      expect(costUsd).toBeCloseTo(((inputTokens * 1 + outputTokens * 2) / 1e6) * 0.5, 12);
    }
  });

  it("--repair-live repairs live on the same endpoint: no follow-up batch", async () => {
    await start(script);
    const { runs, file } = await callsFile(5);
    const runId = runIdOf(
      (await cli(["run", "--batch", "--repair-live", "--file", file, ...cliEndpointArgs(server!.url, runs)])).stdout,
    );
    const waited = await cli(["wait", runId, ...cliEndpointArgs(server!.url, runs), "--json"]); // remembered
    expect(JSON.parse(waited.stdout).counts.ok).toBe(5);
    expect(server!.count("batches.create")).toBe(1);
    expect(server!.count("chat.completions")).toBe(2);
    expect(server!.answered.filter((a) => a.batchId === "").every((a) => isRepair(a.user))).toBe(true);
  });
});

describe("Anthropic Message Batches", () => {
  it("--provider anthropic submits one message batch and collects every result", async () => {
    // a torn results line costs only its own request: the lines after it are read
    await start((r) =>
      markerOf(r.user) === "2" ? { expire: true } : { ...ok(r.user), torn: markerOf(r.user) === "4" },
    );
    const { runs, file } = await callsFile(6);
    const args = ["--file", file, ...cliEndpointArgs(server!.root, runs), "--provider", "anthropic"];
    const submitted = await cli(["run", "--batch", ...args]);
    expect(submitted.stdout).toMatch(/6 agents submitted to anthropic in 1 batch/);
    const runId = runIdOf(submitted.stdout);
    const details = JSON.parse((await cli(["wait", runId, ...cliEndpointArgs(server!.root, runs), "--json"])).stdout);
    expect(details.counts).toMatchObject({ ok: 4, failed: 2, cancelled: 0 });
    expect(details.agents[2].reason).toMatch(/^batch msgbatch_\d+ expired before this request ran/);
    expect(details.agents[4].reason).toMatch(/^batch msgbatch_\d+ ended ended without a result for this request/);
    expect(details.agents[0].runtime).toBe("anthropic-batch");
    expect(server!.count("messages.batches.create")).toBe(1);
  });
});

describe("batch mode's bounds and refusals", () => {
  it("refuses batch flags without --batch, more than one endpoint, and a call over the batch cap", async () => {
    await start((r) => ok(r.user));
    const runs = await tempDir("pa-batch-");
    const base = cliEndpointArgs(server!.url, runs);
    const noBatch = await cli(["run", "--provider", "anthropic", "--agent", "echo_agent=x", ...base]);
    expect(noBatch).toMatchObject({ code: 2 });
    expect(noBatch.stderr).toMatch(/--provider is for batch mode: add --batch/);
    const two = await cli([
      "run",
      "--batch",
      "--agent",
      "echo_agent=x",
      ...base,
      "--base-url",
      "http://127.0.0.1:9/v1",
    ]);
    expect(two.stderr).toMatch(/batch mode sends to one provider/);
    const { file } = await callsFile(50_001);
    const over = await cli(["run", "--batch", "--file", file, ...base]);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/at most 50000 items|more than the limit of 50000/);
    expect(server!.calls).toHaveLength(0);
  });
});
