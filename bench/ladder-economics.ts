// bench/ladder-economics: what a cheap-then-escalate ladder with a judge costs against premium-only, at the same quality.
// Run: npm run bench:ladder   (prints figures; deterministic tokens and costs, only the wall times vary)
import { CONFIG_DEFAULTS } from "../src/config.js";
import type { AgentResult, AttemptRecord } from "../src/engine/outcome.js";
import type { RunResult } from "../src/engine/run-types.js";
import { createOpenAiHttpPort } from "../src/host/openai-http-port.js";
import { catalogueRoots } from "../src/registry/catalogue-roots.js";
import { createRegistry } from "../src/registry/create-registry.js";
import { executeParallelRun } from "../src/tools/parallel-run/execute.js";
import { SAMPLE_OUTPUTS } from "../testing/sample-outputs.js";
import { startScriptedModelServer, type Reply, type ScriptRequest } from "../testing/scripted-model-server.js";

/** USD per million tokens: a small model against a large one, at typical list prices. */
const PRICES = {
  cheap: { input: 0.15, output: 0.6 },
  premium: { input: 3, output: 15 },
} as const;
type ModelName = keyof typeof PRICES;

const N_AGENTS = 100;
/** Agents whose cheap answer is weak: `i % 10 < 3`, exactly 30 of 100, the same every run. */
const isWeakOnCheap = (i: number) => i % 10 < 3;
const THRESHOLD = 7.5;
const MAX_CONCURRENT = 16;
/** Completion tokens the server reports: a ~300-word caption answer, and a judge's four notes and feedback. */
const ANSWER_COMPLETION = 400;
const JUDGE_COMPLETION = 150;
const GOAL_A_OVER_C = 0.4;
const JUDGE_SYSTEM_MARK = "You are a strict, fair judge";
/** Put in a weak answer so the judge can tell it apart (the judge sees the answer, not which model wrote it). */
const WEAK_MARK = "[quality:weak]";

/** Tokens the script reported since the run began: what the results must add up to. */
let servedTokens = 0;

/** A caption about as long as the 400 tokens reported, so the judge's and the retry's prompts carry a real answer. */
function answer(weak: boolean): Reply {
  const base = SAMPLE_OUTPUTS.content_writer_creative as Record<string, unknown>;
  const line = weak ? `${WEAK_MARK} Coffee is nice. ` : "Steam curls off the first cup while the city still whispers. ";
  const caption = line.repeat(Math.floor(1500 / line.length)).trim();
  return { json: { ...base, caption, tone_notes: weak ? "Flat, generic." : "Warm, concrete, one image." } };
}

function judgeReply(weak: boolean): Reply {
  const score = weak ? 5 : 9;
  const note = weak ? "Generic and repetitive; no concrete image." : "Specific, vivid, fits the platform.";
  const dims = ["task_fit", "accuracy", "completeness", "clarity"];
  return {
    json: {
      scores: Object.fromEntries(dims.map((d) => [d, { score, note }])),
      feedback: weak
        ? "Pick one concrete image and build the caption around it; cut the repetition."
        : "Nothing major.",
    },
  };
}

/** Prompt tokens as a quarter of the bytes of the messages sent, like a tokenizer's rough rate for English. */
function promptTokens(request: ScriptRequest): number {
  const messages = (request.body.messages ?? []) as Array<{ content?: unknown }>;
  const bytes = messages.reduce((n, m) => n + Buffer.byteLength(typeof m.content === "string" ? m.content : ""), 0);
  return Math.ceil(bytes / 4);
}

/** Models the judge ran on in the current run (by default the first rung of the call's ladder). */
const judgeModels = new Set<string>();

function script(request: ScriptRequest): Reply {
  if (!(request.model in PRICES)) throw new Error(`no script for model ${request.model}`);
  const isJudge = request.system.includes(JUDGE_SYSTEM_MARK);
  if (isJudge) judgeModels.add(request.model);
  const agent = /\[agent:(\d+)\]/.exec(request.user)?.[1];
  if (agent === undefined) throw new Error("a request without an [agent:i] marker");
  const weak = isJudge ? request.user.includes(WEAK_MARK) : request.model === "cheap" && isWeakOnCheap(Number(agent));
  const reply = isJudge ? judgeReply(weak) : answer(weak);
  const usage = { prompt: promptTokens(request), completion: isJudge ? JUDGE_COMPLETION : ANSWER_COMPLETION };
  servedTokens += usage.prompt + usage.completion;
  return { ...reply, usage };
}

