import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { latestUnfinishedRun, openJournal, readJournal } from "../../src/journal/run-journal.js";
import { tempDir } from "../helpers/registry.js";

describe("batch runs in the journal", () => {
  it("joins each batch's intent, its id and its last state; an intent without an id is still submitting", async () => {
    const dir = await tempDir("pa-batch-journal-");
    const journal = openJournal(dir, "pr-batch");
    journal.append({ t: "run-start", runId: "pr-batch", tool: "parallel_run", params: {}, at: 1 });
    journal.append({ t: "batch-mode", provider: "openai", repairLive: true, at: 2 });
    journal.append({ t: "batch-intent", key: "k1", provider: "openai", customIds: ["pa-a", "pa-b"], at: 3 });
    journal.append({ t: "batch", key: "k1", provider: "openai", batchId: "batch_1", status: "validating", at: 4 });
    journal.append({
      t: "batch-status",
      batchId: "batch_1",
      status: "in_progress",
      counts: { completed: 1, failed: 0, total: 2 },
      at: 5,
    });
    journal.append({ t: "batch-intent", key: "k2", provider: "openai", customIds: ["pa-c"], at: 6 });
    journal.close();
    const run = readJournal(`${dir}/pr-batch.jsonl`);
    expect(run.batchMode).toEqual({ provider: "openai", repairLive: true });
    expect(run.batches).toEqual([
      {
        key: "k1",
        provider: "openai",
        batchId: "batch_1",
        customIds: ["pa-a", "pa-b"],
        submittedAt: 3,
        status: "in_progress",
        counts: { completed: 1, failed: 0, total: 2 },
      },
      { key: "k2", provider: "openai", customIds: ["pa-c"], submittedAt: 6, status: "submitting" },
    ]);
  });

  it("keeps the model and endpoint of the batches, each request's agent attempt, and a refused create as not created", async () => {
    const dir = await tempDir("pa-batch-journal-");
    const journal = openJournal(dir, "pr-batch");
    journal.append({ t: "run-start", runId: "pr-batch", tool: "parallel_run", params: {}, at: 1 });
    journal.append({ t: "batch-mode", provider: "openai", model: "m1", baseUrl: "https://api.example.com/v1", at: 2 });
    const slots = ["agent 0 attempt 1", null];
    journal.append({ t: "batch-intent", key: "k1", provider: "openai", customIds: ["pa-a", "pa-b"], slots, at: 3 });
    journal.append({ t: "batch-refused", key: "k1", reason: "HTTP 400: too many", at: 4 });
    journal.close();
    const run = readJournal(`${dir}/pr-batch.jsonl`);
    expect(run.batchMode).toEqual({
      provider: "openai",
      repairLive: false,
      model: "m1",
      baseUrl: "https://api.example.com/v1",
    });
    expect(run.batches).toEqual([
      {
        key: "k1",
        provider: "openai",
        customIds: ["pa-a", "pa-b"],
        slots,
        submittedAt: 3,
        status: "not created",
        reason: "HTTP 400: too many",
      },
    ]);
  });

  it('a batch run is never what `resume: "latest"` picks: `wait` finishes it, not a live tool call', async () => {
    const dir = await tempDir("pa-batch-journal-");
    for (const [runId, at, batch] of [
      ["pr-live", 1, false],
      ["pr-batch", 2, true],
    ] as const) {
      const journal = openJournal(dir, runId);
      journal.append({ t: "run-start", runId, tool: "parallel_run", params: {}, at });
      if (batch) journal.append({ t: "batch-mode", provider: "openai", at });
      journal.append({ t: "run-end", counts: {}, stopKind: "cancelled", at });
      journal.close();
    }
    fs.utimesSync(path.join(dir, "pr-batch.jsonl"), new Date(), new Date(Date.now() + 60_000)); // the newer one
    expect(latestUnfinishedRun(dir, "parallel_run")?.runId).toBe("pr-live");
  });
});
