import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { journalFile, openJournal, pruneJournals, readJournal, redactSecrets, startJournaledRun } from "../../src/journal/run-journal.js";
import { tempDir } from "../helpers/registry.js";

describe("run journals", () => {
  it("redacts secret-looking keys, bearer tokens and sk- keys anywhere in an event", () => {
    const out = JSON.stringify(redactSecrets({ apiKey: "k", headers: { Authorization: "Bearer abc" }, task: "use Bearer abcdefghijk and sk-abcdefghijkl", nested: [{ password: "p" }] }));
    expect(out).not.toMatch(/abcdefghijk|"k"|"p"/);
    expect(out).toContain("[redacted]");
  });

  it("refuses a run id that is not a plain name", () => {
    expect(() => journalFile("/tmp", "../etc/passwd")).toThrow(/invalid run id/);
  });

  it("keeps at most the newest journals when a new run starts", async () => {
    const dir = await tempDir();
    for (let i = 0; i < 5; i++) {
      openJournal(dir, `old-${i}`).append({ t: "run-start", runId: `old-${i}`, tool: "parallel_run", params: {}, at: i });
      fs.utimesSync(path.join(dir, `old-${i}.jsonl`), i + 1, i + 1);
    }
    expect(pruneJournals(dir, 3)).toBe(2);
    expect(fs.readdirSync(dir).sort()).toEqual(["old-2.jsonl", "old-3.jsonl", "old-4.jsonl"]);
  });

  it("a refused call leaves no journal: nothing is written until open()", async () => {
    const dir = await tempDir();
    const started = startJournaledRun({ dir, tool: "parallel_run", raw: { agents: [] }, newRunId: "pr-x" });
    expect(fs.readdirSync(dir)).toEqual([]);
    started.open();
    expect(readJournal(journalFile(dir, "pr-x")).tool).toBe("parallel_run");
  });
});