/** An attempt's cost from its usage, at its own model's prices or at `as`'s (a what-if). */
function priceOf(attempt: AttemptRecord, as?: ModelName): number {
  const price = PRICES[as ?? (attempt.model as ModelName)];
  if (!price) throw new Error(`attempt ${attempt.attempt} ran on ${attempt.model}, which has no price`);
  if (!attempt.usage) throw new Error(`attempt ${attempt.attempt} on ${attempt.model} reported no usage`);
  return (attempt.usage.inputTokens * price.input + attempt.usage.outputTokens * price.output) / 1e6;
}

type Tally = { cost: number; costAtCheap: number; tokens: number; attempts: number };
const tally = (attempts: AttemptRecord[]): Tally => ({
  cost: attempts.reduce((n, a) => n + priceOf(a), 0),
  costAtCheap: attempts.reduce((n, a) => n + priceOf(a, "cheap"), 0),
  tokens: attempts.reduce((n, a) => n + (a.usage?.inputTokens ?? 0) + (a.usage?.outputTokens ?? 0), 0),
  attempts: attempts.length,
});

/** A run's costs split into answers and judging, and what its results say about quality and escalation. */
function analyse(name: string, run: RunResult, judged: boolean) {
  const fail = (why: string) => {
    throw new Error(`run ${name}: ${why}`);
  };
  if (run.counts.ok !== N_AGENTS) fail(`${run.counts.ok} of ${N_AGENTS} ok (${run.stopReason ?? "no stop reason"})`);
  const all = run.agents.flatMap((a) => a.attempts);
  const bad = all.filter((a) => a.outcome !== "ok");
  if (bad.length > 0) fail(`${bad.length} attempts not ok, e.g. ${bad[0]!.outcome}: ${bad[0]!.error ?? ""}`);
  const judge = all.filter((a) => a.kind === "judge");
  const answers = all.filter((a) => a.kind !== "judge");
  const over = run.agents.filter((a) => (a.judged?.score ?? -1) >= THRESHOLD).length;
  if (judged && run.agents.some((a) => !a.judged)) fail(`an agent has no verdict: ${unjudged(run.agents)}`);
  if (judged && over !== N_AGENTS) fail(`only ${over} of ${N_AGENTS} agents judged over ${THRESHOLD}`);
  const escalated = run.agents.filter((a) => a.attempts.some((t) => t.kind === "escalation"));
  return { answers: tally(answers), judge: tally(judge), total: tally(all), over, escalated };
}

const unjudged = (agents: AgentResult[]) =>
  agents
    .filter((a) => !a.judged)
    .map((a) => `${a.label}: ${a.unjudged ?? "?"}`)
    .slice(0, 3)
    .join("; ");

const server = await startScriptedModelServer(script);
const registry = createRegistry({ roots: catalogueRoots({}) });
const port = createOpenAiHttpPort({ baseUrl: server.url, defaultModel: "premium", stream: true });
const config = { ...CONFIG_DEFAULTS, maxAgentsPerCall: 200 };
const agents = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: "content_writer_creative",
    task: `[agent:${i}] Keep it to one image.`,
    input: { topic: `Morning rituals, angle ${i}` },
  }));
const judge = { threshold: THRESHOLD };

async function timed(name: string, params: Record<string, unknown>, judged: boolean) {
  servedTokens = 0;
  const t0 = performance.now();
  const { run } = await executeParallelRun(
    { agents: agents(N_AGENTS), maxConcurrent: MAX_CONCURRENT, ...params },
    {
      config,
      registry,
      port,
      backoff: { baseMs: 10, maxMs: 50 },
    },
  );
  const wallMs = performance.now() - t0;
  server.assertNoUnexpected();
  const result = analyse(name, run, judged);
  // The results' usage must be what the server handed out: nothing lost or counted twice on the way.
  if (servedTokens !== result.total.tokens)
    throw new Error(`run ${name}: results count ${result.total.tokens} tokens, the server served ${servedTokens}`);
  return { ...result, wallMs };
}

// Warm up sockets, the registry and the code paths, so run A does not pay for them alone.
await executeParallelRun({ agents: agents(4), models: ["premium"], judge }, { config, registry, port });

