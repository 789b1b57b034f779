// The sub-agent session runtime (childRuntime: "session") in a real gateway: what agents with tools, and users who want
// transcripts, run on. Host completions are the default and are tested in parallel-run.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import { SAMPLE_OUTPUTS } from "../../testing/sample-outputs.js";
import {
  startScriptedModelServer,
  type LogEntry,
  type ScriptedModelServer,
} from "../../testing/scripted-model-server.js";
import { processesOf, startGateway, stopAll, type Gateway } from "../../testing/gateway-harness.js";
import { hostScript } from "../../testing/host-script.js";

let server: ScriptedModelServer;
let gateway: Gateway;
let types: Awaited<ReturnType<ReturnType<typeof createRegistry>["refresh"]>>["types"];
const children = (log: LogEntry[]) => log.filter((e) => e.system.includes("## Output contract"));

beforeAll(async () => {
  types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;
  server = await startScriptedModelServer(() => ({ text: "idle" }));
  gateway = await startGateway({
    modelUrl: server.url,
    toolSearch: false,
    pluginConfig: { childRuntime: "session", keepSessions: 4 },
  });
}, 180_000);

afterAll(async () => {
  const dir = gateway?.dir;
  await stopAll();
  await server?.close();
  if (dir) expect(processesOf(dir)).toEqual([]);
});

