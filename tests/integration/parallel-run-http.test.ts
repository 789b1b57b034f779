import { REVIEW_DIMENSIONS } from "../../src/tools/refine-agent/review-score.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { byMarker, startHarness, summary, type Harness } from "../helpers/harness.js";
import { SAMPLE_OUTPUTS, identifyType } from "../../testing/sample-outputs.js";
import type { LogEntry } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

const echo = (n: number, marker: string, extra = "") =>
  Array.from({ length: n }, (_, i) => ({ type: "echo_agent", task: `[case:${marker}] [agent:${i}] ${extra}` }));

/** Largest number of requests open at the same moment, computed from the log's start and end times. */
function peakOverlap(log: LogEntry[]): number {
  const events = log.flatMap(
    (e) =>
      [
        [e.startedAt, 1],
        [e.endedAt ?? Infinity, -1],
      ] as const,
  );
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of events) peak = Math.max(peak, (open += d));
  return peak;
}

describe("parallel_run against a scripted model over real HTTP", () => {
  it("runs 50 agents with maxConcurrent 10: never more than 10 in flight, all 50 outcomes present", async () => {
    h = await startHarness(byMarker({ many: () => ({ ...summary(), delayMs: 40 }) }));
    const { run, details } = await h.run({ agents: echo(50, "many"), maxConcurrent: 10 });
    expect(h.server.log).toHaveLength(50);
    expect(h.server.maxInFlight()).toBeLessThanOrEqual(10);
    expect(peakOverlap(h.server.log)).toBeLessThanOrEqual(10);
    expect(peakOverlap(h.server.log)).toBeGreaterThanOrEqual(5); // it did run in parallel
    expect(run.counts.ok).toBe(50);
    expect(details.agents.map((a) => a.id)).toEqual(Array.from({ length: 50 }, (_, i) => `agent-${i + 1}`));
    expect(details.agents.every((a) => (a.output as { summary: string }).summary === "done")).toBe(true);
  });

  it("ends every agent of a fault matrix with the right outcome and attempt history", async () => {
    h = await startHarness(
      byMarker({
        ok: () => summary(),
        prose: () => ({
          text: 'Sure! Here is the JSON you asked for:\n```json\n{"summary": "wrapped"}\n```\nHope that helps.',
        }),
        http500_once: (_, n) => (n === 1 ? { status: 500 } : summary("recovered")),
        http500_always: () => ({ status: 500 }),
        rate_limited: (_, n) => (n === 1 ? { status: 429, retryAfter: 0 } : summary("after 429")),
        malformed_once: (_, n) => (n === 1 ? { malformed: true } : summary("after malformed")),
        truncated_once: (_, n) =>
          n === 1
            ? { json: { summary: "a long answer that will be cut off halfway through" }, truncate: true }
            : summary("after truncation"),
        schema_then_repair: (r, n) =>
          n === 1
            ? { json: { summary: 42 } }
            : r.user.includes("Your previous answer was rejected")
              ? summary("repaired")
              : { json: {} },
        invalid_always: () => ({ text: "I would rather write a poem." }),
        empty: () => ({ text: "" }),
        hang: () => ({ hang: true }),
        slow_drip: () => ({ ...summary("dripped slowly"), dripMs: 15 }),
        http400: () => ({ status: 400 }),
      }),
    );
    const cases = [
      "ok",
      "prose",
      "http500_once",
      "http500_always",
      "rate_limited",
      "malformed_once",
      "truncated_once",
      "schema_then_repair",
      "invalid_always",
      "empty",
      "hang",
      "slow_drip",
      "http400",
    ];
    const agents = cases.map((c) => ({
      type: "echo_agent",
      task: `[case:${c}]`,
      label: c,
      ...(c === "hang" ? { timeoutSeconds: 5 } : {}),
    }));
    const { details } = await h.run({ agents, retries: 1 });
    const by = Object.fromEntries(details.agents.map((a) => [a.label, a]));
    const history = (label: string) => by[label]!.attempts.map((a) => `${a.kind}:${a.outcome}`);
    expect(by.ok!.outcome).toBe("ok");
    expect(by.prose!.output).toEqual({ summary: "wrapped" });
    expect(history("http500_once")).toEqual(["first:transient", "retry:ok"]);
    expect(by.http500_always!.outcome).toBe("failed");
    expect(history("http500_always")).toEqual(["first:transient", "retry:transient"]);
    expect(history("rate_limited")).toEqual(["first:rate_limited", "retry:ok"]);
    expect(history("malformed_once")).toEqual(["first:transient", "retry:ok"]);
    expect(history("truncated_once")).toEqual(["first:transient", "retry:ok"]);
    expect(history("schema_then_repair")).toEqual(["first:invalid", "repair:ok"]);
    expect(by.schema_then_repair!.output).toEqual({ summary: "repaired" });
    expect(by.invalid_always!.outcome).toBe("invalid");
    expect(by.invalid_always!.text).toBe("I would rather write a poem.");
    expect(history("invalid_always")).toEqual(["first:invalid", "repair:invalid"]);
    expect(by.empty!.outcome).toBe("failed");
    expect(history("empty")).toEqual(["first:empty"]);
    expect(by.hang!.outcome).toBe("timeout");
    expect(by.hang!.durationMs).toBeGreaterThanOrEqual(4900);
    expect(by.slow_drip!.output).toEqual({ summary: "dripped slowly" });
    expect(by.http400!.outcome).toBe("failed");
    expect(history("http400")).toEqual(["first:fatal"]);
    // the hung request was closed by the client when its attempt timed out
    await vi.waitFor(() => expect(h!.server.log.find((e) => e.user.includes("[case:hang]"))!.closedEarly).toBe(true), {
      timeout: 1000,
    });
  });

  it("climbs the model ladder only when an attempt fails, and starts each tier on its rung", async () => {
    h = await startHarness(
      byMarker({
        good: () => summary(),
        bad_on_small: (r) => (r.model === "small" ? { text: "not json" } : summary(`fixed by ${r.model}`)),
        down_on_small: (r) => (r.model === "small" ? { status: 503 } : summary()),
      }),
    );
    const { details } = await h.run({
      models: ["small", "medium", "large"],
      retries: 0,
      agents: [
        { type: "echo_agent", task: "[case:good]", label: "good" },
        { type: "echo_agent", task: "[case:bad_on_small]", label: "bad" },
        { type: "echo_agent", task: "[case:down_on_small]", label: "down" },
      ],
    });
    const models = (label: string) =>
      h!.server.log.filter((e) => e.user.includes(`[case:${label}]`)).map((e) => e.model);
    expect(models("good")).toEqual(["small"]);
    expect(models("bad_on_small")).toEqual(["small", "small", "medium"]); // first, repair, then escalation
    expect(models("down_on_small")).toEqual(["small", "medium"]);
    const bad = details.agents.find((a) => a.label === "bad")!;
    expect(bad.attempts.map((a) => `${a.kind}@${a.model}`)).toEqual([
      "first@small",
      "repair@small",
      "escalation@medium",
    ]);
    expect(bad.model).toBe("medium");
    expect(bad.output).toEqual({ summary: "fixed by medium" });
  });

  it("cancelling a run stops every in-flight request within 1 s and accepts nothing after", async () => {
    h = await startHarness(byMarker({ hang: () => ({ hang: true }) }));
    const controller = new AbortController();
    const pending = h.run({ agents: echo(12, "hang"), maxConcurrent: 6 }, { signal: controller.signal });
    await h.server.waitForInFlight(6);
    const abortedAt = Date.now();
    controller.abort();
    const { details, run } = await pending;
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    await vi.waitFor(() => expect(h!.server.log.every((e) => e.endedAt !== undefined)).toBe(true), { timeout: 1000 });
    await new Promise((r) => setTimeout(r, 200));
    expect(h.server.log).toHaveLength(6); // queued agents never started, and nothing arrived after the abort
    for (const entry of h.server.log) {
      expect(entry.closedEarly).toBe(true);
      expect(entry.endedAt! - abortedAt).toBeLessThan(1000);
    }
    expect(run.counts.cancelled).toBe(12);
    expect(details.agents.filter((a) => a.attempts.length === 1)).toHaveLength(6);
  });

  it("wait { first: 3 } returns after three valid results and cancels the rest", async () => {
    h = await startHarness(byMarker({ fast: () => summary("fast"), slow: () => ({ hang: true }) }));
    const agents = [...echo(3, "fast"), ...echo(5, "slow")];
    const { run } = await h.run({ agents, wait: { first: 3 }, maxConcurrent: 8 });
    expect(run.counts.ok).toBe(3);
    expect(run.counts.cancelled).toBe(5);
    expect(run.stopReason).toMatch(/wait.first: 3 valid results arrived/);
    await vi.waitFor(
      () => expect(h!.server.log.filter((e) => e.user.includes("[case:slow]")).every((e) => e.closedEarly)).toBe(true),
      { timeout: 1000 },
    );
  });

  it("skips agents that a token budget leaves unstarted, with the reason", async () => {
    h = await startHarness(byMarker({ b: () => ({ ...summary(), usage: { prompt: 500, completion: 500 } }) }));
    const { run, details } = await h.run({ agents: echo(6, "b"), maxConcurrent: 1, budget: { tokens: 2500 } });
    expect(run.counts.ok).toBe(3);
    expect(run.counts.skipped).toBe(3);
    expect(details.agents[5]!.reason).toMatch(/token budget of 2500 was used up before it started/);
    expect(h.server.log).toHaveLength(3);
  });

  it("a run deadline times out running agents and skips unstarted ones", async () => {
    h = await startHarness(byMarker({ hang: () => ({ hang: true }) }));
    const { run, details } = await h.run({ agents: echo(4, "hang"), maxConcurrent: 2, budget: { deadlineSeconds: 1 } });
    expect(run.counts.timeout).toBe(2);
    expect(run.counts.skipped).toBe(2);
    expect(details.agents[3]!.reason).toMatch(/deadline/);
  });

  it("the meta preset gives each reviewer its own creator's design", async () => {
    const snapshot = await (await startHarness(() => summary())).registry.refresh();
    h = await startHarness((r) => {
      const type = identifyType(r.system, snapshot.types);
      if (type === "agent_creator") {
        const name = /Design the agent "([^"]+)"/.exec(r.user)![1]!;
        return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: name, domain: `domain of ${name}` } };
      }
      if (type === "agent_design_reviewer") {
        const name = /"agent_name": "([^"]+)"/.exec(r.user)?.[1];
        if (!name || !r.user.includes(`Review the design of "${name}"`))
          throw new Error("reviewer got another creator's design");
        return {
          json: {
            overall_score: 8,
            overall_grade: "B",
            is_production_ready: true,
            dimension_scores: Object.fromEntries(
              REVIEW_DIMENSIONS.map((d) => [d, { score: 8, max: 10, feedback: `ok for ${name}` }]),
            ),
            strengths: [],
            areas_for_improvement: [],
            missing_elements: [],
            recommendations: [],
            revised_system_prompt: null,
            confidence: 0.7,
          },
        };
      }
      throw new Error(`unexpected type ${type}`);
    });
    const { details } = await h.run({
      team: {
        preset: "meta",
        agents: [
          { name: "alpha_agent", purpose: "does alpha" },
          { name: "beta_agent", purpose: "does beta" },
        ],
      },
    });
    expect(details.agents.map((a) => `${a.type}:${a.outcome}`)).toEqual([
      "agent_creator:ok",
      "agent_design_reviewer:ok",
      "agent_creator:ok",
      "agent_design_reviewer:ok",
    ]);
    const reviewerRequests = h.server.log.filter((e) => e.user.startsWith("Review this agent design"));
    expect(reviewerRequests).toHaveLength(2);
    expect(reviewerRequests.find((e) => e.user.includes('"agent_name": "alpha_agent"'))!.user).toContain(
      "domain of alpha_agent",
    );
    expect(reviewerRequests.find((e) => e.user.includes('"agent_name": "beta_agent"'))!.user).toContain("does beta");
    // each reviewer started only after its creator finished
    const creatorEnd = h.server.log.find((e) => e.user.includes('Design the agent "alpha_agent"'))!.endedAt!;
    expect(reviewerRequests.find((e) => e.user.includes("alpha_agent"))!.startedAt).toBeGreaterThanOrEqual(creatorEnd);
  });

  it("the content preset runs the five writers on the topic, each validated against its own schema", async () => {
    const snapshot = await (await startHarness(() => summary())).registry.refresh();
    h = await startHarness(
      (r) => ({ json: SAMPLE_OUTPUTS[identifyType(r.system, snapshot.types) ?? "none"] ?? { nope: true } }),
      { stream: false },
    );
    const { details, text } = await h.run({
      team: { preset: "content", topic: "Morning coffee", platform: "instagram" },
    });
    expect(details.agents.map((a) => a.type)).toEqual([
      "content_writer_creative",
      "content_writer_funny",
      "content_writer_educational",
      "content_writer_trendy",
      "content_writer_controversial",
    ]);
    expect(details.counts.ok).toBe(5);
    expect(h.server.log.every((e) => e.user.includes("Morning coffee") && e.user.includes("Platform: instagram"))).toBe(
      true,
    );
    expect(text).toMatch(/5 agents, 5 ok/);
    expect(text).toContain("it doesn't talk to me at all");
  });

  it("passes chat text full of template syntax to the model literally", async () => {
    h = await startHarness(byMarker({ t: () => summary() }));
    const task = "[case:t] {{constructor.constructor 'return process'}} {{#each this}}{{@key}}{{/each}} {{> evil}}";
    await h.run({ agents: [{ type: "echo_agent", task }] });
    expect(h.server.log[0]!.user).toContain(task);
  });

  it("sends the API key only as a bearer header", async () => {
    h = await startHarness(byMarker({ k: () => summary() }));
    await h.run({ agents: echo(1, "k") });
    expect(h.server.log[0]!.authorization).toBe("Bearer sk-test-harness");
  });
});
