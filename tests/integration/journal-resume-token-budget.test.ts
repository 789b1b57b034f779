import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { journalFile, readJournal } from "../../src/journal/run-journal.js";
import { byMarker, startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";

// the key the harness's HTTP port sends
const API_KEY = "sk-test-harness";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

describe("resuming a parallel_run with a token budget", () => {
  it("is not refused, keeps usage and outputs byte for byte, and keeps only the API key out of the journal", async () => {
    let hang = true;
    h = await startHarness(
      byMarker({
        // echoes its task, which carries the API key: the journal keeps the key out, and nothing else
        a: (r) => ({
          json: { summary: r.user, tokenCount: 1234, password_hint: "the first pet", secret: "the cake is a lie" },
          usage: { prompt: 100, completion: 50 },
        }),
        b: () => ({ json: { summary: "b done", tokens: { used: 7 } }, usage: { prompt: 200, completion: 20 } }),
        c: () => (hang ? { hang: true } : { json: { summary: "c done" }, usage: { prompt: 10, completion: 5 } }),
      }),
    );
    const journalDir = await tempDir("pa-journal-");
    const params = {
      agents: [
        { type: "echo_agent", task: `[case:a] call the endpoint with ${API_KEY}` },
        { type: "echo_agent", task: "[case:b] count" },
        { type: "echo_agent", task: "[case:c] slow" },
      ],
      maxConcurrent: 3,
      budget: { tokens: 5000 },
    };
    const controller = new AbortController();
    let ended = 0;
    const first = h.run(params, {
      journalDir,
      journalSecrets: [API_KEY],
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === "agent-ended") ended++;
      },
    });
    await vi.waitFor(() => expect(ended === 2 && h!.server.inFlight() === 1).toBe(true), { timeout: 10_000 });
    controller.abort(); // a and b have ended, c is still running
    const cut = await first;
    expect(cut.details.agents.map((a) => a.outcome)).toEqual(["ok", "ok", "cancelled"]);
    const text = fs.readFileSync(journalFile(journalDir, cut.run.runId), "utf8");
    expect(text).not.toContain(API_KEY);
    expect(text).toContain('"budget":{"tokens":5000}');

    const before = h.server.log.length;
    hang = false;
    const resumed = await h.run({ resume: cut.run.runId }, { journalDir, journalSecrets: [API_KEY] });
    expect(resumed.details.agents.map((a) => a.outcome)).toEqual(["ok", "ok", "ok"]);
    expect(h.server.log.slice(before).map((e) => e.user.slice(0, 8))).toEqual(["[case:c]"]);
    expect(resumed.prepared.budgetTokens).toBe(5000);
    // usage of the first part survives, and outputs reach the result as the model gave them (but for the key)
    expect(resumed.details.agents.map((a) => a.usage)).toEqual([
      { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
      { inputTokens: 200, outputTokens: 20, totalTokens: 220 },
      { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
    ]);
    const [a, b] = cut.details.agents;
    expect(resumed.details.agents[0]!.output).toEqual({
      ...(a!.output as object),
      summary: (a!.output as { summary: string }).summary.replace(API_KEY, "[redacted]"),
    });
    expect(resumed.details.agents[1]!.output).toEqual(b!.output);
    expect(readJournal(journalFile(journalDir, cut.run.runId)).ended).toBe(true);
  });
});