judgeModels.clear();
const A = await timed("A", { models: ["cheap", "premium"], judge }, true);
const judgedOnA = [...judgeModels].join(", ");
judgeModels.clear();
const B = await timed("B", { models: ["premium"], judge }, true);
const judgedOnB = [...judgeModels].join(", ");
const D = await timed("D", { models: ["cheap", "premium"], judge: { ...judge, model: "premium" } }, true);
const C = await timed("C", { models: ["premium"] }, false);
await server.close();

const weakIds = Array.from({ length: N_AGENTS }, (_, i) => i).filter(isWeakOnCheap);
const escalatedIds = A.escalated.map((a) => a.index);
if (escalatedIds.join() !== weakIds.join())
  throw new Error(`run A escalated agents [${escalatedIds.join()}], expected the weak ones [${weakIds.join()}]`);
if (B.escalated.length + C.escalated.length > 0) throw new Error("a premium-only run escalated");

const usd = (x: number) => `$${x.toFixed(4)}`;
const pct = (n: number) => `${((100 * n) / N_AGENTS).toFixed(0)}%`;
const line = (s = "") => process.stdout.write(`${s}\n`);
line(`bench/ladder-economics (node ${process.version}, ${new Date().toISOString()})`);
line(
  `${N_AGENTS} content_writer_creative agents (fast tier), maxConcurrent ${MAX_CONCURRENT}, scripted server, no latency; judge threshold ${THRESHOLD}`,
);
line(`cheap answers weak for ${weakIds.length} agents (i % 10 < 3), judged 5; every other answer judged 9`);
line(
  `usage: prompt = message bytes / 4; completion ${ANSWER_COMPLETION} tokens per answer, ${JUDGE_COMPLETION} per verdict`,
);
line("prices, USD per million tokens:");
for (const [model, p] of Object.entries(PRICES))
  line(`  ${model.padEnd(8)} input ${p.input.toFixed(2).padStart(5)}   output ${p.output.toFixed(2).padStart(5)}`);
line();
const rows = [
  ["A cheap -> premium, judged", A],
  ["B premium only, judged    ", B],
  ["D cheap -> premium, judged on premium", D],
  ["C premium only, no judge  ", C],
] as const;
for (const [name, r] of rows) {
  const share = name.includes("no judge") ? "n/a (not judged)" : pct(r.over);
  line(
    `${name}: ${usd(r.total.cost)} (answers ${usd(r.answers.cost)} in ${r.answers.attempts} attempts, judge ${usd(r.judge.cost)} in ${r.judge.attempts}); over threshold ${share}; ${r.total.tokens} tokens; wall ${r.wallMs.toFixed(0)} ms`,
  );
}
line();
const ratioAC = A.total.cost / C.total.cost;
line(
  `A / C = ${ratioAC.toFixed(3)} (goal <= ${GOAL_A_OVER_C.toFixed(2)}: ${ratioAC <= GOAL_A_OVER_C ? "met" : "OVER"})`,
);
line(`judge ran on: A ${judgedOnA}; B ${judgedOnB}; D premium (judge.model)`);
line(`D / C = ${(D.total.cost / C.total.cost).toFixed(3)} (judge.model: "premium")`);
line(`A / B = ${(A.total.cost / B.total.cost).toFixed(3)}   (both judged, both ${pct(A.over)} over threshold)`);
line(`escalations in A: ${A.escalated.length} (expected ${weakIds.length})`);
line(
  `judge overhead in A: ${(A.judge.tokens / N_AGENTS).toFixed(0)} extra tokens per agent, ${usd(A.judge.cost / N_AGENTS)} per agent (${((100 * A.judge.cost) / A.total.cost).toFixed(0)}% of A's cost)`,
);
// What moves the ratio: the same tokens, the judge's priced as if it ran on the cheap model.
const judgeAtCheap = A.judge.costAtCheap;
line("what-if, same tokens re-priced (not run):");
line(`  A's answers alone / C = ${(A.answers.cost / C.total.cost).toFixed(3)} (a free judge)`);
line(
  `  A with its judge priced at cheap / C = ${((A.answers.cost + judgeAtCheap) / C.total.cost).toFixed(3)} (judge ${usd(judgeAtCheap / N_AGENTS)} per agent)`,
);
