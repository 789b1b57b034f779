// bench/gateway: parallel_run inside a real OpenClaw gateway, side by side in one run:
//   1. gateway start time (spawn to /readyz ready, plugin installed from its npm pack)
//   2. both child runtimes, each in its own gateway: host completions (the default) and sub-agent sessions
//      (childRuntime: "session"): 1 vs 8 vs 32 agents through POST /tools/invoke (makespan ratio against one agent;
//      goals for completions: 8 <= 1.15, 32 <= 1.25), and bytes per child request against the agent's own prompt
//      (goal for completions <= 1.1)
//   3. the old way vs ours for N = 10 at equal model latency: the host model calling core sessions_spawn ten times and
//      waiting for the announcements, versus one parallel_run call: host model requests, host prompt size, wall time.
// Run: npm run bench:gateway   (prints figures; not a timed test)
import { createRegistry } from "../src/registry/create-registry.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { SAMPLE_OUTPUTS, identifyType } from "../testing/sample-outputs.js";
import { startScriptedModelServer, type Reply, type ScriptRequest } from "../testing/scripted-model-server.js";
import { startGateway, stopAll, type Gateway } from "../testing/gateway-harness.js";
import { renderAgentPrompt } from "../src/render/render-agent-prompt.js";
import { isHostRequest, lastConversationMessage, messageText } from "../testing/host-script.js";

const LATENCY_MS = 2000;
const N_OLD = 10;
const line = (s = "") => process.stdout.write(`${s}\n`);
const types = (await createRegistry({ roots: catalogueRoots({}) }).refresh()).types;

type Mode = { name: string; host: (r: ScriptRequest) => Reply };
let mode: Mode = { name: "none", host: () => ({ text: "idle" }) };
const hostBytes: number[] = [];
let hostRequests = 0;
let oldWayResults = 0;
let finalAt = 0;

const server = await startScriptedModelServer((r) => {
  const all = JSON.stringify(r.body.messages);
  if (all.includes("[Subagent Task]")) {
    // a child of core sessions_spawn: a full agent session, answering its task
    const n = /\[old-way (\d+)\]/.exec(all)?.[1];
    return { text: `old-way result ${n}: ${JSON.stringify(SAMPLE_OUTPUTS.content_writer_funny)}`, delayMs: LATENCY_MS };
  }
  if (isHostRequest(r)) {
    hostBytes.push(JSON.stringify(r.body).length);
    hostRequests++;
    return mode.host(r);
  }
  const type = identifyType(r.system, types);
  if (!type) throw new Error("unknown sub-agent request");
  return { json: SAMPLE_OUTPUTS[type], delayMs: r.user.includes("[quick]") ? 0 : LATENCY_MS };
});

const agent = { type: "content_writer_funny", task: "Mondays", input: { topic: "Mondays" } };
const ownPrompt = renderAgentPrompt({
  type: types.get(agent.type)!,
  task: agent.task,
  input: agent.input,
  field: "agents[0]",
});
const ownBytes = Buffer.byteLength(ownPrompt.system) + Buffer.byteLength(ownPrompt.message);
const WIDTHS = [1, 8, 32, 50];

/** 1 vs 8 vs 32 agents (best of 3, after a warm-up: the first child after start is slow) and bytes per child request. */
async function widthsOf(gateway: Gateway) {
  await gateway.invoke("parallel_run", { agents: [agent] });
  const best = new Map<number, number>();
  const bytes: number[] = [];
  const formatBytes: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const n of WIDTHS) {
      const before = server.log.length;
      const t0 = Date.now();
      const { body } = await gateway.invoke("parallel_run", {
        agents: Array.from({ length: n }, () => agent),
        maxConcurrent: 50,
      });
      if (body.result.details.counts.ok !== n) throw new Error(`only ${body.result.details.counts.ok}/${n} ok`);
      best.set(n, Math.min(best.get(n) ?? Infinity, Date.now() - t0));
      const childRequests = server.log
        .slice(before)
        .filter((e) => e.tools.length === 0 && e.system.includes("## Output contract"));
      bytes.push(...childRequests.map((e) => e.bytes));
      formatBytes.push(
        ...childRequests.map((e) =>
          e.responseFormat === undefined ? 0 : JSON.stringify({ response_format: e.responseFormat }).length,
        ),
      );
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { best, bytesPerChild: mean(bytes), formatBytesPerChild: mean(formatBytes) };
}

