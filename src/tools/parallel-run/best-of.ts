// bestOf: an agent run as N candidates at once (on successive models of its ladder), each scored by the judge, and
// the best kept. Candidates are ordinary agents to the engine (journaled and resumed one by one); the call's result
// folds them back into the agent that was asked for.
import type { AgentResult, Outcome } from "../../engine/outcome.js";
import { OUTCOMES } from "../../engine/outcome.js";
import { addUsage } from "../../engine/port.js";
import type { PreparedAgent, RunResult } from "../../engine/run-types.js";

/** One candidate of a bestOf agent as the result lists it: where it ran and how it scored. */
export type CandidateSummary = { model: string | null; outcome: Outcome; score?: number; reason?: string };

/**
 * The candidates of one prepared agent: candidate k starts k rungs higher on the agent's ladder (capped at the top),
 * and is judged without a retry (the best of all is kept instead).
 */
export function expandCandidates(agent: PreparedAgent, n: number, firstIndex: number): PreparedAgent[] {
  return Array.from({ length: n }, (_, k) => ({
    ...agent,
    id: `agent-${firstIndex + k + 1}`,
    label: `${agent.label} (candidate ${k + 1})`,
    ladder: agent.ladder.slice(Math.min(k, agent.ladder.length - 1)),
    ...(agent.judge ? { judge: { ...agent.judge, threshold: 0 } } : {}),
  }));
}

/** The run as the call asked for it: each group of candidates folded into one agent, the best-scored kept. */
export function foldCandidates(
  run: RunResult,
  groups: ReadonlyArray<ReadonlyArray<number>>,
  labels: string[],
): RunResult {
  const agents = groups.map((group, g) => {
    const results = group.map((i) => run.agents[i]!);
    const base = { index: g, id: `agent-${g + 1}`, label: labels[g]! };
    if (results.length === 1) return { ...results[0]!, ...base };
    const best = pickBest(results);
    let usage: AgentResult["usage"];
    for (const r of results) usage = addUsage(usage, r.usage);
    const starts = results.map((r) => r.startedAt).filter((t): t is number => t !== null);
    const ends = results.map((r) => r.endedAt).filter((t): t is number => t !== null);
    const candidates: CandidateSummary[] = results.map((r) => ({
      model: r.model,
      outcome: r.outcome,
      ...(r.judged ? { score: r.judged.score } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    }));
    return {
      ...best,
      ...base,
      ...(usage ? { usage } : {}),
      startedAt: starts.length > 0 ? Math.min(...starts) : null,
      endedAt: ends.length > 0 ? Math.max(...ends) : null,
      durationMs: Math.max(...results.map((r) => r.durationMs)),
      candidates,
    };
  });
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const a of agents) counts[a.outcome]++;
  return { ...run, agents, counts };
}

/** The ok candidate with the highest judged score (the first on a tie); else the first ok one; else the first. */
function pickBest(results: AgentResult[]): AgentResult {
  let best: AgentResult | undefined;
  for (const r of results) {
    if (r.outcome !== "ok") continue;
    if (!best || (r.judged?.score ?? -1) > (best.judged?.score ?? -1)) best = r;
  }
  return best ?? results[0]!;
}
