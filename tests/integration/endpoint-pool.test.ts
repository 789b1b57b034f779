// The endpoint pool over real scripted endpoints: a wide run spread over two endpoints, one rate-limiting, each kept
// under its cap (from each server's own log); then its edges one by one.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../src/config.js";
import { SessionError, type SessionRequest } from "../../src/engine/port.js";
import { createEndpointPool } from "../../src/host/endpoint-pool.js";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { executeParallelRun } from "../../src/tools/parallel-run/execute.js";
import {
  startScriptedModelServer,
  type Reply,
  type ScriptedModelServer,
  type ScriptedServerOptions,
} from "../../testing/scripted-model-server.js";
import { FIXTURES } from "../helpers/registry.js";

let servers: ScriptedModelServer[] = [];
afterEach(async () => {
  for (const s of servers) s.assertNoUnexpected();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(reply: (index: number) => Reply, options?: ScriptedServerOptions) {
  const server = await startScriptedModelServer((r) => reply(r.index), options);
  servers.push(server);
  return server;
}

const agentOf = (user: string) => /\[agent:(\d+)\]/.exec(user)?.[1];

function request(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return {
    system: "You answer in JSON.",
    message: "[agent:0] say hi",
    label: "a",
    attemptKey: `k-${Math.random()}`,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
    maxOutputBytes: 65_536,
    ...overrides,
  };
}

describe("two endpoints, one rate-limiting, over real HTTP", () => {
  it("runs 200 agents all ok in one attempt each, each endpoint under its cap, work moved off the limited one", async () => {
    const answer = () => ({ json: { summary: "done" }, delayMs: 15 });
    const roomy = await serve(answer);
    // The limited endpoint really takes 2 at once and refuses the rest, though it is configured for 4.
    const limited = await serve(answer, { rateLimit: { maxInFlight: 2, retryAfterMs: 30 } });
    const pool = createEndpointPool({
      endpoints: [
        { name: "roomy", baseUrl: roomy.url, maxConcurrent: 8, defaultModel: "m" },
        { name: "limited", baseUrl: limited.url, maxConcurrent: 4, defaultModel: "m" },
      ],
    });
    const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [path.join(FIXTURES, "agents")] }) });
    const agents = Array.from({ length: 200 }, (_, i) => ({ type: "echo_agent", task: `[agent:${i}] item ${i}` }));
    const { run } = await executeParallelRun(
      { agents, maxConcurrent: pool.capacity },
      { config: { ...CONFIG_DEFAULTS, maxAgentsPerCall: 200 }, registry, port: pool },
    );

    expect(run.counts.ok).toBe(200);
    expect(run.attempts).toBe(200); // a move is never an agent's failed attempt
    // each server's own count of requests open at once
    expect(roomy.maxInFlight()).toBeLessThanOrEqual(8);
    expect(limited.maxInFlight()).toBeLessThanOrEqual(4);
    expect(Math.max(...roomy.log.map((e) => e.inFlightAtStart))).toBeLessThanOrEqual(8);
    expect(roomy.maxInFlight()).toBeGreaterThanOrEqual(4); // and they did run in parallel

    const refused = limited.log.filter((e) => e.rateLimited);
    expect(refused.length).toBeGreaterThan(0);
    expect(limited.log.some((e) => e.status === 200)).toBe(true); // the limited one still did work
    // every agent the limited endpoint refused was answered by the roomy one
    const answeredByRoomy = new Set(roomy.log.filter((e) => e.status === 200).map((e) => agentOf(e.user)));
    for (const e of refused) expect(answeredByRoomy.has(agentOf(e.user))).toBe(true);

    const [a, b] = pool.stats();
    expect(a).toMatchObject({ name: "roomy", sent: roomy.log.length, ok: roomy.log.length, movedAway: 0 });
    expect(b).toMatchObject({
      name: "limited",
      sent: limited.log.length,
      rateLimited: refused.length,
      movedAway: refused.length,
    });
    expect(a!.ok + b!.ok).toBe(200);
    expect(a!.maxInFlight).toBeLessThanOrEqual(8);
    expect(b!.maxInFlight).toBeLessThanOrEqual(4);
  });
});

