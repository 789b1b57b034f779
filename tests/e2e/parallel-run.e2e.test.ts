import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import path from "node:path";
import { SAMPLE_OUTPUTS, designReview } from "../../testing/sample-outputs.js";
import {
  startScriptedModelServer,
  type LogEntry,
  type ScriptedModelServer,
} from "../../testing/scripted-model-server.js";
import { startGateway, stopAll, processesOf, type Gateway } from "../../testing/gateway-harness.js";
import { hostScript, isHostRequest } from "../../testing/host-script.js";

let server: ScriptedModelServer;
let gateway: Gateway;
let types: Awaited<ReturnType<ReturnType<typeof createRegistry>["refresh"]>>["types"];

const children = (log: LogEntry[]) =>
  log.filter(
    (e) =>
      !e.system.includes("<available_skills>") &&
      !e.user.includes("BEGIN_OPENCLAW_INTERNAL_CONTEXT") &&
      e.system.includes("## Output contract"),
  );

beforeAll(async () => {
  types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;
  server = await startScriptedModelServer(() => {
    throw new Error("no script set");
  });
  gateway = await startGateway({ modelUrl: server.url, toolSearch: false });
}, 180_000);

afterAll(async () => {
  const dir = gateway?.dir;
  await stopAll();
  await server?.close();
  if (dir) expect(processesOf(dir)).toEqual([]); // nothing left behind
});

