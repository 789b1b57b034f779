// `parallel-agents run` over several endpoints (--base-url repeated, --endpoints FILE) and with --price: agents
// spread over real scripted endpoints, per-endpoint counts and the run's cost in the output, bad flags refused.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";

const CLI = path.join(packageRoot(), "dist", "cli.js");
const exec = promisify(execFile);
let servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const s of servers) s.assertNoUnexpected();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve() {
  const server = await startScriptedModelServer(() => ({ json: { summary: "done" }, delayMs: 20 }));
  servers.push(server);
  return server;
}

async function cli(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const full = { PATH: process.env.PATH!, HOME: process.env.HOME!, ...env };
  return exec(process.execPath, [CLI, ...args], { env: full, cwd, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

const agents = (n: number) => Array.from({ length: n }, (_, i) => ["--agent", `echo_agent=[n${i}] item ${i}`]).flat();
const common = (runs: string) => ["--model", "m1", "--dir", path.join(FIXTURES, "agents"), "--runs-dir", runs];

describe("parallel-agents run over several endpoints", () => {
  it("--base-url twice spreads the agents over both, prices them with --price, counts per endpoint in --json", async () => {
    const [a, b] = [await serve(), await serve()];
    const runs = await tempDir();
    const r = await cli(
      ["run", "--base-url", a.url, "--base-url", b.url, ...common(runs), "--price", "m1=1/2", "--json", ...agents(24)],
      { PARALLEL_AGENTS_API_KEY: "sk-shared-0123456789" },
    );
    expect(r.code).toBe(0);
    const details = JSON.parse(r.stdout);
    expect(details.counts.ok).toBe(24);
    const { inputTokens, outputTokens, costUsd } = details.usage;
    expect(costUsd).toBeCloseTo((inputTokens * 1 + outputTokens * 2) / 1e6, 12);
    expect(details.agents.every((x: { usage: { costUsd?: number } }) => x.usage.costUsd! > 0)).toBe(true);
    expect(details.endpoints).toHaveLength(2);
    expect(details.endpoints.map((e: { sent: number }) => e.sent)).toEqual([a.log.length, b.log.length]);
    expect(a.log.length + b.log.length).toBe(24);
    expect(Math.min(a.log.length, b.log.length)).toBeGreaterThan(0);
    expect(a.maxInFlight()).toBeLessThanOrEqual(8);
    expect(b.maxInFlight()).toBeLessThanOrEqual(8);
    expect(a.maxInFlight() + b.maxInFlight()).toBeGreaterThan(8); // 16 at once by default: both caps in use
    for (const s of [a, b]) expect(s.log.every((e) => e.authorization === "Bearer sk-shared-0123456789")).toBe(true);
  });

  it("--endpoints FILE: each endpoint's cap, model names and key; counts and cost in the text; keys kept out of the journal", async () => {
    const [a, b] = [await serve(), await serve()];
    const runs = await tempDir();
    const file = path.join(runs, "endpoints.yaml");
    fs.writeFileSync(
      file,
      [
        "endpoints:",
        "  - name: big",
        `    baseUrl: ${a.url}`,
        "    maxConcurrent: 3",
        "    apiKeyEnv: BIG_KEY",
        "  - name: small",
        `    baseUrl: ${b.url}`,
        "    maxConcurrent: 1",
        "    model: small-model",
        "    apiKeyEnv: SMALL_KEY",
      ].join("\n"),
    );
    const keys = { BIG_KEY: "sk-big-secret-0123456789", SMALL_KEY: "sk-small-secret-0123456789" };
    const r = await cli(
      ["run", "--endpoints", file, ...common(runs), "--price", "m1=1/2", "--price", "small-model=3/4", ...agents(12)],
      keys,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/12 agents, 12 ok \(.*tokens, \$\d+\.\d{4}\)/);
    expect(r.stdout).toMatch(
      /^endpoints:\n {2}big {4}cap 3, peak \d: \d+ sent, \d+ ok, 0 rate-limited \(429\), 0 errors, 0 moved away$/m,
    );
    expect(r.stdout).toMatch(/^ {2}small {2}cap 1, peak 1: \d+ sent/m);
    expect(a.maxInFlight()).toBeLessThanOrEqual(3);
    expect(b.maxInFlight()).toBe(1);
    expect(a.log.every((e) => e.model === "m1" && e.authorization === `Bearer ${keys.BIG_KEY}`)).toBe(true);
    expect(b.log.every((e) => e.model === "small-model" && e.authorization === `Bearer ${keys.SMALL_KEY}`)).toBe(true);
    const journal = fs.readFileSync(path.join(runs, fs.readdirSync(runs).find((f) => f.endsWith(".jsonl"))!), "utf8");
    expect(journal).not.toContain(keys.BIG_KEY);
    expect(journal).not.toContain(keys.SMALL_KEY);
  });

  it("one --base-url stays the plain endpoint (no counts) and --price still prices the run", async () => {
    const server = await serve();
    const runs = await tempDir();
    const r = await cli([
      "run",
      "--base-url",
      server.url,
      ...common(runs),
      "--price",
      "m1=2/8",
      "--json",
      ...agents(3),
    ]);
    expect(r.code).toBe(0);
    const details = JSON.parse(r.stdout);
    expect(details.endpoints).toBeUndefined();
    const { inputTokens, outputTokens, costUsd } = details.usage;
    expect(costUsd).toBeCloseTo((inputTokens * 2 + outputTokens * 8) / 1e6, 12);
  });

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ["a bad --price", ["--price", "m1=cheap"], {}, /--price: "m1=cheap" is not MODEL=INPUT\/OUTPUT.*Fix: write e\.g\./],
    [
      "--endpoints with --base-url",
      ["--endpoints", "e.yaml", "--base-url", "http://127.0.0.1:9/v1"],
      {},
      /give one or the other/,
    ],
    [
      "a key in the endpoints file",
      ["--endpoints", "key.yaml"],
      {},
      /--endpoints key\.yaml: endpoints\[0\]\.apiKey: an API key never goes in the endpoints file/,
    ],
    [
      "an unset key variable",
      ["--endpoints", "env.yaml"],
      {},
      /--endpoints env\.yaml: endpoints\[0\]\.apiKeyEnv: the environment variable MISSING_KEY is not set/,
    ],
    ["a missing file", ["--endpoints", "none.yaml"], {}, /--endpoints none\.yaml: ENOENT/],
  ])("refuses %s with exit 2 before any request", async (_, flags, env, message) => {
    const server = await serve();
    const runs = await tempDir();
    fs.writeFileSync(path.join(runs, "e.yaml"), `endpoints: [{ baseUrl: "${server.url}" }]`);
    fs.writeFileSync(path.join(runs, "key.yaml"), `endpoints: [{ baseUrl: "${server.url}", apiKey: sk-in-file-123 }]`);
    fs.writeFileSync(path.join(runs, "env.yaml"), `endpoints: [{ baseUrl: "${server.url}", apiKeyEnv: MISSING_KEY }]`);
    const base = flags.includes("--endpoints") || flags.includes("--base-url") ? [] : ["--base-url", server.url];
    const r = await cli(["run", ...base, ...flags, ...common(runs), ...agents(1)], env, runs);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain("sk-in-file-123");
    expect(server.log).toHaveLength(0);
  });
});
