// The sub-agent session runtime (childRuntime: "session") in a real gateway: what agents with tools, and users who want
// transcripts, run on. Host completions are the default and are tested in parallel-run.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import { SAMPLE_OUTPUTS } from "../helpers/sample-outputs.js";
import { startScriptedModelServer, type LogEntry, type ScriptedModelServer } from "../helpers/scripted-model-server.js";
import { processesOf, startGateway, stopAll, type Gateway } from "./gateway-harness.js";
import { hostScript } from "./host-script.js";

let server: ScriptedModelServer;
let gateway: Gateway;
let types: Awaited<ReturnType<ReturnType<typeof createRegistry>["refresh"]>>["types"];
const children = (log: LogEntry[]) => log.filter((e) => e.system.includes("## Output contract"));

beforeAll(async () => {
  types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;
  server = await startScriptedModelServer(() => ({ text: "idle" }));
  gateway = await startGateway({ modelUrl: server.url, toolSearch: false, pluginConfig: { childRuntime: "session" } });
}, 180_000);

afterAll(async () => {
  const dir = gateway?.dir;
  await stopAll();
  await server?.close();
  if (dir) expect(processesOf(dir)).toEqual([]);
});

describe("parallel_run on sub-agent sessions (childRuntime: session)", () => {
  it("runs each agent as a real sub-agent session of the caller, with OpenClaw's preamble around its prompt", { timeout: 150_000 }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, childDelayMs: 500 }));
    const before = server.log.length;
    const agents = ["content_writer_funny", "content_writer_creative", "content_writer_trendy"].map((type) => ({ type, task: "Sessions", input: { topic: "sessions" } }));
    const { body } = await gateway.invoke("parallel_run", { agents, cleanup: "keep" });
    const details = body.result.details;
    expect(details.counts.ok).toBe(3);
    expect(details.agents.map((a: { runtime: string }) => a.runtime)).toEqual(["openclaw-session", "openclaw-session", "openclaw-session"]);
    expect(details.agents.map((a: { output: unknown }) => a.output)).toEqual(agents.map((a) => SAMPLE_OUTPUTS[a.type]));
    const requests = children(server.log.slice(before));
    expect(requests).toHaveLength(3);
    const own = renderAgentPrompt({ type: types.get("content_writer_funny")!, task: "Sessions", input: { topic: "sessions" }, field: "agents[0]" });
    for (const r of requests) expect(r.bytes).toBeGreaterThan(3 * Buffer.byteLength(own.system + own.message)); // the host's preamble and workspace files
    const { stdout } = await gateway.cli(["sessions", "--json", "--limit", "all"]);
    expect(stdout).toContain("parallel-agents-"); // the sessions exist: the completion runtime's "no session" check can fail
  });
});
