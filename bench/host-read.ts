// bench/host-read: what the host model pays to read a parallel_run result, in a real OpenClaw gateway.
//   For 5 and 20 agents with realistic outputs (1-5 KB each: `general` agents answering Markdown, `blog_post_writer`
//   agents answering JSON with a Markdown body), one chat turn whose host model calls parallel_run and then reads the
//   result. Measured: the bytes of the tool message in the host model's next request, over the bytes of the agents'
//   outputs (goal <= 1.3), and how many outputs that message shows in full. Two paths, each in its own gateway:
//   through OpenClaw's default Tool Search bridge (`tools.toolSearch` unset: the host calls `tool_call`) and through a
//   direct call (`tools.toolSearch: false`), and with Tool Search on but this plugin's tools offered directly (the
//   plugin config's `offerDirectly: true`).
// Run: npm run bench:host-read   (prints figures; not a timed test)
import { createRegistry } from "../src/registry/create-registry.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { identifyType } from "../testing/sample-outputs.js";
import { startScriptedModelServer, type Reply, type ScriptRequest } from "../testing/scripted-model-server.js";
import { startGateway, stopAll, type Gateway } from "../testing/gateway-harness.js";
import { isHostRequest, lastConversationMessage, messageText } from "../testing/host-script.js";

const GOAL = 1.3;
const WIDTHS = [5, 20];
const line = (s = "") => process.stdout.write(`${s}\n`);
const types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;

// Sentences of an ordinary technical write-up: quotes, code spans, figures and lists, as Markdown answers carry them.
const SENTENCES = [
  "The first release shipped on a Friday, which nobody on the team would recommend again.",
  'The on-call engineer called the rollout "good enough for now" and opened three follow-up tickets.',
  "Median latency fell from 240 ms to 90 ms once the cache warmed up, and p99 from 1.8 s to 410 ms.",
  "Each service now owns its data: no table is shared, and every cross-service read goes through an API.",
  "`npm run build` takes 14 s on a laptop and 40 s in CI, most of it spent type-checking.",
  "Retries are capped at three, with jittered backoff starting at 200 ms; an abort is never retried.",
  "The migration ran in two phases so that the old and new schemas could serve traffic side by side.",
  "Alerts page a human only when users notice: error rate over 1% for five minutes, or checkout failing.",
  "We kept the feature flag for two weeks after launch, then removed it along with 600 lines of dead code.",
  "Costs went up 12% in the first month, mostly from log volume, and came back down after sampling.",
];

/** Markdown of about `bytes` bytes: headed sections of prose paragraphs and short lists. */
function markdown(seed: number, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  let k = seed;
  for (let section = 1; size < bytes; section++) {
    const block: string[] = [`## Part ${section}`, ""];
    const sentence = () => SENTENCES[k++ % SENTENCES.length]!;
    block.push(`${sentence()} ${sentence()} ${sentence()}`, "");
    if (section % 2 === 0) block.push(`- ${sentence()}`, `- ${sentence()}`, "");
    block.push(`${sentence()} ${sentence()}`, "");
    const text = block.join("\n");
    if (size > 0 && size + text.length > bytes) break;
    parts.push(text);
    size += text.length;
  }
  return parts.join("\n").trim();
}

type Planned = { marker: string; args: Record<string, unknown>; reply: Reply; output: string };

/** N agents with outputs spread evenly over 1-5 KB, every other one a JSON answer. */
function plan(n: number): Planned[] {
  return Array.from({ length: n }, (_, i) => {
    const bytes = 1024 + Math.round((4096 * i) / Math.max(1, n - 1));
    const marker = `[hr-${n}-${i}]`;
    if (i % 2 === 0) {
      const text = markdown(i, bytes);
      return {
        marker,
        args: { type: "general", task: `${marker} Write part ${i + 1} of the release retrospective in Markdown.` },
        reply: { text },
        output: text,
      };
    }
    const json = {
      title: `Release retrospective, part ${i + 1}`,
      outline: ["What happened", "What we changed"],
      body: markdown(i, bytes - 250),
      meta_description: "What the release taught us about shipping, latency, retries and costs.",
      word_count: 0,
    };
    json.word_count = json.body.split(/\s+/).length;
    return {
      marker,
      args: { type: "blog_post_writer", task: `${marker} Write the post.`, input: { topic: `${marker} Our release` } },
      reply: { json },
      output: JSON.stringify(json),
    };
  });
}

type Mode = { read?: string; call: (r: ScriptRequest) => Reply };
let mode: Mode = { call: () => ({ text: "ready" }) };
let planned: Planned[] = [];

const server = await startScriptedModelServer((r) => {
  if (isHostRequest(r)) {
    const last = lastConversationMessage(r);
    if (last.role === "tool") {
      mode.read = messageText(last);
      return { text: "Done." };
    }
    return mode.call(r);
  }
  const type = identifyType(r.system, types);
  const agent = planned.find((p) => r.user.includes(p.marker));
  if (!type || !agent) throw new Error(`a sub-agent request that no planned agent matches (${type ?? "unknown type"})`);
  return agent.reply;
});

