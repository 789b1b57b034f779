// refine_agent's stop rules as one pure decision, beside review-score.ts: after a round's computed score, stop (and
// why) or refine once more.

/** A round must beat the previous one by at least this much, or the loop stops as a plateau. */
export const PLATEAU_DELTA = 0.25;

export type RefineStopInput = {
  round: number;
  maxRounds: number;
  score: number;
  /** The previous round's score; undefined in round 1. */
  previous?: number;
  target: number;
};

export type RefineStop = { stop: false } | { stop: true; because: string };

export function decideRefineStop({ round, maxRounds, score, previous, target }: RefineStopInput): RefineStop {
  if (score >= target) return { stop: true, because: "target reached" };
  if (previous !== undefined && score < previous)
    return { stop: true, because: `the score fell from ${previous} to ${score}; kept the better earlier design` };
  if (previous !== undefined && score - previous < PLATEAU_DELTA)
    return { stop: true, because: `the score plateaued (${previous} -> ${score})` };
  if (round >= maxRounds) return { stop: true, because: `maxRounds (${maxRounds}) reached below the target` };
  return { stop: false };
}
