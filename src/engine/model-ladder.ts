// Which models an agent tries, in order: its tier's rung of the ladder and the rungs above it.
import type { TierName } from "../registry/agent-type-schema.js";

const TIER_RUNG: Record<TierName, number> = { fast: 0, standard: 1, premium: 2 };

/**
 * The agent's own ladder. An empty ladder means the host's default model only (`undefined`). A per-agent model
 * starts the ladder at that model (or puts it before the rungs above the tier's when it is not on the ladder).
 */
export function resolveLadder(options: {
  ladder: readonly string[];
  tier: TierName;
  model?: string;
}): Array<string | undefined> {
  const { ladder, model } = options;
  if (ladder.length === 0) return [model];
  const start = Math.min(TIER_RUNG[options.tier], ladder.length - 1);
  if (model) {
    const at = ladder.indexOf(model);
    return at >= 0 ? ladder.slice(at) : [model, ...ladder.slice(start + 1)];
  }
  return ladder.slice(start);
}
