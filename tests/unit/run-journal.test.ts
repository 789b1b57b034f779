import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AgentResult } from "../../src/engine/outcome.js";
import {
  journalFile,
  latestUnfinishedRun,
  openJournal,
  pruneJournals,
  readJournal,
  startJournaledRun,
  type JournalEvent,
} from "../../src/journal/run-journal.js";
import { tempDir } from "../helpers/registry.js";

const API_KEY = "key-0123456789abcdef";

function agentEnd(index: number, output: unknown, extra: Partial<AgentResult> = {}): JournalEvent {
  const result: AgentResult = {
    index,
    id: `a${index}`,
    type: "echo_agent",
    label: `a${index}`,
    outcome: "ok",
    output,
    text: JSON.stringify(output),
    model: "m1",
    attempts: [],
    startedAt: 1,
    endedAt: 2,
    durationMs: 1,
    usage: { inputTokens: 100, outputTokens: 50, totalTokens: 150 },
    ...extra,
  };
  return { t: "agent-end", result, at: 3 };
}

const openFds = () => fs.readdirSync("/proc/self/fd").length;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("run journals", () => {
  it("keeps numbers, budgets, usage and output fields named like secrets byte for byte", async () => {
    const dir = await tempDir();
    const params = { agents: [{ type: "echo_agent", task: "x" }], budget: { tokens: 5000, maxAttempts: 9 } };
    const output = {
      summary: "s",
      tokenCount: 1234,
      password_hint: "the name of the first pet",
      secret: "the cake is a lie",
      apiKeyRotation: "monthly",
    };
    const journal = openJournal(dir, "pr-keep", { secrets: [API_KEY] });
    journal.append({ t: "run-start", runId: "pr-keep", tool: "parallel_run", params, at: 1 });
    journal.append(agentEnd(0, output));
    journal.close();
    const run = readJournal(journal.file);
    expect(run.params).toEqual(params);
    expect(run.results.get(0)!.output).toEqual(output);
    expect(run.results.get(0)!.usage).toEqual({ inputTokens: 100, outputTokens: 50, totalTokens: 150 });
    expect(fs.readFileSync(journal.file, "utf8")).not.toContain("[redacted]");
  });

  it("redacts the secret values it is given wherever they appear: in strings, error messages and keys", async () => {
    const dir = await tempDir();
    const journal = openJournal(dir, "pr-key", { secrets: [API_KEY] });
    journal.append({
      t: "run-start",
      runId: "pr-key",
      tool: "parallel_run",
      params: { agents: [{ type: "echo_agent", task: `call with ${API_KEY}` }], [API_KEY]: 1 },
      at: 1,
    });
    journal.append(agentEnd(0, null, { outcome: "failed", reason: `401: invalid key ${API_KEY}.` }));
    journal.close();
    const text = fs.readFileSync(journal.file, "utf8");
    expect(text).not.toContain(API_KEY);
    const run = readJournal(journal.file);
    expect(run.params).toEqual({ agents: [{ type: "echo_agent", task: "call with [redacted]" }], "[redacted]": 1 });
    expect(run.results.get(0)!.reason).toBe("401: invalid key [redacted].");
  });

  it("redacts bearer credentials by value, whatever key holds them, and ignores secrets under 8 characters", async () => {
    const dir = await tempDir();
    const journal = openJournal(dir, "pr-bearer", { secrets: ["short", undefined] });
    journal.append({
      t: "run-start",
      runId: "pr-bearer",
      tool: "parallel_run",
      params: { note: "sent Authorization: Bearer abcdefghijklmnop123 and bearer zyxwvutsrq987", word: "short" },
      at: 1,
    });
    journal.close();
    expect(readJournal(journal.file).params).toEqual({
      note: "sent Authorization: Bearer [redacted] and bearer [redacted]",
      word: "short",
    });
  });

  it("a torn last line does not swallow the next event: appending starts on a new line", async () => {
    const dir = await tempDir();
    const first = openJournal(dir, "pr-torn");
    first.append({ t: "run-start", runId: "pr-torn", tool: "parallel_run", params: {}, at: 1 });
    first.close();
    fs.appendFileSync(first.file, '{"t":"agent-end","result":{"ind'); // a crash mid-write
    const resumed = openJournal(dir, "pr-torn");
    resumed.append({ t: "resume", at: 2 });
    resumed.append(agentEnd(1, { summary: "after the tear" }));
    resumed.close();
    const run = readJournal(first.file);
    expect(run.tornLines).toBe(1);
    expect(run.events).toBe(3);
    expect(run.results.get(1)!.output).toEqual({ summary: "after the tear" });
  });

  it("syncs every event to disk but attempt bookkeeping: outcomes, the plan, items, start and end", async () => {
    const dir = await tempDir();
    const journal = openJournal(dir, "pr-sync");
    const fsync = vi.spyOn(fs, "fsyncSync");
    const events: JournalEvent[] = [
      { t: "run-start", runId: "pr-sync", tool: "orchestrate", params: {}, at: 1 },
      { t: "plan", plan: { tasks: [] }, at: 1 },
      { t: "attempt", index: 0, attempt: {}, at: 1 },
      agentEnd(0, { summary: "s" }),
      { t: "item", index: 0, value: {}, at: 1 },
      { t: "resume", at: 1 },
      { t: "run-end", counts: {}, at: 1 },
    ];
    const synced = events.map((event) => {
      fsync.mockClear();
      journal.append(event);
      return `${event.t}:${fsync.mock.calls.length}`;
    });
    journal.close();
    expect(synced).toEqual(["run-start:1", "plan:1", "attempt:0", "agent-end:1", "item:1", "resume:1", "run-end:1"]);
  });

  it("closing releases the file descriptor: 200 journals opened and closed leave the count flat", async () => {
    const dir = await tempDir();
    const before = openFds();
    for (let i = 0; i < 200; i++) {
      const journal = openJournal(dir, `pr-fd-${i}`);
      journal.append({ t: "run-start", runId: `pr-fd-${i}`, tool: "parallel_run", params: {}, at: i });
      journal.close();
    }
    expect(openFds()).toBe(before);
  });

  it("a `using` journal is closed when its scope throws, and events after close are dropped, not written elsewhere", async () => {
    const dir = await tempDir();
    const before = openFds();
    let kept: ReturnType<typeof openJournal> | undefined;
    const run = () => {
      using journal = openJournal(dir, "pr-throw");
      kept = journal;
      journal.append({ t: "run-start", runId: "pr-throw", tool: "parallel_run", params: {}, at: 1 });
      throw new Error("the run failed");
    };
    expect(run).toThrow("the run failed");
    expect(openFds()).toBe(before);
    kept!.append({ t: "run-end", counts: {}, at: 2 });
    kept!.close(); // closing twice is harmless
    expect(readJournal(kept!.file).events).toBe(1);
  });

  it("refuses a run id that is not a plain name", () => {
    expect(() => journalFile("/tmp", "../etc/passwd")).toThrow(/invalid run id/);
  });

  it("keeps at most the newest journals when a new run starts", async () => {
    const dir = await tempDir();
    for (let i = 0; i < 5; i++) {
      using journal = openJournal(dir, `old-${i}`);
      journal.append({ t: "run-start", runId: `old-${i}`, tool: "parallel_run", params: {}, at: i });
      fs.utimesSync(path.join(dir, `old-${i}.jsonl`), i + 1, i + 1);
    }
    expect(pruneJournals(dir, 3)).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual(["old-2.jsonl", "old-3.jsonl", "old-4.jsonl"]);
  });

  it("a refused call leaves no journal: nothing is written until open()", async () => {
    const dir = await tempDir();
    const started = startJournaledRun({ dir, tool: "parallel_run", raw: { agents: [] }, newRunId: "pr-x" });
    expect(fs.readdirSync(dir)).toEqual([]);
    started.open()?.close();
    expect(readJournal(journalFile(dir, "pr-x")).tool).toBe("parallel_run");
  });
});

