// bench/extract-json: how long checking one hostile 1 MiB JSON answer blocks the event loop, against the 50 ms goal.
// Run: npx node scripts/run-ts.mjs bench/extract-json.ts [--old]   (prints figures; not a timed test)
//   --old  also times the previous extractor on 32 KiB of `[` (about 6 s; the figure)
import { checkOutput } from "../src/engine/check-output.js";
import { getValidator } from "../src/validation/json-validator.js";
import { denseValidJson, hostileInputs } from "../testing/hostile-output/corpus.js";
import { previousExtractJson } from "../testing/hostile-output/previous-extract-json.js";

const SIZE = 1024 * 1024;
const GOAL_MS = 50;
const ROUNDS = 5;
const line = (s = "") => process.stdout.write(`${s}\n`);
const validate = getValidator({ type: "object", required: ["summary"], properties: { summary: { type: "string" } } });
const check = (text: string) => checkOutput({ text, format: "json", validate, maxOutputBytes: SIZE });

/** Runs `fn` once per macrotask while a 1 ms interval records how late it fires: the event-loop block as others see it. */
async function timed(fn: () => void): Promise<{ best: number; worst: number; lag: number }> {
  const times: number[] = [];
  let lag = 0;
  let last = performance.now();
  const monitor = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 1);
    last = now;
  }, 1);
  for (let round = 0; round < ROUNDS; round++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(monitor);
  return { best: Math.min(...times), worst: Math.max(...times), lag };
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(6)} ms`;
// The machine is shared: one bare pass over the same text, timed in the same run, says how fast it is right now.
const sample = hostileInputs(SIZE)[0]!.text;
const bare = await timed(() => {
  let opens = 0;
  for (let i = 0; i < sample.length; i++) if (sample.charCodeAt(i) === 91) opens++;
  if (opens < 0) throw new Error("unreachable");
});
line(`bench/extract-json (node ${process.version}, ${new Date().toISOString()})`);
line(`baseline: one bare charCodeAt loop over ${SIZE} units, best ${fmt(bare.best)}`);
line(
  `checkOutput(format json, a 1-field schema) on ${SIZE} UTF-16 units of hostile text, ${ROUNDS} rounds each, goal < ${GOAL_MS} ms:`,
);
let worstAll = 0;
let lagAll = 0;
for (const input of hostileInputs(SIZE)) {
  const t0 = performance.now();
  const status = check(input.text).status; // the first call on this text (the first input also runs cold code)
  const first = performance.now() - t0;
  const m = await timed(() => check(input.text));
  worstAll = Math.max(worstAll, m.worst, first);
  lagAll = Math.max(lagAll, m.lag);
  line(
    `  ${input.name.padEnd(40)} best ${fmt(m.best)} = ${(m.best / GOAL_MS).toFixed(3)} x goal (${(m.best / bare.best).toFixed(1)} bare loops); first ${fmt(first)}; worst ${fmt(m.worst)}; loop lag ${fmt(m.lag)}; ${status}`,
  );
}
line(
  `worst single check: ${worstAll.toFixed(1)} ms = ${(worstAll / GOAL_MS).toFixed(3)} x goal; worst event-loop lag seen by a 1 ms timer: ${lagAll.toFixed(1)} ms`,
);

// Not garbage: a valid answer whose cost is V8's own JSON.parse, which builds ~350k objects.
const dense = denseValidJson(SIZE);
const parseOnly = await timed(() => JSON.parse(dense));
const denseCheck = await timed(() => check(dense));
line(
  `valid but dense JSON (${SIZE} units of [{},{},...]): checkOutput best ${fmt(denseCheck.best)}, worst ${fmt(denseCheck.worst)}; bare JSON.parse best ${fmt(parseOnly.best)}, worst ${fmt(parseOnly.worst)}`,
);

if (process.argv.includes("--old")) {
  const text = "[".repeat(32 * 1024);
  const t0 = performance.now();
  previousExtractJson(text);
  const old = performance.now() - t0;
  const now = await timed(() => check(text));
  line(`32 KiB of "[": previous extractor ${fmt(old)}, now ${fmt(now.best)} (${(old / now.best).toFixed(0)} x faster)`);
}