/** One chat turn: the host model calls parallel_run (directly or through tool_call) and reads the result. */
async function measure(gateway: Gateway, n: number, sessionKey: string) {
  planned = plan(n);
  const args = { agents: planned.map((p) => p.args), maxConcurrent: n };
  let called = "";
  let promptBytes = 0;
  mode = {
    // as a model would: parallel_run when the host offers it, else through the bridge
    call: (r) => {
      const tools = (r.body.tools as Array<{ function?: { name?: string } }>).map((t) => t.function?.name);
      promptBytes = Buffer.byteLength(JSON.stringify(r.body));
      if (tools.includes("parallel_run")) {
        called = "parallel_run";
        return { toolCalls: [{ name: "parallel_run", arguments: args }] };
      }
      if (tools.includes("tool_call")) {
        called = "tool_call";
        return { toolCalls: [{ name: "tool_call", arguments: { id: "parallel_run", args } }] };
      }
      throw new Error(`the host request offers neither parallel_run nor tool_call among ${tools.length} tools`);
    },
  };
  await gateway.chat("Write the release retrospective with parallel agents", `agent:main:${sessionKey}`, 240_000);
  const read = mode.read;
  if (read === undefined) throw new Error(`no host request carried the tool result (${n} agents)`);
  const outputBytes = planned.reduce((s, p) => s + Buffer.byteLength(p.output), 0);
  const readBytes = Buffer.byteLength(read);
  // An output counts as read in full when the message holds it whole, as is or JSON-escaped (the bridge's JSON).
  const whole = planned.filter((p) => shownPrefix(read, p.output) === p.output.length);
  const shown = planned.reduce((s, p) => s + Buffer.byteLength(p.output.slice(0, shownPrefix(read, p.output))), 0);
  // The same call through POST /tools/invoke gives the whole result: what the bridge would print without the host's cap.
  const { body } = await gateway.invoke("parallel_run", args, 240_000);
  const full = uncut(body.result);
  return {
    n,
    called,
    promptBytes,
    readBytes,
    outputBytes,
    ratio: readBytes / outputBytes,
    whole: whole.length,
    shownBytes: shown,
    hostCut: read.includes("more characters truncated"),
    allOk: new RegExp(`${n} agents, ${n} ok`).test(read),
    uncut: full,
  };
}

/** How many leading characters of `output` the message holds, as is or JSON-escaped (a binary search). */
function shownPrefix(read: string, output: string): number {
  const holds = (k: number) => {
    const prefix = output.slice(0, k);
    return read.includes(prefix) || read.includes(JSON.stringify(prefix).slice(1, -1));
  };
  let [lo, hi] = [0, output.length];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (holds(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * What each path would show of a whole result: the text alone (direct), and the bridge's JSON.stringify({ tool,
 * result: { content, details } }, null, 2) (local-model-lean-*.mjs, tool_call), with the part that `details` takes.
 */
function uncut(result: { content: Array<{ type: string; text: string }>; details: unknown }) {
  const tool = { id: "parallel_run", name: "parallel_run", source: "openclaw" };
  const bridge = Buffer.byteLength(JSON.stringify({ tool, result }, null, 2));
  const withoutDetails = Buffer.byteLength(JSON.stringify({ tool, result: { content: result.content } }, null, 2));
  return { text: Buffer.byteLength(result.content[0]!.text), bridge, details: bridge - withoutDetails };
}

const figures: Array<{ path: string; rows: Awaited<ReturnType<typeof measure>>[] }> = [];
try {
  for (const [path, toolSearch, offerDirectly] of [
    ["tools.toolSearch unset (OpenClaw's default: Tool Search)", undefined, false],
    ["tools.toolSearch: false (tools offered directly)", false, false],
    [
      "tools.toolSearch unset, plugin config offerDirectly: true (our tools direct, the rest behind Tool Search)",
      undefined,
      true,
    ],
  ] as const) {
    const gateway = await startGateway({
      modelUrl: server.url,
      toolSearch,
      ...(offerDirectly ? { pluginConfig: { offerDirectly: true } } : {}),
    });
    try {
      const rows = [];
      for (const n of WIDTHS) rows.push(await measure(gateway, n, `host-read-${n}`));
      figures.push({ path, rows });
    } finally {
      await gateway.stop();
    }
  }
} finally {
  await stopAll();
  await server.close();
}

line(`bench/host-read (node ${process.version}, openclaw 2026.9.6, ${new Date().toISOString()})`);
line(
  "host-read bytes: the tool message in the host model's request after the call; outputs: each agent's output (Markdown text, or compact JSON)",
);
for (const { path, rows } of figures) {
  line(`${path}:`);
  for (const r of rows) {
    // a ratio under the goal means little when the host did not read every output: only a whole read is judged
    const verdict =
      r.whole < r.n ? "not judged: outputs cut" : r.ratio <= GOAL ? "meets" : r.hostCut ? "misses, and cut" : "misses";
    line(
      `  ${String(r.n).padStart(2)} agents, host called ${r.called}: read ${kb(r.readBytes)} for ${kb(r.outputBytes)} of outputs = ${r.ratio.toFixed(2)} x (goal <= ${GOAL}: ${verdict}); ${r.whole}/${r.n} outputs in full, ${Math.round((100 * r.shownBytes) / r.outputBytes)}% of the output bytes shown${r.hostCut ? ", cut by the host's cap on one tool result" : ""}${r.allOk ? "" : ", NOT all ok"}`,
    );
  }
  line(`  the host request that made the call: ${kb(rows[0]!.promptBytes)} (system prompt, tools, messages)`);
}
line("the whole result (POST /tools/invoke), before any cap of the host:");
for (const r of figures[1]?.rows ?? []) {
  const u = r.uncut;
  line(
    `  ${String(r.n).padStart(2)} agents: text ${kb(u.text)} = ${(u.text / r.outputBytes).toFixed(2)} x; as the bridge prints it ${kb(u.bridge)} = ${(u.bridge / r.outputBytes).toFixed(2)} x, of which details ${kb(u.details)}`,
  );
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
