// bench/parallel: how close parallel_run gets to ideal parallelism, and what the engine itself costs per agent.
// Run: npm run bench:parallel   (prints figures; not a timed test)
import http from "node:http";
import path from "node:path";
import { CONFIG_DEFAULTS } from "../src/config.js";
import type { SessionPort } from "../src/engine/port.js";
import { runAgents, type PreparedAgent } from "../src/engine/scheduler.js";
import { createOpenAiHttpPort } from "../src/host/openai-http-port.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { executeParallelRun } from "../src/tools/parallel-run/execute.js";
import { getValidator } from "../src/validation/json-validator.js";
import { spawnScriptedServer } from "../testing/spawn-scripted-server.js";

const LATENCY_MS = 300;
const N_MAKESPAN = 100;
const N_CPU = 10_000;

async function makespan(stream: boolean) {
  // The model runs in its own process, as a real one would: its work does not share our event loop.
  const server = await spawnScriptedServer({ json: { summary: "ok" }, delayMs: LATENCY_MS });
  const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [path.resolve("tests/fixtures/agents")] }) });
  const port = createOpenAiHttpPort({ baseUrl: server.url, defaultModel: "bench", stream });
  const agents = Array.from({ length: N_MAKESPAN }, (_, i) => ({ type: "echo_agent", task: `task ${i}` }));
  const config = { ...CONFIG_DEFAULTS, maxAgentsPerCall: 200 };
  await executeParallelRun({ agents: agents.slice(0, 4), maxConcurrent: 4 }, { config, registry, port }); // warm up sockets and caches
  const best: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    const { run } = await executeParallelRun({ agents, maxConcurrent: N_MAKESPAN }, { config, registry, port });
    best.push(performance.now() - t0);
    if (run.counts.ok !== N_MAKESPAN) throw new Error(`only ${run.counts.ok} ok`);
  }
  const floor = await bareHttpFloor(server.url, stream);
  const peak = (await server.stats()).maxInFlight;
  await server.stop();
  const ms = Math.min(...best); // best of 5: the machine is shared and noisy
  return { ms, ratio: ms / LATENCY_MS, peak, floor };
}

/** Baseline in the same run: the same 100 requests sent with bare node:http and no engine, tool or validation. */
async function bareHttpFloor(baseUrl: string, stream: boolean): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const body = JSON.stringify({
    model: "bench",
    stream,
    messages: [
      { role: "system", content: "x".repeat(1500) },
      { role: "user", content: "task" },
    ],
  });
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${baseUrl}/chat/completions`,
        { method: "POST", agent, headers: { "content-type": "application/json" } },
        (res) => {
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const times: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: N_MAKESPAN }, once));
    times.push(performance.now() - t0);
  }
  agent.destroy();
  return Math.min(...times);
}

async function engineCpu() {
  const validate = getValidator({ type: "object", required: ["summary"], properties: { summary: { type: "string" } } });
  const answer = { text: '{"summary":"ok"}', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } };
  const port: SessionPort = { name: "in-process", run: async () => answer };
  const agents: PreparedAgent[] = Array.from({ length: N_CPU }, (_, i) => ({
    id: `a${i}`,
    type: "echo_agent",
    label: `a${i}`,
    format: "json",
    validateOutput: validate,
    ladder: [undefined],
    timeoutMs: 60_000,
    prompt: { system: "s", message: `m${i}` },
  }));
  await runAgents({
    runId: "warm",
    port,
    agents: agents.slice(0, 500),
    maxConcurrent: 64,
    retries: 0,
    maxOutputBytes: 65536,
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const run = await runAgents({ runId: "cpu", port, agents, maxConcurrent: 64, retries: 0, maxOutputBytes: 65536 });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (run.counts.ok !== N_CPU) throw new Error(`only ${run.counts.ok} ok`);
  return { perAgentMs: (cpu.user + cpu.system) / 1000 / N_CPU, wallMs: wall };
}

const stream = await makespan(true);
const json = await makespan(false);
const cpu = await engineCpu();
const line = (s: string) => process.stdout.write(`${s}\n`);
line(`bench/parallel (node ${process.version}, ${new Date().toISOString()})`);
line(
  `makespan, N=${N_MAKESPAN} agents, ${LATENCY_MS} ms model latency, maxConcurrent ${N_MAKESPAN}, real HTTP to a scripted server in another process:`,
);
for (const [name, m] of [
  ["streaming (SSE)", stream],
  ["non-streaming  ", json],
] as const) {
  line(
    `  ${name}: ${m.ms.toFixed(0)} ms = ${m.ratio.toFixed(3)} x ideal (goal <= 1.10); peak ${m.peak} in flight; bare node:http floor ${m.floor.toFixed(0)} ms = ${(m.floor / LATENCY_MS).toFixed(3)} x ideal; parallel_run / floor = ${(m.ms / m.floor).toFixed(3)}`,
  );
}
line(`engine CPU, N=${N_CPU} agents, zero-latency in-process port, maxConcurrent 64:`);
line(`  ${cpu.perAgentMs.toFixed(4)} ms CPU per agent (goal <= 0.2), ${cpu.wallMs.toFixed(0)} ms wall`);