describe("parallel_run in a real OpenClaw gateway", () => {
  it("is loaded by the gateway (plugins inspect --runtime)", { timeout: 150_000 }, async () => {
    const { stdout } = await gateway.cli(["plugins", "inspect", "parallel-agents", "--runtime", "--json"]);
    const info = JSON.parse(stdout.slice(stdout.indexOf("{")));
    expect(JSON.stringify(info)).toContain("parallel_run");
    expect(JSON.stringify(info)).toMatch(/"status":\s*"loaded"|"loaded":\s*true|"enabled":\s*true/);
  });

  it("POST /tools/invoke with 5 agents runs 5 overlapping host completions, each carrying only its own prompt, and validates every result", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, childDelayMs: 1500 }));
    const before = server.log.length;
    const agents = [
      "content_writer_creative",
      "content_writer_funny",
      "content_writer_educational",
      "content_writer_trendy",
      "content_writer_controversial",
    ].map((type) => ({
      type,
      task: "About morning coffee",
      input: { topic: "morning coffee", platform: "instagram" },
    }));
    const { status, body } = await gateway.invoke("parallel_run", { agents });
    expect(status).toBe(200);
    const details = body.result.details;
    expect(details.counts.ok).toBe(5);
    expect(details.agents.map((a: { output: unknown; type: string }) => a.output)).toEqual(
      agents.map((a) => SAMPLE_OUTPUTS[a.type]),
    );
    const requests = children(server.log.slice(before));
    expect(requests).toHaveLength(5);
    const latestStart = Math.max(...requests.map((e) => e.startedAt));
    const earliestEnd = Math.min(...requests.map((e) => e.endedAt!));
    expect(latestStart).toBeLessThan(earliestEnd); // all five model requests were in flight together
    expect(details.agents.every((a: { model: string }) => a.model === "scripted/model-a")).toBe(true);
    expect(details.agents.every((a: { runtime: string }) => a.runtime === "openclaw-completion")).toBe(true);
    for (const r of requests) {
      expect(r.tools).toEqual([]); // a tool-less agent is offered no tools
      expect(r.bytes).toBeLessThan(2 * Buffer.byteLength(r.system + r.user)); // no host preamble (bench/gateway measures it)
    }
    // No child session: nothing of ours in the host's session list.
    const { stdout } = await gateway
      .cli(["sessions", "--json", "--all-agents"])
      .catch(() => gateway.cli(["sessions", "--json"]));
    expect(stdout).not.toContain("parallel-agents-");
  });

  it("a client that disconnects mid-run cancels the call: every in-flight model request is closed within 1 s", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null, child: () => ({ hang: true }) }));
    const before = server.log.length;
    const controller = new AbortController();
    const agents = Array.from({ length: 4 }, (_, i) => ({
      type: "content_writer_funny",
      task: `Hang ${i}`,
      input: { topic: "t" },
    }));
    const call = gateway
      .invoke("parallel_run", { agents, retries: 0 }, 60_000, controller.signal)
      .catch((e: unknown) => e);
    await server.waitForInFlight(4, 30_000);
    const abortedAt = Date.now();
    controller.abort();
    await call;
    const deadline = Date.now() + 5000;
    while (server.inFlight() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const requests = children(server.log.slice(before));
    expect(requests).toHaveLength(4);
    for (const r of requests) {
      expect(r.closedEarly).toBe(true);
      expect(r.endedAt! - abortedAt).toBeLessThan(1000);
    }
  });

  it("a chat turn in which the model calls parallel_run ends with every agent's result", {
    timeout: 150_000,
  }, async () => {
    server.setScript(
      hostScript({ types, toolArgs: { team: { preset: "content", topic: "Rainy Sundays", platform: "instagram" } } }),
    );
    const before = server.log.length;
    const out = await gateway.chat(
      "Write me five different Instagram posts about rainy Sundays",
      "agent:main:e2e-chat",
    );
    expect(out.status).toBe("ok");
    const answer = out.result.payloads.map((p: { text: string }) => p.text).join("\n");
    for (const type of [
      "content_writer_creative",
      "content_writer_funny",
      "content_writer_educational",
      "content_writer_trendy",
      "content_writer_controversial",
    ]) {
      expect(answer).toContain((SAMPLE_OUTPUTS[type] as { caption: string }).caption);
    }
    expect(answer).toMatch(/5 agents, 5 ok/);
    const host = server.log.slice(before).filter((e) => !children([e]).length);
    expect(host[0]!.system).toContain("<name>parallel-agents</name>"); // the skill is in the host's prompt
    expect(children(server.log.slice(before)).every((e) => e.user.includes("Rainy Sundays"))).toBe(true);
  });

  it("climbs the model ladder: an invalid first answer is retried on the next model, as the log shows", {
    timeout: 150_000,
  }, async () => {
    server.setScript(
      hostScript({
        types,
        toolArgs: null,
        child: (type, r) =>
          r.model === "model-a" ? { text: "Sorry, no JSON today." } : { json: SAMPLE_OUTPUTS[type] },
      }),
    );
    const before = server.log.length;
    const { body } = await gateway.invoke("parallel_run", {
      agents: [{ type: "content_writer_funny", task: "Mondays", input: { topic: "Mondays" } }],
      models: ["scripted/model-a", "scripted/model-b"],
    });
    const agent = body.result.details.agents[0];
    expect(agent.runtime).toBe("openclaw-completion"); // per-run models through llm.allowModelOverride
    expect(agent.outcome).toBe("ok");
    expect(agent.attempts.map((a: { kind: string; model: string }) => `${a.kind}@${a.model}`)).toEqual([
      "first@scripted/model-a",
      "repair@scripted/model-a",
      "escalation@scripted/model-b",
    ]);
    expect(children(server.log.slice(before)).map((e) => e.model)).toEqual(["model-a", "model-a", "model-b"]);
  });

  it("a hung child times out as that agent's outcome; the chat turn still ends with the other results", {
    timeout: 150_000,
  }, async () => {
    server.setScript(
      hostScript({
        types,
        toolArgs: {
          agents: [
            { type: "content_writer_funny", task: "hang", timeoutSeconds: 8, label: "stuck" },
            { type: "content_writer_creative", task: "fine", label: "fine-1" },
            { type: "content_writer_trendy", task: "fine", label: "fine-2" },
          ],
          retries: 0,
        },
        child: (type, r) => (r.user.includes("hang") ? { hang: true } : { json: SAMPLE_OUTPUTS[type] }),
      }),
    );
    const started = Date.now();
    const out = await gateway.chat("Run the three writers", "agent:main:e2e-hang");
    expect(out.status).toBe("ok");
    const answer = out.result.payloads.map((p: { text: string }) => p.text).join("\n");
    expect(answer).toMatch(/\[timeout\] stuck/);
    expect(answer).toMatch(/\[ok\] fine-1/);
    expect(answer).toMatch(/\[ok\] fine-2/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});

describe("refine_agent in a real OpenClaw gateway", () => {
  it("designs, reviews and saves a new agent type that parallel_run then uses in the same gateway", {
    timeout: 150_000,
  }, async () => {
    server.setScript((r) => {
      if (r.system.includes("You are a careful cook"))
        return { json: { ingredients: [{ name: "eggs", quantity: "6" }] } };
      const type = [...types.keys()].find((id) => r.system.includes(types.get(id)!.def.system.trim().split("\n")[0]!));
      if (type === "agent_creator")
        return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: "e2e_recipe_scaler" } };
      if (type === "agent_design_reviewer") return { json: designReview(8.9) };
      throw new Error(`unexpected request for ${type}`);
    });
    const { body } = await gateway.invoke("refine_agent", {
      agents: [{ name: "e2e_recipe_scaler", purpose: "Scale recipes for more people" }],
    });
    const agent = body.result.details.agents[0];
    expect(agent).toMatchObject({
      id: "e2e_recipe_scaler",
      finalScore: 8.9,
      reachedTarget: true,
      stoppedBecause: "target reached",
    });
    expect(agent.savedTo).toBe(
      path.join(gateway.env.OPENCLAW_STATE_DIR!, "parallel-agents", "agents", "e2e_recipe_scaler.yaml"),
    );
    const used = await gateway.invoke("parallel_run", {
      agents: [{ type: "e2e_recipe_scaler", task: "Scale to 6", input: { recipe: "2 eggs" } }],
    });
    expect(used.body.result.details.agents[0]).toMatchObject({
      type: "e2e_recipe_scaler",
      outcome: "ok",
      output: { ingredients: [{ name: "eggs", quantity: "6" }] },
    });
  });
});