describe("parallel_run on sub-agent sessions (childRuntime: session)", () => {
  it("runs each agent as a real sub-agent session of the caller, with OpenClaw's preamble around its prompt", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, childDelayMs: 500 }));
    const before = server.log.length;
    const agents = ["content_writer_funny", "content_writer_creative", "content_writer_trendy"].map((type) => ({
      type,
      task: "Sessions",
      input: { topic: "sessions" },
    }));
    const { body } = await gateway.invoke("parallel_run", { agents, cleanup: "keep" });
    const details = body.result.details;
    expect(details.counts.ok).toBe(3);
    expect(details.agents.map((a: { runtime: string }) => a.runtime)).toEqual([
      "openclaw-session",
      "openclaw-session",
      "openclaw-session",
    ]);
    expect(details.agents.map((a: { output: unknown }) => a.output)).toEqual(agents.map((a) => SAMPLE_OUTPUTS[a.type]));
    const requests = children(server.log.slice(before));
    expect(requests).toHaveLength(3);
    const own = renderAgentPrompt({
      type: types.get("content_writer_funny")!,
      task: "Sessions",
      input: { topic: "sessions" },
      field: "agents[0]",
    });
    for (const r of requests) expect(r.bytes).toBeGreaterThan(3 * Buffer.byteLength(own.system + own.message)); // the host's preamble and workspace files
    const { stdout } = await gateway.cli(["sessions", "--json", "--limit", "all"]);
    expect(stdout).toContain("parallel-agents-"); // the sessions exist: the completion runtime's "no session" check can fail
  });

  it("20 agents at once over the host's lane of 8 all end ok: waiting for a slot is never an attempt's time", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, childDelayMs: 2500 }));
    const before = server.log.length;
    const agents = Array.from({ length: 20 }, (_, i) => ({
      type: "content_writer_funny",
      task: `Wide ${i}`,
      input: { topic: "width" },
    }));
    const { body } = await gateway.invoke("parallel_run", { agents, maxConcurrent: 20, timeoutSeconds: 8, retries: 0 });
    const details = body.result.details;
    expect(details.counts.ok).toBe(20);
    expect(details.agents.every((a: { attempts: unknown[] }) => a.attempts.length === 1)).toBe(true); // none needed a retry
    expect(Math.max(...details.agents.map((a: { queuedMs?: number }) => a.queuedMs ?? 0))).toBeGreaterThan(2000);
    // the plugin kept to its share of the lane (8 - laneReserve 2): the host never had to queue ours
    expect(Math.max(...children(server.log.slice(before)).map((e) => e.inFlightAtStart))).toBeLessThanOrEqual(6);
  });

  it("a client that disconnects while children are starting and running cancels every one within 1 s", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, child: () => ({ hang: true }) }));
    const before = server.log.length;
    const controller = new AbortController();
    const agents = Array.from({ length: 8 }, (_, i) => ({
      type: "content_writer_funny",
      task: `Hang ${i}`,
      input: { topic: "t" },
    }));
    const call = gateway
      .invoke("parallel_run", { agents, retries: 0 }, 60_000, controller.signal)
      .catch((e: unknown) => e);
    await server.waitForInFlight(3, 60_000); // some children answer-pending, others still starting in the host
    const abortedAt = Date.now();
    controller.abort();
    await call;
    const deadline = Date.now() + 10_000;
    while (server.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 3000)); // a child that was still starting must not reach the model later
    const requests = children(server.log.slice(before));
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const r of requests) {
      expect(r.closedEarly).toBe(true);
      expect(r.endedAt! - Math.max(abortedAt, r.startedAt)).toBeLessThan(1000);
    }
    expect(server.inFlight()).toBe(0);
  });

  it("child sessions do not pile up: after 8 calls at most keepSessions (4) plus the last call's remain", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null }));
    for (let i = 0; i < 8; i++) {
      const { body } = await gateway.invoke("parallel_run", {
        agents: [0, 1].map((j) => ({ type: "content_writer_funny", task: `Pile ${i}.${j}`, input: { topic: "t" } })),
      });
      expect(body.result.details.counts.ok).toBe(2);
    }
    const { stdout } = await gateway.cli(["sessions", "--json", "--limit", "all"]);
    const ours = (stdout.match(/subagent:parallel-agents-[A-Za-z0-9_-]+/g) ?? []).filter(
      (k, i, all) => all.indexOf(k) === i,
    );
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.length).toBeLessThanOrEqual(6);
  });

  it("leaves room in the lane: another conversation's sub-agent starts while a wide run holds the plugin's share", {
    timeout: 150_000,
  }, async () => {
    const controller = new AbortController();
    let otherStartedAt = 0;
    let inFlightThen = 0;
    server.setScript((r) => {
      const all = JSON.stringify(r.body.messages);
      if (all.includes("[Subagent Task]") && all.includes("[other-conversation]")) {
        otherStartedAt = Date.now();
        inFlightThen = server.inFlight();
        return { text: "the other conversation's child answered" };
      }
      if (Array.isArray(r.body.tools) && (r.body.tools as unknown[]).length > 0) {
        if (all.includes("the other conversation's child answered")) return { text: "done" };
        if (
          (r.body.tools as Array<{ function?: { name?: string } }>).some((t) => t.function?.name === "sessions_spawn")
        ) {
          const spawned = (r.body.messages as Array<{ role: string }>).some((m) => m.role === "tool");
          return spawned
            ? { toolCalls: [{ name: "sessions_yield", arguments: {} }] }
            : {
                toolCalls: [
                  {
                    name: "sessions_spawn",
                    arguments: {
                      task: "[other-conversation] Say hello.",
                      label: "other",
                      runtime: "subagent",
                      mode: "run",
                    },
                  },
                ],
              };
        }
        return { text: "done" };
      }
      return { hang: true }; // the wide run's children
    });
    const wide = gateway
      .invoke(
        "parallel_run",
        {
          agents: Array.from({ length: 12 }, (_, i) => ({
            type: "content_writer_funny",
            task: `Wide ${i}`,
            input: { topic: "t" },
          })),
          maxConcurrent: 12,
          retries: 0,
        },
        120_000,
        controller.signal,
      )
      .catch((e: unknown) => e);
    await server.waitForInFlight(6, 60_000);
    await gateway.chat("Spawn one helper to say hello.", "agent:main:e2e-other", 90_000);
    const deadline = Date.now() + 60_000; // the spawned child starts after the turn yields
    while (!otherStartedAt && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    await wide;
    expect(otherStartedAt).toBeGreaterThan(0); // the other conversation's child reached the model...
    expect(inFlightThen).toBeGreaterThanOrEqual(7); // ...while the wide run's 6 children were still in flight
  });
});