describe("the endpoint pool's edges", () => {
  it("a request waiting for a slot stops at its signal: aborted, never sent, never started", async () => {
    const server = await serve(() => ({ hang: true }));
    const pool = createEndpointPool({ endpoints: [{ baseUrl: server.url, maxConcurrent: 1, defaultModel: "m" }] });
    const first = new AbortController();
    const running = pool.run(request({ signal: first.signal }));
    running.catch(() => undefined);
    await server.waitForInFlight(1);
    const second = new AbortController();
    let started = false;
    const queued = pool.run(request({ signal: second.signal, onStarted: () => (started = true) }));
    setTimeout(() => second.abort(), 30);
    await expect(queued).rejects.toMatchObject({ kind: "aborted" });
    expect(started).toBe(false);
    expect(server.log).toHaveLength(1);
    first.abort();
    await expect(running).rejects.toMatchObject({ kind: "aborted" });
    expect(pool.stats()[0]).toMatchObject({ sent: 1, aborted: 1, maxInFlight: 1 });
  });

  it("when every endpoint refused a request it throws the last refusal; the next waits for the earliest cooldown", async () => {
    const a = await serve((i) => (i === 0 ? { status: 429, retryAfter: 0.4 } : { text: "from a" }));
    const b = await serve((i) => (i === 0 ? { status: 429, retryAfter: 0.15 } : { text: "from b" }));
    const pool = createEndpointPool({
      endpoints: [
        { baseUrl: a.url, maxConcurrent: 2, defaultModel: "m" },
        { baseUrl: b.url, maxConcurrent: 2, defaultModel: "m" },
      ],
    });
    const refused = await pool.run(request()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SessionError);
    expect(refused).toMatchObject({ kind: "rate_limited", retryAfterMs: 150 }); // b's, the last one
    expect([a.log.length, b.log.length]).toEqual([1, 1]);

    const t0 = Date.now();
    let startedAfter = -1;
    const result = await pool.run(request({ onStarted: () => (startedAfter = Date.now() - t0) }));
    expect(result.text).toBe("from b"); // b cools down first
    expect(startedAfter).toBeGreaterThanOrEqual(120); // queued while both cooled: not attempt time
    expect(pool.stats().map((s) => [s.sent, s.rateLimited, s.movedAway])).toEqual([
      [1, 1, 1],
      [2, 1, 0],
    ]);
  });

  it("maps each model name to the endpoint's own and sends a model only where it is served", async () => {
    const a = await serve(() => ({ text: "a" }));
    const b = await serve(() => ({ text: "b" }));
    const pool = createEndpointPool({
      endpoints: [
        { baseUrl: a.url, maxConcurrent: 4, defaultModel: "a-default", models: { fast: "a-small" } },
        { baseUrl: b.url, maxConcurrent: 2, defaultModel: "b-default", models: { fast: "b-small", strong: "b-large" } },
      ],
    });
    expect((await pool.run(request({ model: "strong" }))).text).toBe("b");
    expect((await pool.run(request({ model: "fast" }))).text).toBe("a"); // most free slots
    expect((await pool.run(request())).text).toBe("a");
    await expect(pool.run(request({ model: "huge" }))).rejects.toMatchObject({
      kind: "fatal",
      message: expect.stringContaining('no endpoint serves model "huge"'),
    });
    expect(b.log.map((e) => e.model)).toEqual(["b-large"]);
    expect(a.log.map((e) => e.model)).toEqual(["a-small", "a-default"]);
  });

  it("a fatal 4xx is thrown as it is, never moved; a 5xx moves the request and cools the endpoint", async () => {
    const a = await serve((i) => (i === 0 ? { status: 400 } : { status: 503 }));
    const b = await serve(() => ({ text: "b" }));
    const pool = createEndpointPool({
      endpoints: [
        { baseUrl: a.url, maxConcurrent: 4, defaultModel: "m" },
        { baseUrl: b.url, maxConcurrent: 2, defaultModel: "m" },
      ],
      cooldownMs: 5_000,
    });
    await expect(pool.run(request())).rejects.toMatchObject({ kind: "fatal", status: 400 });
    expect(b.log).toHaveLength(0);
    expect((await pool.run(request())).text).toBe("b"); // a's 503 moved it
    expect((await pool.run(request())).text).toBe("b"); // a cools down: not tried again
    expect(a.log.map((e) => e.status)).toEqual([400, 503]);
    expect(pool.stats().map((s) => [s.sent, s.ok, s.errors, s.movedAway])).toEqual([
      [2, 0, 2, 1],
      [2, 2, 0, 0],
    ]);
  });

  it("503s of requests in flight together cool an endpoint once, not once per request: it is back after one cooldown", async () => {
    let failing = true;
    const a = await serve(() => (failing ? { status: 503, delayMs: 100 } : { text: "a" }));
    const pool = createEndpointPool({
      endpoints: [{ baseUrl: a.url, maxConcurrent: 8, defaultModel: "m" }],
      cooldownMs: 300,
    });
    const burst = await Promise.allSettled(Array.from({ length: 8 }, () => pool.run(request())));
    expect(burst.every((r) => r.status === "rejected")).toBe(true);
    failing = false;
    const t0 = Date.now();
    expect((await pool.run(request())).text).toBe("a");
    // one 300 ms cooldown from the burst, not 300 ms x 2^7 (the old count of 8 refusals "in a row")
    expect(Date.now() - t0).toBeLessThan(1_500);
  });

  it("refuses a pool outside its bounds with the field and the fix", () => {
    const one = { baseUrl: "http://127.0.0.1:1/v1", maxConcurrent: 1, defaultModel: "m" };
    expect(() => createEndpointPool({ endpoints: [] })).toThrow(/endpoints: 0 endpoints given.*Fix:/);
    expect(() => createEndpointPool({ endpoints: Array.from({ length: 17 }, () => one) })).toThrow(/1 to 16/);
    expect(() => createEndpointPool({ endpoints: [{ ...one, maxConcurrent: 0 }] })).toThrow(
      /endpoints\[0\]\.maxConcurrent: .*got 0.*Fix:/,
    );
  });
});
