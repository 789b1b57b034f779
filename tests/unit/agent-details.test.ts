import { describe, expect, it } from "vitest";
import type { AgentResult, Outcome } from "../../src/engine/outcome.js";
import type { RunResult } from "../../src/engine/run-types.js";
import { agentDetails } from "../../src/runs/agent-details.js";
import { OrchestrateResultSchema } from "../../src/tools/orchestrate/result-schema.js";
import {
  SUMMARY_CHAR_BUDGET,
  allotChars,
  runDetails,
  summarizeRun,
} from "../../src/tools/parallel-run/format-result.js";
import { ParallelRunResultSchema } from "../../src/tools/parallel-run/result-schema.js";
import { getValidator } from "../../src/validation/json-validator.js";

const CAPTION = "Mondays: the only day my coffee needs a coffee.";
const RAW_JSON = `Here it is:\n\`\`\`json\n{"caption": "${CAPTION}", "hashtags": ["#mondays"]}\n\`\`\``;

function agent(index: number, outcome: Outcome, fields: Partial<AgentResult> = {}): AgentResult {
  return {
    index,
    id: `agent-${index + 1}`,
    type: "content_writer_funny",
    label: "content_writer_funny",
    outcome,
    output: null,
    text: null,
    model: null,
    attempts: [{ attempt: 1, model: null, kind: "first", outcome: "ok", startedAt: 1000, durationMs: 1200 }],
    startedAt: 1000,
    endedAt: 2200,
    durationMs: 1200,
    ...fields,
  };
}

const okJson = agent(0, "ok", {
  output: { caption: CAPTION, hashtags: ["#mondays"] },
  text: RAW_JSON,
  model: "scripted/model-a",
  usage: { inputTokens: 900, outputTokens: 40, totalTokens: 940 },
  runtime: "openclaw-completion",
});
const invalid = agent(1, "invalid", {
  text: "Sorry, I can only answer in prose: Mondays are hard.",
  reason: "output is not JSON: no JSON value found",
  attempts: [
    { attempt: 1, model: null, kind: "first", outcome: "invalid", startedAt: 1000, durationMs: 500, error: "not JSON" },
    {
      attempt: 2,
      model: null,
      kind: "repair",
      outcome: "invalid",
      startedAt: 1500,
      durationMs: 700,
      error: "not JSON",
    },
  ],
});
const skipped = agent(2, "skipped", {
  attempts: [],
  startedAt: null,
  endedAt: null,
  durationMs: 0,
  reason: "the token budget was spent",
});
const okText = agent(3, "ok", {
  type: "general",
  label: "general",
  output: "## Answer\n\nDone.",
  text: "  ## Answer\n\nDone.\n",
});

