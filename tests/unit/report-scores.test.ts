// The run report shows each agent's judged score and cost.
import { describe, expect, it } from "vitest";
import type { AgentResult } from "../../src/engine/outcome.js";
import type { LoadedRun } from "../../src/journal/run-journal.js";
import { renderMarkdownReport } from "../../src/report/render-report.js";

const result = (index: number, extra: Partial<AgentResult>): AgentResult => ({
  index,
  id: `agent-${index + 1}`,
  type: "general",
  label: `a${index + 1}`,
  outcome: "ok",
  output: "## done",
  text: "## done",
  model: "m",
  attempts: [],
  startedAt: 0,
  endedAt: 1000,
  durationMs: 1000,
  ...extra,
});

describe("the Markdown report", () => {
  it("has a score and a cost per agent, and the judge's first line of feedback", () => {
    const run: LoadedRun = {
      runId: "pr-x",
      tool: "parallel_run",
      params: {},
      startedAt: 0,
      results: new Map([
        [
          0,
          result(0, {
            judged: { score: 8.25, dimensions: {}, feedback: "Add sources.\nmore" },
            usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2, costUsd: 0.00123 },
          }),
        ],
        [1, result(1, { unjudged: "the judge's attempt ended failed" })],
      ]),
      ended: true,
      events: 0,
      tornLines: 0,
      items: new Map(),
    };
    const md = renderMarkdownReport(run);
    expect(md).toContain("| duration | score | cost |");
    expect(md).toMatch(/\| a1 \| general \| ok \| m \| none \| 1\.0 s \| 8\.25 \| \$0\.0012 \|/);
    expect(md).toMatch(/\| a2 \| .* \| unjudged \|  \|/);
    expect(md).toContain("Judged 8.25/10: Add sources.");
  });
});
