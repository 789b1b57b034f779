// The overall review score, computed from the six dimension scores (never the reviewer's own free-form number).
//
// Formula: overall = sum(weight_d * score_d) / sum(weight_d), over the six dimensions, with the weights of the
// agent_design_reviewer rubric (system_prompt_quality 25, capability_coverage 15, output_schema_validity 20,
// input_schema_appropriateness 10, robustness 15, production_readiness 15); each score is clamped to 0..10 and the
// result rounded to two decimals.

export const REVIEW_DIMENSIONS = [
  "system_prompt_quality",
  "capability_coverage",
  "output_schema_validity",
  "input_schema_appropriateness",
  "robustness",
  "production_readiness",
] as const;

export const DEFAULT_WEIGHTS: Record<(typeof REVIEW_DIMENSIONS)[number], number> = {
  system_prompt_quality: 25,
  capability_coverage: 15,
  output_schema_validity: 20,
  input_schema_appropriateness: 10,
  robustness: 15,
  production_readiness: 15,
};

export type { DesignReview } from "./model-outputs.js";
import type { DesignReview } from "./model-outputs.js";

export function computeReviewScore(
  review: DesignReview,
  weights: Record<string, number> = DEFAULT_WEIGHTS,
): { score: number; dimensions: Record<string, number> } {
  let total = 0;
  let weightSum = 0;
  const dimensions: Record<string, number> = {};
  for (const d of REVIEW_DIMENSIONS) {
    const raw = review.dimension_scores[d]?.score;
    const score = Math.min(10, Math.max(0, typeof raw === "number" && Number.isFinite(raw) ? raw : 0));
    const weight = weights[d] ?? 0;
    dimensions[d] = score;
    total += weight * score;
    weightSum += weight;
  }
  return { score: Math.round((total / weightSum) * 100) / 100, dimensions };
}

/** Weights from the reviewer type's rubric, when it has one for every dimension. */
export function weightsFromRubric(
  rubric: Array<{ dimension: string; weight: number }> | undefined,
): Record<string, number> {
  const fromRubric = Object.fromEntries((rubric ?? []).map((r) => [r.dimension, r.weight]));
  return REVIEW_DIMENSIONS.every((d) => typeof fromRubric[d] === "number") ? fromRubric : DEFAULT_WEIGHTS;
}
