import { describe, expect, it } from "vitest";
import { buildJudgedRetryMessage, readJudgement, scoreFromDimensions } from "../../src/engine/judge.js";

const WEIGHTS = { task_fit: 35, accuracy: 30, completeness: 20, clarity: 15 };

describe("the judge's score", () => {
  it("is the weighted mean of the dimensions, clamped to 0-10, to two decimals", () => {
    expect(scoreFromDimensions({ task_fit: 10, accuracy: 5, completeness: 5, clarity: 5 }, WEIGHTS)).toBe(6.75);
    expect(scoreFromDimensions({ task_fit: 99, accuracy: -3, completeness: 10, clarity: 10 }, WEIGHTS)).toBe(7);
    expect(scoreFromDimensions({ task_fit: 7, accuracy: 7, completeness: 7 }, WEIGHTS)).toBeUndefined();
  });

  it("is read from per-dimension scores; a total the judge adds is ignored; a missing dimension is no verdict", () => {
    const scores = Object.fromEntries(Object.keys(WEIGHTS).map((d) => [d, { score: 8, note: `${d} ok` }]));
    const verdict = readJudgement({ scores, feedback: "Cite sources.", overall: 10 }, WEIGHTS);
    expect(verdict).toEqual({
      score: 8,
      dimensions: { task_fit: 8, accuracy: 8, completeness: 8, clarity: 8 },
      feedback:
        "Cite sources.\ntask_fit: task_fit ok\naccuracy: accuracy ok\ncompleteness: completeness ok\nclarity: clarity ok",
    });
    expect(readJudgement({ scores: { task_fit: { score: 8 } }, feedback: "x" }, WEIGHTS)).toBe(
      "the judge gave no score for accuracy",
    );
  });

  it("the retry message carries the task, the score and the feedback, not the weak answer again", () => {
    const message = buildJudgedRetryMessage({
      message: "Write the summary",
      judgement: { score: 5, dimensions: {}, feedback: "Name the causes." },
      threshold: 7.5,
    });
    expect(message).toBe(
      "Write the summary\n\n## A previous answer to this task scored 5/10; 7.5 is needed\nA reviewer judged it. What would raise the score:\nName the causes.\n\nWrite a better answer to the task that acts on this feedback, in the form the output contract asks for.",
    );
  });
});
