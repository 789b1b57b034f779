import { describe, expect, it } from "vitest";
import { createBatchPort } from "../../src/batch/batch-port.js";
import { capMessage, joinMessages } from "../../src/batch/batch-provider.js";
import { createCustomIds } from "../../src/batch/custom-id.js";
import { readResultLine } from "../../src/batch/openai-batch-provider.js";
import { overLongError, readLines, type OverLongLine } from "../../src/batch/read-lines.js";
import { missingError } from "../../src/batch/watch-batch.js";
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

describe("nothing is submitted twice", () => {
  const journaled = (slots: string[], batchId?: string) => {
    const ids = createCustomIds("pr-1");
    const customIds = [0, 1].map((i) => ids(request(i), "m"));
    return {
      key: "k",
      provider: "openai",
      ...(batchId ? { batchId } : {}),
      customIds,
      slots,
      submittedAt: 0,
      status: batchId ? "in_progress" : "submitting",
    };
  };

  it("an agent attempt whose prompt changed since its journaled submission is refused, not sent again", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "fresh" }) });
    const known = [journaled(["agent 0 attempt 1", "agent 1 attempt 1"], "batch_old")];
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", known, poll: FAST });
    await expect(port.run(request(1, { message: "task 1, reworded" }))).rejects.toMatchObject({
      kind: "fatal",
      message: expect.stringMatching(
        /^agent 1 attempt 1: its prompt or model changed since submission .* in batch batch_old\); the submitted batch is kept: pass --resubmit/,
      ),
    });
    expect(fake.submitted).toHaveLength(0);
    const again = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      known,
      poll: FAST,
      flushMs: 1,
      resubmit: true,
    });
    await expect(again.run(request(1, { message: "task 1, reworded" }))).resolves.toMatchObject({ text: "fresh" });
    expect(fake.submitted).toHaveLength(1);
  });

  it("a create whose answer is lost while the lookup fails leaves the intent pending and the requests aborted", async () => {
    const journal: JournalEvent[] = [];
    const fake = fakeBatchProvider({
      answer: () => ({ text: "x" }),
      submitErrors: [new Error("socket hang up")],
      findByKey: async () => {
        throw new SessionError("transient", "network error: ECONNRESET");
      },
    });
    const port = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      journal: { append: (e) => journal.push(e) },
      poll: FAST,
      flushMs: 1,
    });
    await expect(port.run(request(0))).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringMatching(
        /socket hang up; looking up batch key pa-\w+: network error.*wait for the run again/,
      ),
    });
    expect(journal.map((e) => e.t)).toEqual(["batch-intent"]); // neither created nor refused: `wait` looks again
    expect(port.batches()[0]?.status).toBe("submitting");
    expect(fake.submitted).toHaveLength(0);
  });

  it("only a definite 4xx ends the requests as the provider's refusal, journaled; a 5xx on create lets them wait", async () => {
    const journal: JournalEvent[] = [];
    const fake = fakeBatchProvider({
      answer: () => ({ text: "x" }),
      submitErrors: [
        new SessionError("fatal", "creating the batch: HTTP 400: too many", { status: 400 }),
        new SessionError("transient", "creating the batch: HTTP 502: bad gateway", { status: 502 }),
      ],
      findByKey: async () => undefined,
    });
    const port = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      journal: { append: (e) => journal.push(e) },
      poll: FAST,
      flushMs: 1,
    });
    await expect(port.run(request(0))).rejects.toMatchObject({ kind: "fatal", message: /HTTP 400: too many/ });
    expect(journal.find((e) => e.t === "batch-refused")).toMatchObject({ reason: expect.stringMatching(/HTTP 400/) });
    await expect(port.run(request(1))).rejects.toMatchObject({ kind: "aborted", message: /HTTP 502: bad gateway/ });
    expect(journal.filter((e) => e.t === "batch-refused")).toHaveLength(1);
  });

  it("an intent without an id is never sent again where the provider cannot look batches up, unless asked", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "resent" }) });
    const known = [journaled(["agent 0 attempt 1", "agent 1 attempt 1"])];
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", known, poll: FAST });
    const results = await Promise.allSettled([port.run(request(0)), port.run(request(1))]);
    for (const result of results)
      expect(result).toMatchObject({
        status: "rejected",
        reason: { kind: "aborted", message: expect.stringMatching(/check the provider's console.*--resubmit/) },
      });
    expect(fake.submitted).toHaveLength(0);
    const again = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      known,
      poll: FAST,
      flushMs: 1,
      resubmit: true,
    });
    const answers = await Promise.all([again.run(request(0)), again.run(request(1))]);
    expect(answers.map((a) => a.text)).toEqual(["resent", "resent"]);
    expect(fake.submitted).toHaveLength(1);
  });
});

