import path from "node:path";
import { CONFIG_DEFAULTS } from "../src/config.js";
import { createOpenAiHttpPort } from "../src/host/openai-http-port.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { prepareParallelRun } from "../src/tools/parallel-run/prepare.js";
import { runAgents } from "../src/engine/scheduler.js";
import type { SessionPort } from "../src/engine/port.js";
import { spawnScriptedServer } from "../testing/spawn-scripted-server.js";
const server = await spawnScriptedServer({ json: { summary: "ok" }, delayMs: 300 });
const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [path.resolve("tests/fixtures/agents")] }) });
const inner = createOpenAiHttpPort({ baseUrl: server.url, defaultModel: "bench", stream: false });
let t2 = 0;
const lat: number[] = [];
const st: number[] = [];
const en: number[] = [];
const port: SessionPort = {
  name: "x",
  run: async (r) => {
    const s = performance.now();
    st.push(s - t2);
    const out = await inner.run(r);
    en.push(performance.now() - t2);
    lat.push(performance.now() - s);
    return out;
  },
};
for (let k = 0; k < 4; k++) {
  lat.length = 0;
  st.length = 0;
  en.length = 0;
  const t0 = performance.now();
  const snap = await registry.refresh();
  const t1 = performance.now();
  const prep = prepareParallelRun(
    { agents: Array.from({ length: 100 }, (_, i) => ({ type: "echo_agent", task: `t${i}` })), maxConcurrent: 100 },
    { config: { ...CONFIG_DEFAULTS, maxAgentsPerCall: 200 }, types: snap.types },
  );
  t2 = performance.now();
  await runAgents({ runId: "x", port, agents: prep.agents, maxConcurrent: 100, retries: 0, maxOutputBytes: 65536 });
  const t3 = performance.now();
  lat.sort((a, b) => a - b);
  console.log(
    `refresh ${(t1 - t0).toFixed(1)} prepare ${(t2 - t1).toFixed(1)} run ${(t3 - t2).toFixed(1)} | start last ${Math.max(...st).toFixed(1)} | latency min ${lat[0]!.toFixed(1)} p50 ${lat[50]!.toFixed(1)} max ${lat[99]!.toFixed(1)} | last end ${Math.max(...en).toFixed(1)}`,
  );
}
await server.stop();
