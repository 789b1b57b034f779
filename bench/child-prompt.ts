// bench/child-prompt: what one child model request costs in bytes, against the agent's own rendered prompt (its system
// prompt with output contract, plus its task message: the ideal), in real gateways, per runtime:
//   - tools "none" as a host completion (the default runtime)          goal <= 1.5 x
//   - tools "none" as a sub-agent session (childRuntime "session": minimal prompt, no tools, lightContext)  goal <= 1.5 x
//   - tools "host" as a sub-agent session (the host's sub-agent tool surface and AGENTS.md, as a child with tools needs)
// for a short-prompt type (general) and a long one (code_reviewer). Run: npm run bench:child-prompt (prints figures).
import fsp from "node:fs/promises";
import path from "node:path";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { renderAgentPrompt } from "../src/render/render-agent-prompt.js";
import { type Gateway, startGateway, stopAll } from "../testing/gateway-harness.js";
import { SAMPLE_OUTPUTS, identifyType } from "../testing/sample-outputs.js";
import { type LogEntry, startScriptedModelServer } from "../testing/scripted-model-server.js";

const line = (s = "") => process.stdout.write(`${s}\n`);
const types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;
const server = await startScriptedModelServer((r) => {
  const type = identifyType(r.system, types);
  if (!type) throw new Error("unknown agent request");
  const sample = SAMPLE_OUTPUTS[type];
  return typeof sample === "string" ? { text: sample } : { json: sample };
});

const AGENTS = [
  { type: "general", task: "Summarise the three main causes of the 1929 stock market crash in five bullet points." },
  {
    type: "code_reviewer",
    task: "Focus on correctness.",
    input: { code: "function avg(xs) { return xs.reduce((a, b) => a + b) / xs.length }", language: "javascript" },
  },
];
const ownBytes = (a: (typeof AGENTS)[number]) => {
  const p = renderAgentPrompt({ type: types.get(a.type)!, task: a.task, input: a.input, field: "agents[0]" });
  return Buffer.byteLength(p.system) + Buffer.byteLength(p.message);
};

/** Bytes of the first model request of each agent (best of 3 calls, after a warm-up call). */
async function measure(gateway: Gateway, tools: "none" | "host") {
  const agents = AGENTS.map((a) => ({ ...a, tools }));
  await gateway.invoke("parallel_run", { agents });
  const figures = new Map<string, { bytes: number; tools: string[] }>();
  for (let round = 0; round < 3; round++) {
    const before = server.log.length;
    const { body } = await gateway.invoke("parallel_run", { agents });
    if (body.result.details.counts.ok !== agents.length) throw new Error(JSON.stringify(body.result.details.counts));
    for (const a of agents) {
      const entry = server.log.slice(before).find((e: LogEntry) => identifyType(e.system, types) === a.type)!;
      const best = figures.get(a.type);
      if (!best || entry.bytes < best.bytes) figures.set(a.type, { bytes: entry.bytes, tools: entry.tools });
    }
  }
  return figures;
}

function report(title: string, figures: Map<string, { bytes: number; tools: string[] }>, goal?: number) {
  line(title);
  for (const a of AGENTS) {
    const f = figures.get(a.type)!;
    const own = ownBytes(a);
    const ratio = f.bytes / own;
    const verdict = goal === undefined ? "" : ratio <= goal ? `  [goal <= ${goal}: met]` : `  [goal <= ${goal}: OVER]`;
    line(
      `  ${a.type.padEnd(14)} own prompt ${String(own).padStart(6)} B, request ${String(f.bytes).padStart(6)} B = ${ratio.toFixed(2)} x, ${f.tools.length} tools offered${verdict}`,
    );
  }
  const offered = figures.get(AGENTS[0]!.type)!.tools;
  if (offered.length > 0) line(`  tools offered: ${offered.join(", ")}`);
}

try {
  const lean = await startGateway({ modelUrl: server.url });
  // The workspace holds what a user's has: AGENTS.md, which the host injects into children that keep their context.
  await fsp.mkdir(path.join(lean.dir, "state", "workspace"), { recursive: true });
  report("tools none, host completion (default runtime):", await measure(lean, "none"), 1.5);
  report("tools host, sub-agent session (host tool surface, AGENTS.md kept):", await measure(lean, "host"));
  await lean.stop();
  const sessions = await startGateway({ modelUrl: server.url, pluginConfig: { childRuntime: "session" } });
  report(
    'tools none, sub-agent session (childRuntime "session": disableTools + lightContext):',
    await measure(sessions, "none"),
    1.5,
  );
} finally {
  await stopAll();
  await server.close();
}
