import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";
import { processesOf } from "../../testing/gateway-harness.js";

const run = promisify(execFile);

describe("the README's main command (the demo)", () => {
  it("starts a real gateway, runs the content team on the topic with the scripted model, prints results and timings, stops everything", {
    timeout: 240_000,
  }, async () => {
    const root = packageRoot();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && !/^(OPENAI|PARALLEL_AGENTS)_/.test(k)),
    );
    const { stdout } = await run(
      process.execPath,
      [path.join(root, "scripts", "run-ts.mjs"), "demo/run-demo.ts", "Rainy", "Sunday", "baking"],
      { cwd: root, env, timeout: 230_000 },
    );
    expect(stdout).toContain("LOCAL SCRIPTED MODEL");
    expect(stdout).toContain("topic: Rainy Sunday baking");
    expect(stdout).toMatch(/parallel_run: 5 agents in [\d.]+ s wall time/);
    for (const label of ["creative", "funny", "educational", "trendy", "controversial"])
      expect(stdout).toMatch(new RegExp(`\\[ok\\] ${label} \\(content_writer_${label}\\)`));
    expect(stdout).toContain("[scripted] Unpopular opinion: Rainy Sunday baking is overrated.");
    expect(stdout).toMatch(/counts: \{"ok":5,/);
    expect(stdout).toMatch(/timings: sum of agent durations [\d.]+ s, run [\d.]+ s: [\d.]+x from running in parallel/);
    // The demo's own /proc scan found nothing, and a scan from here after it exited agrees.
    const check = /; \/proc shows (\d+) process(?:es)? with PA_E2E_MARKER=(\S+): no process left\.$/m.exec(stdout);
    expect(check, stdout.slice(-2000)).not.toBeNull();
    const [, count, dir] = check!;
    expect(count).toBe("0");
    expect(dir).toMatch(/pa-e2e-\w+$/);
    expect(processesOf(dir!)).toEqual([]);
  });
});
