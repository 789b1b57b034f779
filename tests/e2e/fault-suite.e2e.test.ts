// One real gateway, every fault at width: 50 agents through 500s, 429s, garbage, cut JSON, hangs and slow drips; a client
// that disconnects; a gateway SIGKILLed mid-run and resumed. Each agent ends with one definite outcome, nothing is lost
// or sent twice, and no request or process is left behind (the model server's log and the process table say so).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTCOMES } from "../../src/engine/outcome.js";
import { SAMPLE_OUTPUTS } from "../../testing/sample-outputs.js";
import {
  startScriptedModelServer,
  type LogEntry,
  type Reply,
  type ScriptedModelServer,
} from "../../testing/scripted-model-server.js";
import { processesOf, startGateway, stopAll, type Gateway } from "../../testing/gateway-harness.js";

const WRITERS = [
  "content_writer_creative",
  "content_writer_funny",
  "content_writer_educational",
  "content_writer_trendy",
  "content_writer_controversial",
];

/** Every task carries a marker "[group:fault] #n": the script picks the fault from it, the log counts requests by it. */
const MARKER = /\[([a-z0-9-]+):([a-z0-9-]+)\] #(\d+)/;
const markerOf = (text: string) => MARKER.exec(text)?.[0];
const writerOf = (n: number) => WRITERS[n % WRITERS.length]!;
/** What the script serves as agent n's valid answer: unique per agent, so an output can be traced to its request. */
const served = (n: number) => {
  const sample = SAMPLE_OUTPUTS[writerOf(n)] as { caption: string };
  return { ...sample, caption: `${sample.caption} (agent ${n})` };
};
const agent = (group: string, fault: string, n: number, extra: Record<string, unknown> = {}) => ({
  type: writerOf(n),
  task: `[${group}:${fault}] #${n}`,
  label: `${group}:${fault} #${n}`,
  input: { topic: "morning coffee" },
  ...extra,
});

type Fault = {
  count: number;
  /** The answer to the `nth` request (1-based) of one agent of this class. */
  reply: (nth: number, n: number) => Reply;
  /** Final outcome and the kinds of its attempts. */
  expect: { outcome: string; kinds: string[] };
  timeoutSeconds?: number;
};

const garbage = { text: "Sure! Here is a caption about coffee: mornings are hard, coffee helps. Hope you like it!" };
const FAULTS: Record<string, Fault> = {
  ok: { count: 12, reply: (_, n) => ({ json: served(n) }), expect: { outcome: "ok", kinds: ["first"] } },
  "500-once": {
    count: 5,
    reply: (k, n) => (k === 1 ? { status: 500 } : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "retry"] },
  },
  "500-always": { count: 4, reply: () => ({ status: 500 }), expect: { outcome: "failed", kinds: ["first", "retry"] } },
  "429-once": {
    count: 5,
    reply: (k, n) => (k === 1 ? { status: 429, retryAfter: 1 } : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "retry"] },
  },
  "garbage-once": {
    count: 5,
    reply: (k, n) => (k === 1 ? garbage : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "repair"] },
  },
  "garbage-always": { count: 3, reply: () => garbage, expect: { outcome: "invalid", kinds: ["first", "repair"] } },
  "cut-json": {
    count: 4,
    reply: (k, n) => (k === 1 ? { text: JSON.stringify(served(n)).slice(0, 60) } : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "repair"] },
  },
  "cut-stream": {
    count: 3,
    reply: (k, n) => (k === 1 ? { json: served(n), truncate: true } : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "retry"] },
  },
  "length-once": {
    count: 3,
    reply: (k, n) => (k === 1 ? { json: served(n), finishReason: "length" } : { json: served(n) }),
    expect: { outcome: "ok", kinds: ["first", "repair"] },
  },
  hang: {
    count: 3,
    reply: () => ({ hang: true }),
    expect: { outcome: "timeout", kinds: ["first", "retry"] },
    timeoutSeconds: 5,
  },
  drip: {
    count: 3,
    reply: (_, n) => ({ json: served(n), dripMs: 120 }),
    expect: { outcome: "ok", kinds: ["first"] },
    timeoutSeconds: 30,
  },
};