const gatewayStarts: number[] = [];
// sessions in the host's default lane of 8, all of it ours (laneReserve 0): 32 and 50 agents run in waves of 8
const sessions = await startGateway({
  modelUrl: server.url,
  toolSearch: false,
  pluginConfig: { childRuntime: "session", laneReserve: 0 },
});
gatewayStarts.push(sessions.startMs);
/** Child sessions of ours after 100 more tool calls (cleanup keep, swept to keepSessions, default 20). */
async function sessionsLeftAfter(gateway: Gateway, calls: number) {
  for (let i = 0; i < calls; i++)
    await gateway.invoke("parallel_run", { agents: [{ ...agent, task: `[quick] ${i}` }] });
  const { stdout } = await gateway.cli(["sessions", "--json", "--limit", "all"]);
  return new Set(stdout.match(/subagent:parallel-agents-[A-Za-z0-9_-]+/g) ?? []).size;
}
const sessionFigures = await widthsOf(sessions)
  .then(async (f) => ({ ...f, left: await sessionsLeftAfter(sessions, 100) }))
  .finally(() => sessions.stop());
const gateway = await startGateway({ modelUrl: server.url, toolSearch: false });
gatewayStarts.push(gateway.startMs);

try {
  // 2. both runtimes: completions in this gateway, sessions measured above in their own
  const completionFigures = await widthsOf(gateway);

  // 3a. ours: one chat turn whose host model calls parallel_run once with ten agents
  const tenAgents = Array.from({ length: N_OLD }, (_, i) => ({
    type: "content_writer_funny",
    task: `Post ${i + 1}`,
    input: { topic: "Mondays" },
  }));
  // The first chat turn of a fresh gateway pays its own warm-up (~25 s here, before the first host model request):
  // a turn of nothing first, so neither way below is charged for it.
  await measureTurn(
    "warm-up",
    () => {
      finalAt = Date.now();
      return { text: "ready" };
    },
    "bench-warmup",
  );
  const ours = await measureTurn(
    "ours",
    (r) => {
      const last = lastConversationMessage(r);
      if (last.role === "tool") {
        finalAt = Date.now();
        return { text: "done" };
      }
      return { toolCalls: [{ name: "parallel_run", arguments: { agents: tenAgents, maxConcurrent: 10 } }] };
    },
    "bench-ours",
  );

  // 3b. the old way: sessions_spawn x10 in one assistant message; core refuses what exceeds the per-requester cap, so
  // the host re-spawns those as completions free capacity, yielding in between, until all ten results are in.
  const old = await measureTurn("old", oldWayHost, "bench-old", 240_000);

  line(`bench/gateway (node ${process.version}, openclaw 2026.9.6, ${new Date().toISOString()})`);
  line(
    `gateway start (spawn to /readyz ready): ${(Math.min(...gatewayStarts) / 1000).toFixed(1)} s; plugin install from npm pack: ${(gateway.installMs / 1000).toFixed(1)} s`,
  );
  line(
    `1 vs 8 vs 32 vs 50 agents through POST /tools/invoke, ${LATENCY_MS} ms model latency, maxConcurrent 50 (best of 3); agent's own prompt ${ownBytes} bytes:`,
  );
  for (const [name, f, lane, goals] of [
    [
      "host completions (default)",
      completionFigures,
      Infinity,
      "goals: 8 <= 1.15, 32 <= 1.25 x one agent; bytes <= 1.1",
    ],
    ["sub-agent sessions, lane 8", sessionFigures, 8, "goal: 50 agents <= 1.15 x ceil(50/8) x latency"],
  ] as const) {
    const b1 = f.best.get(1)!;
    const waves = (n: number) => Math.ceil(n / Math.min(n, lane));
    const widths = WIDTHS.slice(1).map(
      (n) =>
        `${n}: ${f.best.get(n)} ms = ${(f.best.get(n)! / b1).toFixed(2)} x one agent, ${(f.best.get(n)! / (waves(n) * LATENCY_MS)).toFixed(2)} x ${waves(n)} x latency`,
    );
    line(`  ${name}: 1 agent ${b1} ms; ${widths.join("; ")}`);
    line(
      `    ${Math.round(f.bytesPerChild)} bytes per child request = ${(f.bytesPerChild / ownBytes).toFixed(2)} x the agent's prompt (response_format schema ${(f.formatBytesPerChild / ownBytes).toFixed(2)} of it; without it ${((f.bytesPerChild - f.formatBytesPerChild) / ownBytes).toFixed(2)} x)  [${goals}]`,
    );
  }
  line(
    `  sub-agent sessions: ${sessionFigures.left} child sessions of ours left after ${WIDTHS.reduce((a, n) => a + n, 0) * 3 + 1 + 100} children in ${WIDTHS.length * 3 + 1 + 100} tool calls (cleanup keep, keepSessions 20)`,
  );
  line(`the old way vs ours, N = ${N_OLD} agents, ${LATENCY_MS} ms model latency, one chat turn each:`);
  old.note = `${oldWayResults} of ${N_OLD} results${old.note ? `, ${old.note}` : ""}`;
  ours.note = `${N_OLD} of ${N_OLD} results`;
  for (const m of [old, ours]) {
    line(
      `  ${m.name.padEnd(4)}: ${m.hostRequests} host model requests, ${(m.hostBytes / 1024).toFixed(0)} KB of host prompt (~${Math.round(m.hostBytes / 4 / 1000)}k tokens), ${m.children} child requests, ${(m.wallMs / 1000).toFixed(1)} s to the final answer${m.note ? `; ${m.note}` : ""}`,
    );
  }
} finally {
  await stopAll();
  await server.close();
}

