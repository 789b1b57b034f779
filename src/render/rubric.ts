// The "how to score" section of a type that scores work: its rubric, in the prompt the model reads.
import type { RubricItemDef } from "../registry/agent-type-schema.js";

export function renderRubric(rubric: readonly RubricItemDef[]): string {
  const total = rubric.reduce((sum, item) => sum + item.weight, 0);
  return [
    "## Rubric",
    "Score the work 0-10 on each dimension below; the overall score is their weighted average (weights in parentheses, as a share of the whole).",
    ...rubric.map((item) => `- ${item.dimension} (${formatShare(item.weight, total)}): ${item.description}`),
  ].join("\n");
}

function formatShare(weight: number, total: number): string {
  return `${Math.round((weight / total) * 100)}%`;
}