describe("bounded reading", () => {
  async function* chunks(text: string, size: number) {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it("a 32 MB line in 64 KB chunks is skipped in linear time, naming its request; the lines around it are read", async () => {
    const huge = `{"custom_id":"pa-big","response":{"body":"${"x".repeat(32 << 20)}"}}`;
    const started = Date.now();
    const lines: Array<string | OverLongLine> = [];
    for await (const line of readLines(chunks(`{"a":1}\n${huge}\n\n{"b":2}`, 64 << 10), 8 << 20)) lines.push(line);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('{"a":1}');
    expect(lines[2]).toBe('{"b":2}');
    const item = overLongError(lines[1] as OverLongLine, "batch_1", 8 << 20);
    expect(item).toMatchObject({
      customId: "pa-big",
      error: { message: "batch batch_1: the answer is over 8388608 bytes: not read" },
    });
  });

  it("a line split inside a multi-byte character is read whole", async () => {
    const lines: Array<string | OverLongLine> = [];
    for await (const line of readLines(chunks("héllo wörld\nnäxt", 1))) lines.push(line);
    expect(lines).toEqual(["héllo wörld", "näxt"]);
  });

  it("provider messages are capped, and a failed batch's reason names the first three errors", () => {
    expect(capMessage("y".repeat(2000))).toBe(`${"y".repeat(500)}… (1500 more characters)`);
    expect(joinMessages(["a", "b", "c", "d", "e"])).toBe("a; b; c; and 2 more");
    const item = readResultLine(
      JSON.stringify({
        custom_id: "pa-1",
        response: { status_code: 400, body: { error: { message: "z".repeat(10_000) } } },
      }),
      "batch_1",
    );
    expect(item && "error" in item && item.error.message.length).toBeLessThan(600);
  });

  it("a failed batch's requests without an error of their own are retried; the token-queue limit as a rate limit", () => {
    expect(missingError("b", { status: "failed", done: true, reason: "too big" }, 1).kind).toBe("transient");
    expect(missingError("b", { status: "failed", done: true, failureKind: "rate_limited" }, 1).kind).toBe(
      "rate_limited",
    );
    const refused = missingError("b", { status: "failed", done: true, lineErrors: new Map([[1, "bad"]]) }, 1);
    expect(refused.kind).toBe("fatal");
  });
});

describe("bounded waiting", () => {
  it("a poll answered 404 lets the requests go at once, saying which endpoint and key to pass", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "x" }), failingPolls: 10, failingStatus: 404 });
    const port = createBatchPort({ provider: fake.provider, runId: "pr-1", defaultModel: "m", poll: FAST, flushMs: 1 });
    await expect(port.run(request(0))).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringMatching(
        /HTTP 404: no such batch: the provider does not know this batch: pass the --base-url/,
      ),
    });
    expect(fake.polls.size).toBe(0); // the first failing poll was the last
    port.close();
  });

  it("a batch not ended 26 h after it went out is no longer waited for", async () => {
    const fake = fakeBatchProvider({ answer: () => ({ text: "x" }), pollsToEnd: 1_000_000 });
    const ids = createCustomIds("pr-1");
    const customId = ids(request(0), "m");
    fake.submitted.push({ batchId: "batch_old", key: "k", requests: [] });
    const port = createBatchPort({
      provider: fake.provider,
      runId: "pr-1",
      defaultModel: "m",
      known: [
        {
          key: "k",
          provider: "openai",
          batchId: "batch_old",
          customIds: [customId],
          submittedAt: 0,
          status: "in_progress",
        },
      ],
      poll: FAST,
      now: () => 27 * 3600_000,
    });
    await expect(port.run(request(0))).rejects.toMatchObject({
      kind: "aborted",
      message: expect.stringMatching(/^batch batch_old is still in_progress 26 h after it went out: stopped waiting/),
    });
    expect(fake.polls.get("batch_old")).toBe(1);
  });
});