let server: ScriptedModelServer;
let gateway: Gateway;
/** Replies by marker; a request without a known marker is unexpected (the server records it and the test fails). */
let replyFor: (marker: string, nth: number, n: number) => Reply = () => {
  throw new Error("no script set");
};

const requestsOf = (log: LogEntry[], marker: string) => log.filter((e) => markerOf(e.user) === marker);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

type Journal = { runId: string; ended: boolean; ends: Array<{ label: string; outcome: string }> };
/** The journaled run whose tasks carry `group`, read from the gateway's state dir as a user would after a crash. */
function journalOf(group: string): Journal | undefined {
  const dir = path.join(gateway.env.OPENCLAW_STATE_DIR!, "parallel-agents", "runs");
  if (!fs.existsSync(dir)) return undefined;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
    const events = fs
      .readFileSync(path.join(dir, file), "utf8")
      .split("\n")
      .filter((l) => l.trim())
      .flatMap((l) => {
        try {
          return [JSON.parse(l)];
        } catch {
          return [];
        }
      });
    const start = events.find((e) => e.t === "run-start");
    if (!start || !JSON.stringify(start.params).includes(`[${group}:`)) continue;
    return {
      runId: start.runId,
      ended: events.at(-1)?.t === "run-end",
      ends: events
        .filter((e) => e.t === "agent-end")
        .map((e) => ({ label: e.result.label, outcome: e.result.outcome })),
    };
  }
  return undefined;
}

beforeAll(async () => {
  server = await startScriptedModelServer((request) => {
    const marker = markerOf(request.user);
    if (!marker) throw new Error(`a request without a task marker: ${request.user.slice(0, 120)}`);
    return replyFor(marker, requestsOf(server.log, marker).length, Number(MARKER.exec(marker)![3]));
  });
  const started = Date.now();
  gateway = await startGateway({ modelUrl: server.url, toolSearch: false });
  console.log(
    `gateway: ${((Date.now() - started) / 1000).toFixed(1)} s to start (install ${(gateway.installMs / 1000).toFixed(1)} s, ready ${(gateway.startMs / 1000).toFixed(1)} s)`,
  );
}, 240_000); // a loaded machine has taken 100 s to install and start a gateway

