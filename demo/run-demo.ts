// The demo: a real OpenClaw gateway in a temporary state dir with this plugin installed, the content team run on a
// topic through parallel_run, each agent's result and the timings printed, everything stopped.
// Without credentials the model is a local SCRIPTED server (canned answers, clearly labelled). With
// PARALLEL_AGENTS_BASE_URL (or OPENAI_BASE_URL) and an API key in the environment, a real model is used instead.
import { processesOf, startGateway, stopAll, type Gateway } from "../testing/gateway-harness.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { identifyType, sampleOutputAbout } from "../testing/sample-outputs.js";
import { startScriptedModelServer, type ScriptRequest } from "../testing/scripted-model-server.js";

const topic = process.argv.slice(2).join(" ").trim() || "Morning coffee rituals";
const env = process.env;
const realBaseUrl = env.PARALLEL_AGENTS_BASE_URL ?? env.OPENAI_BASE_URL;
const realKey = env.PARALLEL_AGENTS_API_KEY ?? env.OPENAI_API_KEY;
const realModel = env.PARALLEL_AGENTS_MODEL ?? env.OPENAI_MODEL ?? "gpt-4o-mini";
const useReal = Boolean(realBaseUrl && realKey);
const out = (line = "") => process.stdout.write(`${line}\n`);

/** Canned answers: each writer's sample output (testing/sample-outputs), about the topic in the request. */
function scriptedAnswer(request: ScriptRequest, types: ReadonlyMap<string, { def: { system: string } }>) {
  const about = /Topic:\n`{3,}\n([\s\S]*?)\n`{3,}/.exec(request.user)?.[1]?.trim() ?? "the topic";
  return sampleOutputAbout(identifyType(request.system, types) ?? "content_writer_creative", about);
}

async function main() {
  out("parallel-agents demo: the content team in a real OpenClaw gateway");
  let modelUrl: string;
  let closeModel: () => Promise<void> = async () => {};
  if (useReal) {
    modelUrl = realBaseUrl!;
    out(`model: ${realModel} at ${realBaseUrl} (from the environment)`);
  } else {
    const { types } = await createRegistry({ roots: catalogueRoots({}) }).refresh();
    const server = await startScriptedModelServer((r) => ({ json: scriptedAnswer(r, types), delayMs: 800 }));
    modelUrl = server.url;
    closeModel = () => server.close();
    out(
      "model: LOCAL SCRIPTED MODEL (canned answers, no LLM). Set PARALLEL_AGENTS_BASE_URL and PARALLEL_AGENTS_API_KEY",
    );
    out("       (or OPENAI_BASE_URL and OPENAI_API_KEY, and optionally PARALLEL_AGENTS_MODEL) to use a real model.");
  }
  out(`topic: ${topic}`);
  out();
  const t0 = Date.now();
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      modelUrl,
      ...(useReal ? { apiKey: realKey, modelIds: [realModel] } : {}),
      toolSearch: false,
    });
  } catch (error) {
    await closeModel(); // its listening socket would otherwise keep the demo running after the failure
    throw error;
  }
  try {
    out(
      `gateway ready on ${gateway.url} (plugin installed from its npm pack in ${(gateway.installMs / 1000).toFixed(1)} s, gateway start ${(gateway.startMs / 1000).toFixed(1)} s)`,
    );
    const started = Date.now();
    const { status, body } = await gateway.invoke(
      "parallel_run",
      { team: { preset: "content", topic, platform: "instagram" }, timeoutSeconds: 180 },
      600_000,
    );
    const wall = Date.now() - started;
    if (status !== 200 || !body.ok) throw new Error(`parallel_run failed: ${JSON.stringify(body).slice(0, 2000)}`);
    const details = body.result.details;
    out(`parallel_run: ${details.agents.length} agents in ${(wall / 1000).toFixed(1)} s wall time`);
    out();
    const first = Math.min(...details.agents.map((a: { startedAt: number }) => a.startedAt));
    for (const agent of details.agents) {
      out(
        `[${agent.outcome}] ${agent.label} (${agent.type}), model ${agent.model ?? "default"}, ${(agent.durationMs / 1000).toFixed(1)} s, started +${((agent.startedAt - first) / 1000).toFixed(1)} s, ${agent.attempts.length} attempt(s)`,
      );
      out(agent.outcome === "ok" ? `  ${JSON.stringify(agent.output)}` : `  ${agent.reason ?? ""}`);
    }
    const sum = details.agents.reduce((n: number, a: { durationMs: number }) => n + a.durationMs, 0);
    out();
    out(
      `timings: sum of agent durations ${(sum / 1000).toFixed(1)} s, run ${(details.durationMs / 1000).toFixed(1)} s: ${(sum / details.durationMs).toFixed(1)}x from running in parallel`,
    );
    out(`counts: ${JSON.stringify(details.counts)}`);
    out(`total demo time ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (details.counts.ok !== details.agents.length) process.exitCode = 1;
  } finally {
    const stopError = await gateway.stop().then(
      () => undefined,
      (error: unknown) => error,
    );
    await closeModel();
    await stopAll();
    reportProcessesLeft(gateway, stopError);
  }
}

/** Says "no process left" only when /proc shows no process carrying the gateway's marker; otherwise names them and fails. */
function reportProcessesLeft(gateway: Gateway, stopError: unknown) {
  // stop() throws when processes outlive it (the scan below names them) or its state dir cannot be removed.
  if (stopError) {
    process.stderr.write(
      `stopping the gateway: ${stopError instanceof Error ? stopError.message : String(stopError)}\n`,
    );
    process.exitCode = 1;
  }
  const left = processesOf(gateway.dir);
  const found = `/proc shows ${left.length} process${left.length === 1 ? "" : "es"} with PA_E2E_MARKER=${gateway.dir}`;
  if (left.length === 0) {
    out(`stopped the gateway and the model server; ${found}: no process left.`);
    return;
  }
  out(`stopped the gateway and the model server; ${found}, still running: pids ${left.join(", ")}`);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
