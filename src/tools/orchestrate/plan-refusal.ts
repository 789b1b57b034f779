// A plan still invalid after the planner's attempts, as a normal tool result (a thrown error reaches a caller of
// POST /tools/invoke as a bare HTTP 500): every problem of the last plan named, and no task agent started.
import { formatPlanProblem, type Plan, type PlanProblem } from "./validate-plan.js";

export type PlanRefusal = { attempts: number; problems: PlanProblem[] };

export function planRefusedResult(options: {
  runId: string;
  dryRun: boolean;
  plan: Plan | undefined;
  attempts: number;
  problems: PlanProblem[];
  resumed: boolean;
}) {
  const { runId, attempts, problems } = options;
  const why = options.resumed
    ? "the journaled plan no longer passes the checks (the catalogue may have changed)"
    : `the plan was refused after ${attempts} planner attempt${attempts === 1 ? "" : "s"}`;
  const text = [
    `orchestrate ${runId}: ${why}, so no task agent ran. Problems with the last plan:`,
    ...problems.map((p) => `- ${formatPlanProblem(p)}`),
    `To go on: call again with a more specific goal or context${problems.some((p) => p.message.includes("more than the maximum")) ? ", a larger maxTasks" : ""}, or a stronger model in models.`,
  ].join("\n");
  const refused: PlanRefusal = { attempts, problems };
  const details = {
    runId,
    dryRun: options.dryRun,
    plan: options.plan ?? { tasks: [] },
    waves: [] as string[][],
    tasks: [],
    synthesis: null,
    plannerAttempts: attempts,
    orchestrate: { refused },
  };
  return { text, details };
}