afterAll(async () => {
  const dir = gateway?.dir;
  const stopping = Date.now();
  await stopAll();
  console.log(`gateway: stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
  await server?.close();
  if (dir) expect(processesOf(dir)).toEqual([]); // nothing of any gateway process left
});

describe("the fault suite in a real OpenClaw gateway (host completions)", () => {
  it("50 agents through 500, 429, garbage, cut JSON, cut streams, length stops, hangs and slow drips each end with one definite outcome; nothing lost, nothing left in flight", {
    timeout: 120_000,
  }, async () => {
    const classes = Object.entries(FAULTS).flatMap(([fault, f]) => Array.from({ length: f.count }, () => fault));
    expect(classes).toHaveLength(50);
    const agents = classes.map((fault, n) =>
      agent("fault", fault, n, FAULTS[fault]!.timeoutSeconds ? { timeoutSeconds: FAULTS[fault]!.timeoutSeconds } : {}),
    );
    replyFor = (_marker, nth, n) => FAULTS[classes[n]!]!.reply(nth, n);
    const before = server.log.length;
    const processes = processesOf(gateway.dir).sort();
    const started = Date.now();
    const { status, body } = await gateway.invoke("parallel_run", { agents, retries: 1, maxConcurrent: 16 }, 110_000);
    const wallMs = Date.now() - started;
    expect(status).toBe(200);
    const details = body.result.details;
    const results = details.agents as Array<{
      label: string;
      outcome: string;
      output?: unknown;
      attempts: Array<{ kind: string; outcome: string }>;
    }>;
    const log = server.log.slice(before);

    // One definite outcome each, in order, and the counts add up; the text the host model reads names every one.
    expect(body.result.content[0].text).toContain(`${details.runId}: 50 agents`);
    for (const [n, r] of results.entries())
      expect(body.result.content[0].text).toContain(`\n${n + 1}. [${r.outcome}] ${r.label} (`);
    expect(results.map((r) => r.label)).toEqual(agents.map((a) => a.label));
    for (const r of results) expect(OUTCOMES).toContain(r.outcome);
    expect(Object.values(details.counts as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(50);
    for (const o of OUTCOMES) expect(details.counts[o]).toBe(results.filter((r) => r.outcome === o).length);

    const byClass: Record<string, Record<string, number>> = {};
    results.forEach((r, n) => {
      const fault = classes[n]!;
      (byClass[fault] ??= {})[r.outcome] = (byClass[fault]![r.outcome] ?? 0) + 1;
    });
    const requestsPerAgent = results.map((_, n) => requestsOf(log, `[fault:${classes[n]}] #${n}`));
    const gaps = (fault: string) =>
      requestsPerAgent
        .filter((rs, n) => classes[n] === fault && rs.length > 1)
        .map((rs) => rs[1]!.startedAt - rs[0]!.endedAt!);
    const range = (ms: number[]) => `${Math.min(...ms)}-${Math.max(...ms)} ms`;
    console.log(
      `fault suite: 50 agents in ${(wallMs / 1000).toFixed(1)} s, ${log.length} model requests, counts ${JSON.stringify(details.counts)}\n  by class ${JSON.stringify(byClass)}\n  retry after a 500: ${range(gaps("500-once"))}, after a 429 (retry-after 1): ${range(gaps("429-once"))}`,
    );
    results.forEach((r, n) => {
      const f = FAULTS[classes[n]!]!;
      // the expected outcome and attempts per fault class, and the model saw exactly one request per attempt
      expect({ label: r.label, outcome: r.outcome, kinds: r.attempts.map((a) => a.kind) }).toEqual({
        label: r.label,
        ...f.expect,
      });
      expect(requestsPerAgent[n]).toHaveLength(r.attempts.length);
      if (r.outcome === "ok")
        expect(r.output).toEqual(served(n)); // what the script served, nothing else
      else expect(r).not.toHaveProperty("output"); // an answer that did not end ok is only in `text`, unchecked
    });

    // No request left open; only the hung ones were closed early (by their timeouts), each of them.
    await until("the last request to end", () => server.inFlight() === 0, 1000).catch(() => undefined);
    expect(server.inFlight()).toBe(0);
    expect(log.every((e) => e.endedAt !== undefined)).toBe(true);
    const hung = log.filter((e) => markerOf(e.user)!.startsWith("[fault:hang]"));
    expect(hung).toHaveLength(FAULTS.hang!.count * 2);
    expect(hung.every((e) => e.closedEarly)).toBe(true);
    for (const e of hung) expect(e.endedAt! - e.startedAt).toBeGreaterThan(4500); // closed by the agent's 5 s limit, not sooner
    expect(log.filter((e) => e.closedEarly)).toHaveLength(hung.length);
    expect(log).toHaveLength(results.reduce((sum, r) => sum + r.attempts.length, 0));
    expect(processesOf(gateway.dir).sort()).toEqual(processes); // host completions start no process, and none is left
    server.assertNoUnexpected();
  });

  it("a client that disconnects cancels every in-flight request within 1 s; resume by run id runs only the cancelled agents, 12/12 ok", {
    timeout: 90_000,
  }, async () => {
    let answer = false;
    replyFor = (marker, _nth, n) =>
      marker.startsWith("[cancel:fast]") || answer ? { json: served(n) } : { hang: true };
    const agents = [
      ...[0, 1].map((n) => agent("cancel", "fast", n)),
      ...Array.from({ length: 10 }, (_, i) => agent("cancel", "hang", i + 2)),
    ];
    const before = server.log.length;
    const controller = new AbortController();
    const call = gateway
      .invoke("parallel_run", { agents, retries: 1, maxConcurrent: 16, timeoutSeconds: 60 }, 60_000, controller.signal)
      .catch((e: unknown) => e);
    await until(
      "2 journaled answers and 10 hung requests",
      () => (journalOf("cancel")?.ends.length ?? 0) >= 2 && server.inFlight() >= 10,
    );
    const abortedAt = Date.now();
    controller.abort();
    expect(await call).toBeInstanceOf(Error);
    await until("every hung request to close", () => server.inFlight() === 0, 5000).catch(() => undefined);
    const hung = server.log.slice(before).filter((e) => markerOf(e.user)!.startsWith("[cancel:hang]"));
    expect(hung).toHaveLength(10);
    const closeMs = hung.map((e) => e.endedAt! - abortedAt);
    console.log(
      `cancel: 10 in-flight requests closed ${Math.min(...closeMs)}-${Math.max(...closeMs)} ms after the client went away`,
    );
    for (const e of hung) expect(e.closedEarly).toBe(true);
    expect(Math.max(...closeMs)).toBeLessThan(1000);

    // The journal says what happened: 2 ok, 10 cancelled, and the run ended.
    const journal = await until(
      "the cancelled run's journal to end",
      () => (journalOf("cancel")?.ended ? journalOf("cancel") : undefined),
      10_000,
    );
    expect(journal.ends.filter((e) => e.outcome === "ok")).toHaveLength(2);
    expect(journal.ends.filter((e) => e.outcome === "cancelled")).toHaveLength(10);

    answer = true;
    const resumedFrom = server.log.length;
    const { body } = await gateway.invoke("parallel_run", { resume: journal.runId }, 60_000);
    const details = body.result.details;
    expect(details.runId).toBe(journal.runId);
    expect(details.counts.ok).toBe(12);
    expect(details.agents.map((a: { output: unknown }) => a.output)).toEqual(agents.map((_, n) => served(n)));
    const after = server.log.slice(resumedFrom);
    for (const n of [0, 1]) expect(requestsOf(after, `[cancel:fast] #${n}`)).toHaveLength(0); // finished before: not re-sent
    for (let n = 2; n < 12; n++) expect(requestsOf(after, `[cancel:hang] #${n}`)).toHaveLength(1);
    server.assertNoUnexpected();
  });

  it("a resume of a run still going in the gateway sends nothing twice: the live run is refused and finishes alone", {
    timeout: 90_000,
  }, async () => {
    replyFor = (marker, _nth, n) => (marker.startsWith("[live:fast]") ? { json: served(n) } : { hang: true });
    const agents = [...[0, 1].map((n) => agent("live", "fast", n)), ...[2, 3].map((n) => agent("live", "hang", n))];
    const first = new AbortController();
    const call = gateway
      .invoke("parallel_run", { agents, timeoutSeconds: 60, retries: 0 }, 60_000, first.signal)
      .catch((e: unknown) => e);
    const journal = await until("2 journaled answers and 2 hung requests", () =>
      (journalOf("live")?.ends.length ?? 0) >= 2 && server.inFlight() >= 2 ? journalOf("live") : undefined,
    );
    for (const resume of [journal.runId, "latest"]) {
      const { status } = await gateway.invoke("parallel_run", { resume }, 30_000);
      expect(status).not.toBe(200); // refused before anything starts: the run is live
    }
    await sleep(1000);
    for (const n of [2, 3]) expect(requestsOf(server.log, `[live:hang] #${n}`)).toHaveLength(1); // never sent twice
    first.abort();
    await call;
    server.assertNoUnexpected();
  });

  it('a gateway SIGKILLed mid-run leaves no process; after a restart resume "latest" and resume by run id finish 8/8 each, re-sending none of the answered', {
    timeout: 150_000,
  }, async () => {
    let answer = false;
    replyFor = (marker, _nth, n) => (marker.includes(":fast]") || answer ? { json: served(n) } : { hang: true });
    const run = (group: string) => [
      ...[0, 1, 2, 3].map((n) => agent(group, "fast", n)),
      ...[4, 5, 6, 7].map((n) => agent(group, "hang", n)),
    ];
    const params = { retries: 1, maxConcurrent: 8, timeoutSeconds: 120 };
    const before = server.log.length;
    // Run A first; run B once A's answers are on disk, so B is the newest unfinished run ("latest").
    const callA = gateway
      .invoke("parallel_run", { agents: run("restart-a"), ...params }, 120_000)
      .catch((e: unknown) => e);
    await until("run A's 4 answers journaled", () => (journalOf("restart-a")?.ends.length ?? 0) >= 4, 60_000);
    const callB = gateway
      .invoke("parallel_run", { agents: run("restart-b"), ...params }, 120_000)
      .catch((e: unknown) => e);
    await until(
      "run B's 4 answers journaled and 8 hung requests",
      () => (journalOf("restart-b")?.ends.length ?? 0) >= 4 && server.inFlight() >= 8,
      60_000,
    );
    const a = journalOf("restart-a")!;
    const b = journalOf("restart-b")!;
    for (const j of [a, b])
      expect(j).toMatchObject({
        ended: false,
        ends: [0, 1, 2, 3].map(() => expect.objectContaining({ outcome: "ok" })),
      });

    const { before: pids, left } = await gateway.kill("SIGKILL");
    expect(pids.length).toBeGreaterThan(0);
    expect(left).toEqual([]); // the whole first gateway is gone from the process table
    expect(await callA).toBeInstanceOf(Error);
    expect(await callB).toBeInstanceOf(Error);
    await until("the dead gateway's requests to close", () => server.inFlight() === 0, 5000);
    expect(server.log.slice(before).filter((e) => e.closedEarly)).toHaveLength(8);

    await gateway.restart();
    console.log(
      `restart: SIGKILL of ${pids.length} processes, new gateway ready in ${(gateway.startMs / 1000).toFixed(1)} s`,
    );
    expect(processesOf(gateway.dir).filter((pid) => pids.includes(pid))).toEqual([]);

    answer = true;
    const resumedFrom = server.log.length;
    const latest = await gateway.invoke("parallel_run", { resume: "latest" }, 90_000);
    expect(latest.body.result.details.runId).toBe(b.runId);
    const byId = await gateway.invoke("parallel_run", { resume: a.runId }, 90_000);
    expect(byId.body.result.details.runId).toBe(a.runId);
    for (const [group, result] of [
      ["restart-a", byId],
      ["restart-b", latest],
    ] as const) {
      expect(result.body.result.details.counts.ok).toBe(8);
      expect(result.body.result.details.agents.map((x: { output: unknown }) => x.output)).toEqual(
        run(group).map((_, n) => served(n)),
      );
    }
    const after = server.log.slice(resumedFrom);
    const resent = ["restart-a", "restart-b"].flatMap((g) =>
      [0, 1, 2, 3].flatMap((n) => requestsOf(after, `[${g}:fast] #${n}`)),
    );
    console.log(`restart: ${resent.length} of 8 answered agents re-sent, ${after.length} requests after the restart`);
    expect(resent).toHaveLength(0);
    for (const g of ["restart-a", "restart-b"])
      for (const n of [4, 5, 6, 7]) expect(requestsOf(after, `[${g}:hang] #${n}`)).toHaveLength(1);
    expect(after).toHaveLength(8);
    for (const g of ["restart-a", "restart-b"]) {
      // the journal holds each agent's outcome once: 4 from before the kill, 4 after, the run ended
      const j = journalOf(g)!;
      expect(j.ended).toBe(true);
      expect(j.ends.map((e) => e.label).sort()).toEqual(
        run(g)
          .map((x) => x.label)
          .sort(),
      );
      expect(j.ends.every((e) => e.outcome === "ok")).toBe(true);
    }
    expect(server.inFlight()).toBe(0);
    server.assertNoUnexpected();
  });
});