describe("resume: latest and live runs", () => {
  const write = (dir: string, runId: string, events: object[]) =>
    fs.writeFileSync(path.join(dir, `${runId}.jsonl`), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const start = (runId: string) => ({ t: "run-start", runId, tool: "parallel_run", params: { agents: [] }, at: 1 });
  const cancelled = { t: "agent-end", result: { index: 1, outcome: "cancelled" }, at: 2 };

  it("latest finishes a cancelled or crashed run, never one its wait policy, deadline or budget stopped", async () => {
    const dir = await tempDir();
    write(dir, "pr-first", [start("pr-first"), cancelled, { t: "run-end", counts: {}, stopKind: "first", at: 3 }]);
    write(dir, "pr-budget", [start("pr-budget"), cancelled, { t: "run-end", counts: {}, stopKind: "budget", at: 3 }]);
    expect(latestUnfinishedRun(dir, "parallel_run")).toBeUndefined();
    write(dir, "pr-cancel", [
      start("pr-cancel"),
      cancelled,
      { t: "run-end", counts: {}, stopKind: "cancelled", at: 3 },
    ]);
    expect(latestUnfinishedRun(dir, "parallel_run")?.runId).toBe("pr-cancel");
  });

  it("two resumes of one run that both passed the first check: the second is refused when it opens the journal", async () => {
    const dir = await tempDir();
    write(dir, "pr-twice", [start("pr-twice"), cancelled]);
    const a = startJournaledRun({ dir, tool: "parallel_run", raw: { resume: "pr-twice" }, newRunId: "x" });
    const b = startJournaledRun({ dir, tool: "parallel_run", raw: { resume: "pr-twice" }, newRunId: "y" });
    const journal = a.open();
    expect(() => b.open()).toThrow(/still running in this process/);
    journal?.close();
    expect(() => b.open()?.close()).not.toThrow(); // ended: resumable again
  });
});