function run(agents: AgentResult[]): RunResult {
  const counts = { ok: 0, invalid: 0, failed: 0, timeout: 0, cancelled: 0, skipped: 0 };
  for (const a of agents) counts[a.outcome]++;
  return { runId: "pr-test", agents, counts, attempts: 4, startedAt: 1000, endedAt: 2200, durationMs: 1200 };
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

describe("an agent's details", () => {
  it("carry an ok json agent's answer once, in output, without a copy of the raw text", () => {
    const d = agentDetails(okJson);
    expect(d.output).toEqual({ caption: CAPTION, hashtags: ["#mondays"] });
    expect(d).not.toHaveProperty("text");
    expect(occurrences(JSON.stringify(d), CAPTION)).toBe(1);
  });

  it("carry an ok text agent's answer once, in output (the raw text differs only by surrounding space)", () => {
    const d = agentDetails(okText);
    expect(d.output).toBe("## Answer\n\nDone.");
    expect(d).not.toHaveProperty("text");
  });

  it("keep the raw text of an agent that did not end ok, with no output and the reason", () => {
    const d = agentDetails(invalid);
    expect(d.text).toBe(invalid.text);
    expect(d).not.toHaveProperty("output");
    expect(d.reason).toBe(invalid.reason);
    expect(d.attempts.map((a) => a.error)).toEqual(["not JSON", "not JSON"]);
  });

  it("have no empty fields: no null model, times or text, no empty usage", () => {
    const d = agentDetails(skipped);
    expect(Object.keys(d).sort()).toEqual(["attempts", "durationMs", "id", "label", "outcome", "reason", "type"]);
    expect(agentDetails(invalid).attempts[0]).toEqual({
      kind: "first",
      outcome: "invalid",
      durationMs: 500,
      error: "not JSON",
    });
    expect(JSON.stringify(runDetails(run([okJson, invalid, skipped, okText])).agents)).not.toContain("null");
  });

  it("keep what programs need: model, times, usage and runtime when known", () => {
    expect(agentDetails(okJson)).toMatchObject({
      model: "scripted/model-a",
      startedAt: 1000,
      endedAt: 2200,
      usage: { totalTokens: 940 },
      runtime: "openclaw-completion",
      attempts: [{ kind: "first", outcome: "ok", durationMs: 1200 }],
    });
  });

  it("validate against parallel_run's and orchestrate's result schemas", () => {
    const agents = [okJson, invalid, skipped, okText];
    expect(getValidator(ParallelRunResultSchema)(runDetails(run(agents)))).toMatchObject({ valid: true });
    const tasks = agents.map((a, i) => ({
      ...agentDetails(a),
      dependsOn: i === 0 ? [] : ["agent-1"],
      wave: a.outcome === "skipped" ? null : i === 0 ? 1 : 2,
    }));
    const details = {
      runId: "or-test",
      dryRun: false,
      plan: { tasks: agents.map((a) => ({ id: a.id, type: a.type, task: "t", dependsOn: [] })) },
      waves: [["agent-1"], ["agent-2", "agent-3", "agent-4"]],
      tasks,
      counts: run(agents).counts,
      synthesis: agentDetails({ ...okText, id: "synthesis", type: "synthesizer", label: "synthesizer" }),
      plannerAttempts: 1,
    };
    expect(getValidator(OrchestrateResultSchema)(details)).toMatchObject({ valid: true });
  });
});

describe("the text the host model reads", () => {
  it("shows each ok output once and an unchecked answer as such", () => {
    const text = summarizeRun(run([okJson, invalid, skipped, okText]));
    expect(occurrences(text, CAPTION)).toBe(1);
    expect(text).toContain(`last answer (unchecked): ${invalid.text}`);
    expect(text).toContain("reason: the token budget was spent");
  });

  it("shows every output in full when they fit the budget together, however unevenly they are spread", () => {
    const sizes = [1000, 5000, 2000, 4800, 3000];
    const agents = sizes.map((n, i) => agent(i, "ok", { type: "general", label: "general", output: `${i}`.repeat(n) }));
    const text = summarizeRun(run(agents));
    for (const a of agents) expect(text).toContain(a.output as string);
    expect(text).not.toContain("more characters");
  });

  it("cuts outputs over the budget evenly and says where each whole output is", () => {
    const agents = Array.from({ length: 20 }, (_, i) =>
      agent(i, "ok", { type: "general", label: "general", output: "x".repeat(3000) }),
    );
    const text = summarizeRun(run(agents));
    expect(text.length).toBeLessThan(SUMMARY_CHAR_BUDGET + 20 * 120);
    expect(text).toContain("x".repeat(1200));
    expect(text).toContain("... [1800 more characters in details.agents[19]]");
  });
});

describe("allotChars", () => {
  it.each([
    [[100, 200, 300], 24_000],
    [[5000, 5000, 5000, 5000, 5000], 24_000],
    [Array.from({ length: 20 }, (_, i) => 1000 + i * 200), 24_000],
    [Array.from({ length: 60 }, () => 3000), 24_000],
    [[0, 10, 100_000], 1000],
  ])(
    "gives each text at most its length, at least its length or 600, and no more than the budget in total (%j)",
    (lengths, budget) => {
      const allowed = allotChars(lengths, budget);
      allowed.forEach((a, i) => {
        expect(a).toBeLessThanOrEqual(lengths[i]!);
        expect(a).toBeGreaterThanOrEqual(Math.min(lengths[i]!, 600));
      });
      const total = allowed.reduce((s, a) => s + a, 0);
      expect(total).toBeLessThanOrEqual(Math.max(budget, lengths.length * 600));
      // nothing is wasted: a budget not spent means every text is shown whole
      if (total < budget) expect(allowed).toEqual(lengths);
    },
  );
});
