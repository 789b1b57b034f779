import { describe, expect, it } from "vitest";
import { preparedAgent } from "../helpers/prepared-agent.js";
import { runAgents } from "../../src/engine/scheduler.js";
import { SessionError, type SessionPort, type SessionRequest } from "../../src/engine/port.js";

const agent = preparedAgent;

/** An in-process port that checks the concurrency invariant inside every session. */
function countingPort(cap: number, delay: (r: SessionRequest) => number = () => 1) {
  let running = 0;
  let peak = 0;
  const violations: number[] = [];
  const port: SessionPort = {
    name: "counting",
    async run(request) {
      running++;
      peak = Math.max(peak, running);
      if (running > cap) violations.push(running);
      await new Promise((r) => setTimeout(r, delay(request)));
      running--;
      return { text: JSON.stringify({ n: Number(request.message.replace(/\D/g, "")) || 0 }) };
    },
  };
  return { port, peak: () => peak, violations };
}

describe("runAgents: scheduling invariants", () => {
  it.each([1, 3, 8, 25])(
    "never runs more than maxConcurrent=%i sessions at once, and ends every agent",
    async (cap) => {
      const p = countingPort(cap, () => Math.floor(Math.random() * 5));
      const run = await runAgents({
        runId: "r",
        port: p.port,
        agents: Array.from({ length: 60 }, (_, i) => agent(i)),
        maxConcurrent: cap,
        retries: 0,
        maxOutputBytes: 1000,
      });
      expect(p.violations).toEqual([]);
      expect(p.peak()).toBe(Math.min(cap, 60));
      expect(run.agents).toHaveLength(60);
      expect(run.counts.ok).toBe(60);
      expect(run.agents.map((a) => a.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    },
  );

  it("does not time out agents while they wait in the queue", async () => {
    const p = countingPort(1, () => 40);
    const run = await runAgents({
      runId: "r",
      port: p.port,
      agents: Array.from({ length: 5 }, (_, i) => agent(i, { timeoutMs: 100 })),
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 1000,
    });
    expect(run.counts.ok).toBe(5); // 5 x 40 ms queued behind each other, each well within its own 100 ms
  });

  it("runs a diamond A -> B, C -> D with B and C in parallel and D given both results", async () => {
    const seen: string[] = [];
    const starts: Record<string, number> = {};
    const ends: Record<string, number> = {};
    const port: SessionPort = {
      name: "diamond",
      async run(r) {
        starts[r.label] = Date.now();
        seen.push(r.message);
        await new Promise((res) => setTimeout(res, 30));
        ends[r.label] = Date.now();
        return { text: JSON.stringify({ n: r.label.charCodeAt(0) }) };
      },
    };
    const build = (deps: { output: unknown }[]) => ({
      system: "s",
      message: `D sees ${JSON.stringify(deps.map((d) => d.output))}`,
    });
    const run = await runAgents({
      runId: "r",
      port,
      maxConcurrent: 4,
      retries: 0,
      maxOutputBytes: 1000,
      agents: [
        agent(0, { label: "A" }),
        agent(1, { label: "B", dependsOn: [0] }),
        agent(2, { label: "C", dependsOn: [0] }),
        agent(3, { label: "D", dependsOn: [1, 2], prompt: build }),
      ],
    });
    expect(run.counts.ok).toBe(4);
    expect(starts.B!).toBeGreaterThanOrEqual(ends.A!);
    expect(Math.max(starts.B!, starts.C!)).toBeLessThan(Math.min(ends.B!, ends.C!)); // B and C overlap
    expect(seen.at(-1)).toBe('D sees [{"n":66},{"n":67}]');
  });

  it("skips exactly the dependents of a failed agent, transitively", async () => {
    const port: SessionPort = {
      name: "p",
      run: async (r) => ({ text: r.label === "B" ? "" : JSON.stringify({ n: 1 }) }),
    };
    const run = await runAgents({
      runId: "r",
      port,
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 1000,
      agents: [
        agent(0, { label: "A" }),
        agent(1, { label: "B", dependsOn: [0] }),
        agent(2, { label: "C", dependsOn: [1] }),
        agent(3, { label: "D", dependsOn: [0] }),
      ],
    });
    expect(run.agents.map((a) => `${a.label}:${a.outcome}`)).toEqual(["A:ok", "B:failed", "C:skipped", "D:ok"]);
    expect(run.agents[2]!.reason).toBe("dependency a1 (t) ended failed");
  });

  it("reuses finished results and runs only the rest (resume)", async () => {
    const p = countingPort(4);
    const first = await runAgents({
      runId: "r",
      port: p.port,
      agents: [agent(0), agent(1)],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 100,
    });
    let calls = 0;
    const port: SessionPort = {
      name: "p",
      run: async () => {
        calls++;
        return { text: '{"n": 9}' };
      },
    };
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent(0), agent(1), agent(2)],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 100,
      reuse: new Map([
        [0, first.agents[0]!],
        [1, first.agents[1]!],
      ]),
    });
    expect(calls).toBe(1);
    expect(run.agents.map((a) => a.output)).toEqual([{ n: 0 }, { n: 1 }, { n: 9 }]);
  });

  it("caps total attempts and says so", async () => {
    const port: SessionPort = { name: "p", run: async () => ({ text: "nope" }) };
    const run = await runAgents({
      runId: "r",
      port,
      agents: [agent(0), agent(1), agent(2)],
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 100,
      maxAttempts: 3,
    });
    expect(run.attempts).toBe(3);
    expect(run.agents.map((a) => a.outcome)).toEqual(["invalid", "invalid", "skipped"]);
    expect(run.agents[2]!.reason).toMatch(/attempt cap of 3/);
  });
});

