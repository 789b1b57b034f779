// bench/endpoints: one parallel_run spread over two endpoints by the endpoint pool, against the ideal for their
// combined capacity (N x latency / (cap A + cap B)); healthy, and with the smaller endpoint rate-limiting.
// Run: npm run bench:endpoints   (prints figures; not a timed test)
import { fork } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { CONFIG_DEFAULTS } from "../src/config.js";
import { createEndpointPool, type EndpointStats } from "../src/host/endpoint-pool.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { executeParallelRun } from "../src/tools/parallel-run/execute.js";
import type { RateLimit } from "../testing/scripted-model-server.js";
import type { ServerStats } from "../testing/scripted-servers-main.js";

const LATENCY_MS = 200;
const N = 120;
const CAPS = [8, 4] as const;
const ROUNDS = 3;

/** `takes`: requests B really serves at once, when under its configured cap (the ideal for that is shown too). */
type Scenario = { label: string; limit?: RateLimit; takes?: number };
const SCENARIOS: Scenario[] = [
  { label: "both healthy" },
  { label: "B refuses every 4th request (429, retry-after-ms 200)", limit: { every: 4, retryAfterMs: 200 } },
  {
    label: "B really takes 2 of its 4 (429 past 2 in flight, retry-after-ms 50)",
    limit: { maxInFlight: 2, retryAfterMs: 50 },
    takes: 2,
  },
];

/** Both scripted endpoints in a child process of their own, as real models would be. */
async function spawnEndpoints(limit: RateLimit | undefined) {
  const reply = { json: { summary: "ok" }, delayMs: LATENCY_MS };
  const specs = [{ reply }, { reply, options: limit ? { rateLimit: limit } : {} }];
  const root = path.resolve(".");
  const child = fork(
    path.join(root, "scripts", "run-ts.mjs"),
    [path.join(root, "testing", "scripted-servers-main.ts"), JSON.stringify(specs)],
    { cwd: root, stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  const urls = await new Promise<string[]>((resolve, reject) => {
    lines.once("line", (line) => resolve((JSON.parse(line) as { urls: string[] }).urls));
    child.once("exit", (code) => reject(new Error(`scripted servers exited with ${code}`)));
  });
  return {
    urls,
    stats: () =>
      new Promise<ServerStats[]>((resolve) => {
        child.once("message", (m) => resolve(m as ServerStats[]));
        child.send("stats");
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

async function measure(scenario: Scenario) {
  const servers = await spawnEndpoints(scenario.limit);
  // the forked servers are stopped whatever happens, or a failed round would leave the bench hanging
  try {
    const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [path.resolve("tests/fixtures/agents")] }) });
    const config = { ...CONFIG_DEFAULTS, maxAgentsPerCall: 200 };
    const agents = Array.from({ length: N }, (_, i) => ({ type: "echo_agent", task: `task ${i}` }));
    const newPool = () =>
      createEndpointPool({
        endpoints: CAPS.map((cap, i) => ({
          name: "AB"[i]!,
          baseUrl: servers.urls[i]!,
          maxConcurrent: cap,
          defaultModel: "bench",
        })),
      });
    const warm = newPool();
    await executeParallelRun(
      { agents: agents.slice(0, 12), maxConcurrent: warm.capacity },
      { config, registry, port: warm },
    );
    let best = { ms: Infinity, stats: [] as EndpointStats[], attempts: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const pool = newPool();
      const t0 = performance.now();
      const { run } = await executeParallelRun(
        { agents, maxConcurrent: pool.capacity },
        { config, registry, port: pool },
      );
      const ms = performance.now() - t0;
      if (run.counts.ok !== N) throw new Error(`${scenario.label}: only ${run.counts.ok} of ${N} ok`);
      if (ms < best.ms) best = { ms, stats: pool.stats(), attempts: run.attempts };
    }
    return { ...best, served: await servers.stats() };
  } finally {
    await servers.stop();
  }
}

const capacity = CAPS[0] + CAPS[1];
const ideal = (N * LATENCY_MS) / capacity;
console.log(
  `makespan, N=${N} agents, ${LATENCY_MS} ms model latency, endpoints A cap ${CAPS[0]} + B cap ${CAPS[1]} = ${capacity}, real HTTP to scripted servers in another process, best of ${ROUNDS}:`,
);
console.log(`  ideal = N x latency / combined capacity = ${ideal.toFixed(0)} ms`);
for (const scenario of SCENARIOS) {
  const { ms, stats, attempts, served } = await measure(scenario);
  const real = scenario.takes ? (N * LATENCY_MS) / (CAPS[0] + scenario.takes) : undefined;
  const againstReal = real
    ? `, ${(ms / real).toFixed(3)} x the ideal for the ${CAPS[0] + scenario.takes!} really there`
    : "";
  console.log(
    `  ${scenario.label}: ${ms.toFixed(0)} ms = ${(ms / ideal).toFixed(3)} x ideal${againstReal}; ${attempts} attempts`,
  );
  for (const [i, s] of stats.entries())
    console.log(
      `    ${s.name}: ${s.sent} sent, ${s.ok} ok, ${s.rateLimited} 429s, ${s.movedAway} moved away, peak ${s.maxInFlight} in flight (server's own peak over all rounds ${served[i]!.maxInFlight}, cap ${s.maxConcurrent})`,
    );
}