async function measureTurn(name: string, host: Mode["host"], sessionKey: string, waitMs = 120_000) {
  mode = { name, host };
  hostBytes.length = 0;
  hostRequests = 0;
  finalAt = 0;
  const before = server.log.length;
  const t0 = Date.now();
  await gateway
    .chat("Write ten funny captions about Mondays", `agent:main:${sessionKey}`)
    .catch((e: unknown) => ({ error: String(e) }));
  const deadline = Date.now() + waitMs;
  while (!finalAt && Date.now() < deadline && hostRequests < 200) await new Promise((r) => setTimeout(r, 200));
  const entries = server.log.slice(before);
  return {
    name,
    hostRequests,
    hostBytes: hostBytes.reduce((a, b) => a + b, 0),
    children: entries.length - hostRequests,
    wallMs: (finalAt || Date.now()) - t0,
    note: finalAt ? "" : "did not finish",
  };
}

const CHILD_CAP = 5; // agents.defaults.subagents.maxChildrenPerAgent default

/** The host model of the old way, as a careful model would play it. */
function oldWayHost(r: ScriptRequest): Reply {
  const messages = r.body.messages as Array<{
    role: string;
    content?: unknown;
    tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    tool_call_id?: string;
  }>;
  const all = messages.map(messageText).join("\n");
  const results = new Set([...all.matchAll(/old-way result (\d+)/g)].map((m) => Number(m[1])));
  if (results.size >= N_OLD) {
    finalAt = Date.now();
    oldWayResults = results.size;
    return { text: "Here are all ten captions." };
  }
  // Pair each tool result with its call by order (the host may rename call ids).
  const status = new Map<number, string>();
  let spawned = 0;
  let queue: Array<number | undefined> = [];
  for (const m of messages) {
    if (m.role === "assistant" && m.tool_calls) {
      queue = m.tool_calls.map((c) =>
        c.function.name === "sessions_spawn" ? Number(/\[old-way (\d+)\]/.exec(c.function.arguments)?.[1]) : undefined,
      );
      spawned += queue.filter((n) => n !== undefined).length;
    } else if (m.role === "tool") {
      const n = queue.shift();
      if (n !== undefined) status.set(n, /"status":\s*"(\w+)"/.exec(messageText(m))?.[1] ?? "unknown");
    }
  }
  const spawn = (ns: number[]): Reply => ({
    toolCalls: ns.map((n) => ({
      name: "sessions_spawn",
      arguments: {
        task: `[old-way ${n}] Write one funny caption about Mondays as JSON.`,
        label: `post ${n}`,
        runtime: "subagent",
        mode: "run",
        cleanup: "delete",
      },
    })),
  });
  if (spawned === 0) return spawn(Array.from({ length: N_OLD }, (_, i) => i + 1));
  const active = [...status].filter(([n, s]) => s === "accepted" && !results.has(n)).length;
  const refused = [...status].filter(([n, s]) => s !== "accepted" && !results.has(n)).map(([n]) => n);
  const free = CHILD_CAP - active;
  const spawnRounds = messages.filter(
    (m) => m.role === "assistant" && m.tool_calls?.some((c) => c.function.name === "sessions_spawn"),
  ).length;
  if (refused.length > 0 && free > 0 && spawnRounds < 3) return spawn(refused.slice(0, free));
  if (active === 0) {
    // nothing running and the host keeps refusing: answer with what arrived (the user would have to ask again)
    finalAt = Date.now();
    oldWayResults = results.size;
    return {
      text: `${results.size} of ${N_OLD} captions arrived; the rest were refused by the per-session child limit.`,
    };
  }
  return { toolCalls: [{ name: "sessions_yield", arguments: {} }] };
}
