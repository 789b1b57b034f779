import { describe, expect, it } from "vitest";
import { createBatchPort } from "../../src/batch/batch-port.js";
import { createCustomIds } from "../../src/batch/custom-id.js";
import { SessionError, type SessionRequest } from "../../src/engine/port.js";
import type { JournalEvent } from "../../src/journal/run-journal.js";
import { fakeBatchProvider } from "../helpers/fake-batch-provider.js";

const FAST = { initialMs: 1, maxMs: 2 };

function request(index: number, extra: Partial<SessionRequest> = {}): SessionRequest {
  return {
    system: "You summarise.",
    message: `task ${index}`,
    label: `agent ${index}`,
    attemptKey: `pr-run-abc123-${index}-1`,
    timeoutMs: 1000,
    signal: new AbortController().signal,
    maxOutputBytes: 1024,
    ...extra,
  };
}

describe("custom ids", () => {
  it("are the same in every process for the same agent, attempt, model and prompt, and differ otherwise", () => {
    const a = createCustomIds("pr-1");
    const b = createCustomIds("pr-1");
    const first = a(request(3), "m");
    expect(b(request(3, { attemptKey: "pr-1-ffffff-3-1" }), "m")).toBe(first); // another process's key prefix
    expect(first).toMatch(/^pa-[0-9a-f]{32}$/);
    const others = [
      b(request(3, { attemptKey: "pr-1-ffffff-3-2" }), "m"), // its second attempt
      b(request(4), "m"),
      b(request(3), "m2"),
      b(request(3, { message: "changed" }), "m"),
      createCustomIds("pr-2")(request(3), "m"),
    ];
    expect(new Set([first, ...others]).size).toBe(6);
  });
});

describe("the batch port", () => {
  it("sends what arrives together as one batch, split at the byte limit, journaling each before and after creation", async () => {
    const fake = fakeBatchProvider({ answer: (r) => ({ text: `answer to ${r.message}` }), limits: { maxBytes: 250 } });
    const journal: JournalEvent[] = [];
    const port = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      journal: { append: (e) => journal.push(e) },
      poll: FAST,
      flushMs: 5,
    });
    const answers = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => port.run(request(i))));
    expect(answers.map((a) => a.text)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `answer to task ${i}`));
    expect(fake.submitted.map((b) => b.requests.length)).toEqual([2, 2, 2]); // 108 bytes a line, 250 a batch
    expect(journal.map((e) => e.t).slice(0, 2)).toEqual(["batch-intent", "batch-intent"]);
    for (const batch of fake.submitted) {
      const intent = journal.findIndex((e) => e.t === "batch-intent" && e.key === batch.key);
      const created = journal.findIndex((e) => e.t === "batch" && e.batchId === batch.batchId);
      expect(intent).toBeGreaterThanOrEqual(0);
      expect(created).toBeGreaterThan(intent);
    }
    expect(port.unsubmitted()).toBe(0);
  });

  it("attaches a request whose id is in a journaled batch to it: nothing submitted, a missing result is an error", async () => {
    const fake = fakeBatchProvider({ answer: (r) => (r.message === "task 1" ? "missing" : { text: "again" }) });
    const ids = createCustomIds("pr-1");
    const known = [0, 1].map((i) => ids(request(i), "m"));
    // the batch an earlier process submitted: the fake serves it as its first submission
    fake.submitted.push({
      batchId: "batch_old",
      key: "k",
      requests: known.map((customId, i) => ({ customId, model: "m", system: "You summarise.", message: `task ${i}` })),
    });
    const port = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      known: [
        { key: "k", provider: "openai", batchId: "batch_old", customIds: known, submittedAt: 0, status: "in_progress" },
      ],
      poll: FAST,
    });
    const [found, missing] = await Promise.allSettled([port.run(request(0)), port.run(request(1))]);
    expect(found).toMatchObject({ status: "fulfilled", value: { text: "again" } });
    expect(missing).toMatchObject({
      status: "rejected",
      reason: { kind: "fatal", message: "batch batch_old ended completed without a result for this request" },
    });
    expect(fake.submitted).toHaveLength(1); // only the one it already had
  });

  it("a request aborted before the flush never goes out; one aborted while its batch runs stops the poll", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "x" }), pollsToEnd: 1_000_000 });
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", poll: FAST, flushMs: 5 });
    const early = new AbortController();
    const late = new AbortController();
    const dropped = port.run(request(0, { signal: early.signal }));
    const waiting = port.run(request(1, { signal: late.signal }));
    early.abort();
    await expect(dropped).rejects.toMatchObject({ kind: "aborted" });
    while (fake.submitted.length === 0 || (fake.polls.get("batch_1") ?? 0) < 3)
      await new Promise((r) => setTimeout(r, 2));
    expect(fake.submitted[0]!.requests.map((r) => r.message)).toEqual(["task 1"]);
    late.abort();
    await expect(waiting).rejects.toBeInstanceOf(SessionError);
    const polled = fake.polls.get("batch_1");
    await new Promise((r) => setTimeout(r, 30));
    expect(fake.polls.get("batch_1")).toBe(polled); // nobody waits: no more polls
    port.close();
  });

  it("polls that keep failing let the requests go as aborted (re-attachable), not failed", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "x" }), failingPolls: 5 });
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", poll: FAST, flushMs: 1 });
    await expect(port.run(request(0))).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringMatching(/^network error: ECONNRESET; batch batch_1 goes on at the provider/),
    });
    port.close();
  });

  it("an expired batch ends the requests it never ran with the provider's reason", async () => {
    const fake = fakeBatchProvider({
      answer: (r) => (r.message === "task 0" ? { text: "done in time" } : "missing"),
      endStatus: "expired",
    });
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", poll: FAST, flushMs: 1 });
    const [ran, expired] = await Promise.allSettled([port.run(request(0)), port.run(request(1))]);
    expect(ran).toMatchObject({ status: "fulfilled", value: { text: "done in time" } });
    expect(expired).toMatchObject({
      status: "rejected",
      reason: { kind: "fatal", message: "batch batch_1 expired before this request ran" },
    });
  });
});
