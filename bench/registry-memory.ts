// bench/registry-memory: heap of a long-lived registry while one drop-in agent type, whose schemas carry an `$id`, is
// edited and reloaded 2,000 times (as a gateway sees a user editing a file, or refine_agent rewriting one).
// Run: node --expose-gc scripts/run-ts.mjs bench/registry-memory.ts [--no-id]   (prints figures; not a timed test)
//   --no-id  the same schemas without `$id` (lets code that refuses a second `$id` be measured too)
// A cold process grows by about 2 MiB over its first thousand reloads and then stays flat: that is V8's optimised code
// and type feedback, not retained agent types (under `node --jitless` the heap is flat from the first reload).
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { createRegistry } from "../src/registry/create-registry.js";

const MARKS = [0, 100, 500, 1000, 1500, 2000];
const RELOADS = MARKS.at(-1)!;
const withId = !process.argv.includes("--no-id");
const line = (s = "") => process.stdout.write(`${s}\n`);

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error("run with: node --expose-gc scripts/run-ts.mjs bench/registry-memory.ts");
  process.exit(2);
}

/** Heap in use after full collections (several, so weak maps and finalizers settle). */
function heapMiB(): number {
  for (let i = 0; i < 4; i++) gc!();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Edition `n` of the type: its text, and so its schemas, change on every edit. */
function typeText(n: number): string {
  const id = (part: string) => (withId ? `\n  $id: "urn:bench:edited-agent:${part}"` : "");
  return `id: edited_agent
name: Edited Agent
version: 1.0.0
category: bench
description: Edition ${n} of a drop-in type.
useWhen: Only in the registry memory bench.
tier: fast
timeoutSeconds: 60
outputFormat: json
system: |
  You are edition ${n}. Summarise the task.
task: |
  {{fence task}}
input:${id("input")}
  type: object
  properties:
    audience: { type: string, pattern: "^[a-z]{1,${(n % 50) + 1}}$" }
output:${id("output")}
  type: object
  required: [summary, points]
  definitions:
    point: { type: object, required: [text], properties: { text: { type: string, minLength: 1 } } }
  properties:
    summary: { type: string, maxLength: ${1000 + n} }
    points: { type: array, items: { $ref: "#/definitions/point" } }
`;
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), "pa-bench-registry-"));
const file = path.join(dir, "edited_agent.yaml");
const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [dir] }) });
const rows: Array<{ reloads: number; heap: number }> = [];
let reloadMs = 0;
try {
  for (let n = 0; n <= RELOADS; n++) {
    await fs.writeFile(file, typeText(n));
    await fs.utimes(file, n + 1, n + 1); // a distinct mtime per edit, however fast the loop runs
    const t0 = performance.now();
    const snapshot = await registry.refresh();
    if (n > 0) reloadMs += performance.now() - t0;
    const type = snapshot.types.get("edited_agent");
    if (type?.def.description !== `Edition ${n} of a drop-in type.`) {
      throw new Error(
        `reload ${n}: the edited type is ${type ? "stale" : "missing"}: ${snapshot.diagnostics.map((d) => d.message).join("; ")}`,
      );
    }
    if (MARKS.includes(n)) rows.push({ reloads: n, heap: heapMiB() });
  }
} finally {
  await fs.rm(dir, { recursive: true, force: true });
}

const heapAt = (reloads: number) => rows.find((r) => r.reloads === reloads)!.heap;
line(
  `registry reloads of an edited drop-in type (${withId ? "schemas with $id" : "schemas without $id"}), built-in catalogue loaded alongside:`,
);
for (const row of rows)
  line(`  after ${String(row.reloads).padStart(4)} reloads: ${row.heap.toFixed(2)} MiB heap used after GC`);
line(
  `  1000 / 0 reloads = ${(heapAt(1000) / heapAt(0)).toFixed(3)} (includes V8 warming up: optimised code and type feedback)`,
);
line(
  `  2000 / 1000 reloads = ${(heapAt(2000) / heapAt(1000)).toFixed(3)} (goal ~1: nothing kept per reload); ${(((heapAt(2000) - heapAt(1000)) * 1024) / 1000).toFixed(2)} KiB per reload`,
);
line(`  ${(reloadMs / RELOADS).toFixed(2)} ms per reload (stat of every file, parse and compile of the edited one)`);
