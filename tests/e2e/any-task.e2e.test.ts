// Requests users make first, through a real OpenClaw gateway: general agents (one reading a workspace file with the
// host's own read tool, one in Markdown, one with a per-call schema), a researcher fan-out, and the blog preset.
import fsp from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { createRegistry } from "../../src/registry/create-registry.js";
import { BLOG_ANGLES } from "../../src/tools/parallel-run/teams.js";
import { type Gateway, processesOf, startGateway, stopAll } from "../../testing/gateway-harness.js";
import { hostScript, isHostRequest, lastConversationMessage, messageText } from "../../testing/host-script.js";
import { SAMPLE_OUTPUTS, identifyType } from "../../testing/sample-outputs.js";
import {
  type LogEntry,
  type Reply,
  type ScriptRequest,
  type ScriptedModelServer,
  startScriptedModelServer,
} from "../../testing/scripted-model-server.js";

let server: ScriptedModelServer;
let gateway: Gateway;
let types: Awaited<ReturnType<ReturnType<typeof createRegistry>["refresh"]>>["types"];

const FILE_TEXT = "The lighthouse keeper's code word is AMBERGRIS-42.";
const SPOTS_SCHEMA = {
  type: "object",
  required: ["city", "spots"],
  properties: {
    city: { type: "string", minLength: 1 },
    spots: {
      type: "array",
      minItems: 2,
      items: {
        type: "object",
        required: ["name", "kind"],
        properties: { name: { type: "string" }, kind: { type: "string", enum: ["bar", "restaurant", "photo"] } },
      },
    },
  },
  additionalProperties: false,
};

/** Requests made for our agents (their system prompt ends with our output contract), not the host's own turns. */
const agentRequests = (log: LogEntry[]) => log.filter((e) => e.system.includes("## Output contract"));

/** The scripted model for every agent: chooses the answer from the agent's type and task. */
function agentScript(request: ScriptRequest): Reply {
  const type = identifyType(request.system, types);
  if (type === "output_judge") {
    const score = request.user.includes("WEAK-DRAFT") ? 5 : 9;
    const dim = { score, note: score < 7 ? "generic, no hook" : "vivid" };
    return {
      json: {
        scores: { task_fit: dim, accuracy: dim, completeness: dim, clarity: dim },
        feedback: score < 7 ? "Open with a concrete image of the first cup." : "Keep it.",
      },
    };
  }
  if (type === "content_writer_creative") {
    const weak = request.user.includes("[weak]") && request.model === "model-a";
    return {
      json: { ...(SAMPLE_OUTPUTS[type] as object), caption: weak ? "Coffee. WEAK-DRAFT" : "Steam curls off the cup." },
    };
  }
  const task = messageText(
    (request.body.messages as Array<{ role: string; content?: unknown }>).find((m) => m.role === "user") ?? {},
  );
  if (task.includes("READ-THE-FILE")) {
    const last = lastConversationMessage(request);
    if (last.role === "tool") return { text: `## What the file says\n\n${messageText(last)}` };
    return { toolCalls: [{ name: "read", arguments: { path: "notes/facts.txt" } }] };
  }
  if (task.includes("SAVANNAH-SPOTS"))
    return {
      json: {
        city: "Savannah",
        spots: [
          { name: "Forsyth Park fountain", kind: "photo" },
          { name: "The Grey", kind: "restaurant" },
        ],
      },
    };
  if (type === "general") return { text: "## Coffee, briefly\n\n- Grind fresh.\n- Weigh the dose." };
  if (type === "researcher") {
    const question = /QUESTION: ([^\n]+)/.exec(task)?.[1] ?? "?";
    return { json: { ...(SAMPLE_OUTPUTS.researcher as object), question } };
  }
  if (type === "blog_post_writer") {
    const angle = BLOG_ANGLES.find((a) => task.includes(a)) ?? "none";
    return { json: { ...(SAMPLE_OUTPUTS.blog_post_writer as object), title: `Espresso: ${angle}` } };
  }
  throw new Error(`unexpected agent request (type ${type})`);
}

/** USD per million tokens, as the gateway's model catalogue says. */
const PRICES = { cheap: { input: 0.1, output: 0.4 }, strong: { input: 3, output: 15 } };

beforeAll(async () => {
  types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;
  server = await startScriptedModelServer(agentScript);
  // The user's own setup: a strong primary with a cheap fallback, both priced in the provider's catalogue, and no
  // ladder in the plugin config: the plugin climbs the host's models, cheapest first.
  // Tool Search at OpenClaw's default, with this plugin's tools offered directly (offerDirectly).
  gateway = await startGateway({
    modelUrl: server.url,
    pluginConfig: { offerDirectly: true },
    primary: "model-b",
    fallbacks: ["model-a"],
    costs: { "model-a": PRICES.cheap, "model-b": PRICES.strong },
  });
  // The main agent's workspace (OpenClaw: <state dir>/workspace): a child with the host's tools reads from it.
  const notes = path.join(gateway.dir, "state", "workspace", "notes");
  await fsp.mkdir(notes, { recursive: true });
  await fsp.writeFile(path.join(notes, "facts.txt"), `${FILE_TEXT}\n`);
}, 180_000);

