// What a call says about judging its answers (`judge` of parallel_run and orchestrate), checked against the catalogue.
import { Type, type Static } from "@sinclair/typebox";
import { UserInputError } from "../errors.js";
import type { AgentType } from "../registry/agent-type.js";
import type { JudgeRequest } from "./prepare-agent.js";

/** The agent type that scores answers for `judge`. */
export const JUDGE_TYPE = "output_judge";

export const JudgeParams = Type.Object(
  {
    threshold: Type.Number({
      minimum: 0,
      maximum: 10,
      description:
        "Score (0-10) an answer needs. Each ok answer is scored by an output_judge agent; one below it is tried once more on the next model of the ladder with the judge's feedback, and the best-scored answer is kept.",
    }),
    rubric: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 5000,
        description: "What a good answer does, in plain words: the judge scores against it (data, not instructions).",
      }),
    ),
    model: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          "Model that judges. Default: the first (cheapest) model of the ladder, so judging costs a fraction of an answer; name a stronger one for harder judgements.",
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * The judge of a call: its threshold and criteria, the output_judge type, and the model that judges (the call's
 * choice, else the first, cheapest rung of the ladder). Refused when the catalogue has no output_judge.
 */
export function judgeRequest(
  judge: Static<typeof JudgeParams> | undefined,
  types: ReadonlyMap<string, AgentType>,
  ladder: readonly string[],
): JudgeRequest | undefined {
  if (!judge) return undefined;
  const type = types.get(JUDGE_TYPE);
  if (!type)
    throw new UserInputError({
      field: "judge",
      value: judge,
      message: `the ${JUDGE_TYPE} agent type is missing from the catalogue`,
      fix: `restore prompts/meta/${JUDGE_TYPE}.yaml, or remove judge`,
    });
  return { threshold: judge.threshold, rubric: judge.rubric, type, model: judge.model ?? ladder[0] };
}

/** A judged agent may need two more attempts than the default budget: a judge of its answer, and of its retry. */
export function judgedLimits<L extends { maxAttempts: number }>(
  limits: L,
  params: { judge?: unknown; budget?: { maxAttempts?: number } },
  agents: number,
): L {
  return params.judge && params.budget?.maxAttempts === undefined
    ? { ...limits, maxAttempts: limits.maxAttempts + agents * 2 }
    : limits;
}