describe("runAgents: resume", () => {
  const reused = (index: number, tokens: number) => ({
    index,
    id: `a${index}`,
    type: "t",
    label: `a${index}`,
    outcome: "ok" as const,
    output: { n: index },
    text: "{}",
    model: null,
    attempts: [],
    startedAt: 0,
    endedAt: 1,
    durationMs: 1,
    usage: { inputTokens: tokens, outputTokens: 0, totalTokens: tokens },
  });

  it("counts the usage of reused results in the run's usage and against its token budget", async () => {
    const p = countingPort(4);
    const run = await runAgents({
      runId: "r",
      port: p.port,
      agents: [agent(0), agent(1)],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 1000,
      reuse: new Map([[0, reused(0, 70)]]),
    });
    expect(run.usage?.totalTokens).toBe(70); // the countingPort reports no usage of its own
    const spent = await runAgents({
      runId: "r",
      port: p.port,
      agents: [agent(0), agent(1)],
      maxConcurrent: 2,
      retries: 0,
      maxOutputBytes: 1000,
      budgetTokens: 50,
      reuse: new Map([[0, reused(0, 70)]]),
    });
    expect(spent.agents.map((a) => a.outcome)).toEqual(["ok", "skipped"]);
    expect(spent.agents[1]!.reason).toMatch(/token budget of 50 was used up/);
  });
});

describe("runAgents: cost budget", () => {
  it("stops starting attempts once the reported cost reaches budgetCostUsd; agents not started end skipped", async () => {
    const started: number[] = [];
    const pricedPort: SessionPort = {
      name: "priced",
      async run(request) {
        started.push(Number(/\d+/.exec(request.message)?.[0]));
        return {
          text: JSON.stringify({ n: 1 }),
          usage: { inputTokens: 100, outputTokens: 50, totalTokens: 150, costUsd: 0.02 },
        };
      },
    };
    const run = await runAgents({
      runId: "r",
      port: pricedPort,
      agents: [agent(0), agent(1), agent(2), agent(3)],
      maxConcurrent: 1,
      retries: 0,
      maxOutputBytes: 1000,
      budgetCostUsd: 0.03,
    });
    expect(run.agents.map((a) => a.outcome)).toEqual(["ok", "ok", "skipped", "skipped"]);
    expect(started).toHaveLength(2);
    expect(run.usage?.costUsd).toBeCloseTo(0.04);
    expect(run.agents[2]!.reason).toMatch(/cost budget of \$0.03 was used up \(\$0.0400 reported\)/);
    expect(run.stopKind).toBe("budget");
  });
});

describe("runAgents: stopped between attempts", () => {
  const failingOnce = (): SessionPort => {
    let calls = 0;
    return {
      name: "failing-once",
      async run() {
        if (++calls === 1) throw new SessionError("transient", "HTTP 503");
        return { text: JSON.stringify({ n: 1 }) };
      },
    };
  };

  it("an agent cancelled while it waits to retry ends cancelled (so resume runs it again), not failed", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const run = await runAgents({
      runId: "r",
      port: failingOnce(),
      agents: [agent(0)],
      maxConcurrent: 1,
      retries: 1,
      maxOutputBytes: 1000,
      backoff: { baseMs: 5000, maxMs: 5000 },
      signal: controller.signal,
    });
    expect(run.agents[0]!.outcome).toBe("cancelled");
    expect(run.agents[0]!.attempts.map((a) => a.outcome)).toEqual(["transient"]);
  });

  it("an agent whose run deadline passes while it waits to retry ends timeout", async () => {
    const run = await runAgents({
      runId: "r",
      port: failingOnce(),
      agents: [agent(0)],
      maxConcurrent: 1,
      retries: 1,
      maxOutputBytes: 1000,
      backoff: { baseMs: 5000, maxMs: 5000 },
      deadlineMs: 100,
    });
    expect(run.agents[0]!.outcome).toBe("timeout");
  });
});

describe("runAgents: a resumed run keeps its wait policy", () => {
  it("stops at once when the reused results already meet wait.first, starting nothing", async () => {
    const p = countingPort(4);
    const ok = (index: number) => ({
      index,
      id: `a${index}`,
      type: "t",
      label: `a${index}`,
      outcome: "ok" as const,
      output: { n: index },
      text: "{}",
      model: null,
      attempts: [],
      startedAt: 0,
      endedAt: 1,
      durationMs: 1,
    });
    const run = await runAgents({
      runId: "r",
      port: p.port,
      agents: [0, 1, 2, 3].map((i) => agent(i)),
      maxConcurrent: 4,
      retries: 0,
      maxOutputBytes: 1000,
      wait: { first: 2 },
      reuse: new Map([
        [0, ok(0)],
        [1, ok(1)],
      ]),
    });
    expect(p.peak()).toBe(0);
    expect(run.stopKind).toBe("first");
    expect(run.agents.map((a) => a.outcome)).toEqual(["ok", "ok", "skipped", "skipped"]);
  });
});