afterAll(async () => {
  const dir = gateway?.dir;
  await stopAll();
  await server?.close();
  if (dir) expect(processesOf(dir)).toEqual([]);
});

describe("any task, in a real OpenClaw gateway", () => {
  it("three general agents in one call: one reads a workspace file with the host's read tool, one answers in Markdown, one to a per-call schema", {
    timeout: 150_000,
  }, async () => {
    const before = server.log.length;
    const { status, body } = await gateway.invoke("parallel_run", {
      agents: [
        {
          type: "general",
          label: "reader",
          tools: "host",
          task: "READ-THE-FILE notes/facts.txt in the workspace and report what it says.",
        },
        { type: "general", label: "markdown", task: "Give two tips for better coffee at home." },
        {
          type: "general",
          label: "spots",
          task: "SAVANNAH-SPOTS: list two places to visit in Savannah.",
          outputSchema: SPOTS_SCHEMA,
        },
      ],
    });
    expect(status).toBe(200);
    const agents = body.result.details.agents;
    expect(agents.map((a: { outcome: string }) => a.outcome)).toEqual(["ok", "ok", "ok"]);
    const [reader, markdown, spots] = agents;
    expect(reader.output).toContain(FILE_TEXT); // what the host's read tool returned reached the answer
    expect(reader.toolCalls).toEqual({ read: 1 });
    expect(reader.runtime).toBe("openclaw-session-tools");
    expect(markdown.output).toContain("## Coffee, briefly");
    expect(markdown.runtime).toBe("openclaw-completion");
    expect(spots.output).toEqual({
      city: "Savannah",
      spots: [
        { name: "Forsyth Park fountain", kind: "photo" },
        { name: "The Grey", kind: "restaurant" },
      ],
    });

    const requests = agentRequests(server.log.slice(before));
    const readerRequests = requests.filter((r) => r.user.includes("READ-THE-FILE"));
    expect(readerRequests).toHaveLength(2); // the read call, then the answer after the tool's result
    // The reader was offered the host's sub-agent tools, read among them; the others none at all.
    for (const r of readerRequests) expect(r.tools).toContain("read");
    const others = requests.filter((r) => !readerRequests.includes(r));
    expect(others).toHaveLength(2);
    for (const r of others) expect(r.tools).toEqual([]);
    // The per-call schema was the output contract the model read, and the constrained format the host asked for.
    const spotsRequest = requests.find((r) => r.user.includes("SAVANNAH-SPOTS"))!;
    expect(spotsRequest.system).toContain('"kind":{"type":"string","enum":[');
    expect(JSON.stringify(spotsRequest.responseFormat)).toContain("restaurant");
  });

  it("a researcher fan-out of 4 ends with 4 checked findings, each agent on the host's tool surface", {
    timeout: 150_000,
  }, async () => {
    const before = server.log.length;
    const questions = ["live jazz bars", "late-night food", "sunrise photo spots", "river tours"];
    const { status, body } = await gateway.invoke("parallel_run", {
      agents: questions.map((q) => ({ type: "researcher", task: `QUESTION: ${q} in Savannah` })),
    });
    expect(status).toBe(200);
    const details = body.result.details;
    expect(details.counts.ok).toBe(4);
    expect(details.agents.map((a: { output: { question: string } }) => a.output.question)).toEqual(
      questions.map((q) => `${q} in Savannah`),
    );
    expect(details.agents.every((a: { runtime: string }) => a.runtime === "openclaw-session-tools")).toBe(true);
    const requests = agentRequests(server.log.slice(before));
    expect(requests).toHaveLength(4);
    for (const r of requests) expect(r.tools).toContain("read"); // researcher defaults to the host's tools
  });

  it("judge: a weak answer is escalated to the second model of the host's ladder with the judge's feedback, a strong one left alone, each priced", {
    timeout: 150_000,
  }, async () => {
    const before = server.log.length;
    const { status, body } = await gateway.invoke("parallel_run", {
      judge: { threshold: 7.5 },
      agents: [
        {
          type: "content_writer_creative",
          label: "weak",
          task: "[weak] A post about coffee",
          input: { topic: "coffee" },
        },
        { type: "content_writer_creative", label: "strong", task: "A post about tea", input: { topic: "tea" } },
      ],
    });
    expect(status).toBe(200);
    const [weak, strong] = body.result.details.agents;
    expect(weak.outcome).toBe("ok");
    expect(weak.model).toBe("scripted/model-b");
    expect(weak.output.caption).toBe("Steam curls off the cup.");
    expect(weak.judged.score).toBe(9);
    expect(weak.attempts.map((a: { kind: string; model: string }) => `${a.kind}@${a.model}`)).toEqual([
      "first@scripted/model-a",
      "judge@scripted/model-a", // by default the cheapest rung judges
      "escalation@scripted/model-b",
      "judge@scripted/model-a",
    ]);
    expect(strong.attempts.map((a: { kind: string }) => a.kind)).toEqual(["first", "judge"]);
    expect(strong.judged.score).toBe(9);
    expect(strong.model).toBe("scripted/model-a");
    // the escalated request carried the judge's feedback to the second model
    const escalated = server.log.slice(before).find((e) => e.model === "model-b" && e.user.includes("[weak]"))!;
    expect(escalated.user).toContain("Open with a concrete image of the first cup.");
    expect(body.result.content[0].text).toMatch(/weak \(content_writer_creative\), scripted\/model-b, .*score 9/);
    // no ladder in the call or the plugin config: the host's primary and fallback, cheapest first
    expect(body.result.details.ladder).toEqual({
      models: ["scripted/model-a", "scripted/model-b"],
      source: "your OpenClaw config (primary and fallbacks, cheapest first)",
    });
    expect(body.result.content[0].text).toContain("Ladder: scripted/model-a -> scripted/model-b");
    // priced from the gateway's model catalogue: the strong agent ran only on model-a (its answer and its verdict)
    const price = (u: { inputTokens: number; outputTokens: number }, p: { input: number; output: number }) =>
      (u.inputTokens * p.input + u.outputTokens * p.output) / 1e6;
    expect(strong.usage.costUsd).toBeCloseTo(price(strong.usage, PRICES.cheap), 9);
    // the weak one also paid for an answer on model-b, at its higher price
    expect(weak.usage.costUsd).toBeGreaterThan(price(weak.usage, PRICES.cheap) * 1.5);
    const total = weak.usage.costUsd + strong.usage.costUsd;
    expect(body.result.details.usage.costUsd).toBeCloseTo(total, 9);
    expect(body.result.content[0].text).toContain(`$${total.toFixed(4)}`);
  });

  it("the blog preset writes 5 posts on one topic, each from its own angle", { timeout: 150_000 }, async () => {
    const before = server.log.length;
    const { status, body } = await gateway.invoke("parallel_run", {
      team: { preset: "blog", topic: "home espresso", count: 5, words: 800 },
    });
    expect(status).toBe(200);
    const details = body.result.details;
    expect(details.counts.ok).toBe(5);
    const titles = details.agents.map((a: { output: { title: string } }) => a.output.title);
    expect(new Set(titles).size).toBe(5); // five distinct angles reached five writers
    const requests = agentRequests(server.log.slice(before));
    expect(requests).toHaveLength(5);
    for (const r of requests) {
      expect(r.tools).toEqual([]);
      expect(r.user).toContain("home espresso");
    }
  });
  it("offerDirectly: with Tool Search on, the host model calls parallel_run itself and reads the text only, not the details", {
    timeout: 150_000,
  }, async () => {
    const script = hostScript({
      types,
      toolArgs: { team: { preset: "review", code: "export const add = (a, b) => a + b;" } },
    });
    const hostBodies: Array<Record<string, unknown>> = [];
    server.setScript((r) => {
      if (isHostRequest(r)) hostBodies.push(r.body);
      return script(r);
    });
    const out = await gateway.chat(
      "Review this code from every angle: export const add = (a, b) => a + b;",
      "agent:main:e2e-direct",
    );
    const offered = (hostBodies[0]!.tools as Array<{ function?: { name?: string } }>).map((t) => t.function?.name);
    expect(offered).toContain("parallel_run"); // a direct tool, not a catalogue entry behind tool_call
    expect(offered).toContain("tool_call"); // Tool Search itself is still on for everything else
    const answer = out.result.payloads.map((p: { text: string }) => p.text).join("\n");
    expect(answer).toMatch(/5 agents, 5 ok/);
    // the host's next request carries the tool result as the model reads it: the text, never the details object
    const toolMessage = (hostBodies[1]!.messages as Array<{ role: string; content?: unknown }>).find(
      (m) => m.role === "tool",
    )!;
    const read = JSON.stringify(toolMessage.content);
    expect(read).toContain("5 agents, 5 ok");
    expect(read).not.toContain('\\"counts\\"');
    expect(read).not.toContain('\\"attempts\\"');
    expect(read).not.toContain('"counts"');
    server.setScript(agentScript);
  });
});