describe("orchestrate in a real OpenClaw gateway", () => {
  it("plans, runs two waves and synthesizes", { timeout: 150_000 }, async () => {
    const plan = [
      {
        id: "post",
        type: "content_writer_funny",
        task: "A post announcing the launch",
        input: { topic: "launch day" },
        dependsOn: [],
      },
      {
        id: "review",
        type: "code_reviewer",
        task: "Review the launch script",
        input: { code: "deploy()" },
        dependsOn: ["post"],
      },
    ];
    server.setScript((r) => {
      const type = [...types.keys()].find((id) => r.system.includes(types.get(id)!.def.system.trim().split("\n")[0]!));
      if (type === "agent_orchestrator") return { json: { tasks: plan, rationale: "post first, then review" } };
      if (type === "synthesizer")
        return {
          json: {
            synthesis: `Launch summary from ${r.user.includes("No input validation") && r.user.includes("it doesn't talk to me at all") ? "both lanes" : "missing lanes"}`,
            failed_lanes: [],
            confidence: 0.8,
          },
        };
      if (type && SAMPLE_OUTPUTS[type]) return { json: SAMPLE_OUTPUTS[type] };
      throw new Error(`unexpected request for ${type}`);
    });
    const { status, body } = await gateway.invoke("orchestrate", { goal: "Launch the product" });
    expect(status).toBe(200);
    const details = body.result.details;
    expect(
      details.tasks.map((t: { id: string; outcome: string; wave: number }) => `${t.id}:${t.outcome}:${t.wave}`),
    ).toEqual(["post:ok:1", "review:ok:2"]);
    expect(details.synthesis.output.synthesis).toBe("Launch summary from both lanes");
    expect(body.result.content[0].text).toContain("## Synthesis");
  });
});

describe("parallel_run with OpenClaw's default Tool Search catalog, in a gateway that does not allow per-run models", () => {
  let searchGateway: Gateway;
  beforeAll(async () => {
    searchGateway = await startGateway({ modelUrl: server.url, llmModelOverride: false });
  }, 180_000);
  afterAll(async () => {
    await searchGateway?.stop();
    expect(processesOf(searchGateway.dir)).toEqual([]);
  });

  it("the model reaches parallel_run through tool_call and the turn carries every result", {
    timeout: 150_000,
  }, async () => {
    server.setScript(
      hostScript({ types, toolArgs: { team: { preset: "review", code: "export const add = (a, b) => a + b;" } } }),
    );
    const before = server.log.length;
    const out = await searchGateway.chat(
      "Review this code from every angle: export const add = (a, b) => a + b;",
      "agent:main:e2e-search",
    );
    const host = server.log.slice(before).filter((e) => isHostRequestLike(e));
    expect(host[0]!.system).toContain("parallel_run (parallel-agents)"); // listed in the catalog, not as a direct tool
    const answer = out.result.payloads.map((p: { text: string }) => p.text).join("\n");
    expect(answer).toMatch(/5 agents, 5 ok/);
    expect(answer).toContain("No input validation"); // the code reviewer's sample finding
  });

  it("a ladder the host refuses: the agents run on its own model, and the result says the setting to change once", {
    timeout: 150_000,
  }, async () => {
    server.setScript(hostScript({ types, toolArgs: null }));
    const before = server.log.length;
    const agents = [
      { type: "content_writer_funny", task: "Mondays", input: { topic: "Mondays" } },
      { type: "content_writer_funny", task: "Fridays", input: { topic: "Fridays" } },
    ];
    const { body } = await searchGateway.invoke("parallel_run", {
      agents,
      models: ["scripted/model-b", "scripted/model-a"],
    });
    const key = "plugins.entries.parallel-agents.llm.allowModelOverride: true";
    for (const agent of body.result.details.agents) {
      expect(agent.outcome).toBe("ok");
      expect(agent.model).toBe("scripted/model-a"); // the host's primary, not the refused model-b
    }
    expect(body.result.details.notes).toHaveLength(1);
    expect(body.result.details.notes[0]).toContain('The host refused model "scripted/model-b"');
    expect(body.result.content[0].text).toContain(key);
    // every request that reached the model server was on the host's model
    expect(children(server.log.slice(before)).map((e) => e.model)).toEqual(["model-a", "model-a"]);
    const again = await searchGateway.invoke("parallel_run", { agents: [agents[0]], models: ["scripted/model-b"] });
    expect(again.body.result.details.agents[0].outcome).toBe("ok");
    expect(again.body.result.details.notes).toEqual([
      `Ran on the host's default model instead of "scripted/model-b": the host refuses them (set ${key} in the OpenClaw config).`,
    ]);
  });
});

function isHostRequestLike(entry: LogEntry): boolean {
  return entry.system.includes("<available_skills>");
}
void isHostRequest;
