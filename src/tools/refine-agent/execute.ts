// refine_agent, host-independent: creator -> reviewer -> refiner rounds per agent until the computed score reaches the
// target, loops running concurrently within the cap; the best design is saved as a new agent type, or as the user's
// override of the existing type it improved.
import { resolveCallLadder, type ToolDeps } from "../../runs/run-deps.js";
import { UserInputError } from "../../errors.js";
import { createLimiter } from "../../runs/limiter.js";
import type { AgentResult } from "../../engine/outcome.js";
import type { SessionPort } from "../../engine/port.js";
import type { AgentType } from "../../registry/agent-type.js";
import { parseToolParams } from "../parse-tool-params.js";
import { resolveRunLimits } from "../../runs/run-limits.js";
import { runOneAgent } from "../../runs/run-one.js";
import { agentTypeToDesign, type AgentDesign } from "./design-to-agent-type.js";
import { RefineAgentParams, type RefineAgentParamsT } from "./params.js";
import { DEFAULT_TARGET_SCORE, planRefineRequests, type RefinePlan } from "./plan-refine-requests.js";
import type { RefinedAgent } from "./result-schema.js";
import { computeReviewScore, weightsFromRubric } from "./review-score.js";
import { AgentDesignSchema, DesignReviewSchema, RefinementSchema } from "./model-outputs.js";
import { readOutput } from "../../runs/read-output.js";
import { saveRefined } from "./save-refined.js";
import { decideRefineStop } from "./decide-refine-stop.js";
import { journalRunEnd, startedLine, startToolRun } from "../../runs/journaled-run.js";

export type RefineDeps = ToolDeps & {
  port: SessionPort /** Folder of run journals: the run is journaled and resumable. */;
  journalDir?: string;
};

export type { RefinedAgent, RefineRound } from "./result-schema.js";

export function parseRefineParams(raw: unknown): RefineAgentParamsT {
  const params = parseToolParams<RefineAgentParamsT>(RefineAgentParams, raw, "refine_agent");
  if (!params.agents)
    throw new UserInputError({
      field: "agents",
      message: "no agents to refine",
      fix: 'pass agents: [{ name, purpose }] or [{ type }], or resume: "<runId>"',
    });
  return params;
}

export async function executeRefineAgent(raw: unknown, deps: RefineDeps) {
  const started = startToolRun("refine_agent", "ra", raw, deps);
  const params = parseRefineParams(started.params);
  const { types } = await deps.registry.refresh();
  const need = (id: string) => {
    const type = types.get(id);
    if (!type)
      throw new UserInputError({
        field: "agents",
        message: `the meta agent type "${id}" is missing from the catalogue`,
        fix: "restore it, or remove the override that broke it (parallel-agents validate)",
      });
    return type;
  };
  const creator = need("agent_creator");
  const reviewer = need("agent_design_reviewer");
  const refiner = need("agent_refiner");
  const plans = await planRefineRequests(params, { types, userDir: deps.userDir });

  const runId = started.runId;
  using journal = started.open();
  deps.onProgress?.(startedLine("refine_agent", runId, started.loaded !== undefined, params.agents.length));
  const finished = (started.loaded?.items ?? new Map()) as Map<number, RefinedAgent>;
  const target = params.targetScore ?? DEFAULT_TARGET_SCORE;
  const maxRounds = params.maxRounds ?? 3;
  const ladder = resolveCallLadder(params.models, deps).models;
  const weights = weightsFromRubric(reviewer.def.rubric);
  const limit = createLimiter(resolveRunLimits(deps.config, params, params.agents.length).maxConcurrent);
  let steps = 0;

  const step = (type: AgentType, input: Record<string, unknown>, task: string, label: string): Promise<AgentResult> => {
    const index = steps++;
    return runOneAgent({ deps, type, input, task, label, ladder, runId: `${runId}-${index + 1}`, index });
  };

  const refineOne = async (plan: RefinePlan): Promise<RefinedAgent> => {
    const { name, purpose } = plan;
    const base = plan.base?.type.def;
    const result: RefinedAgent = {
      name,
      id: null,
      baseType: base?.id ?? null,
      inPlace: plan.mode === "inPlace",
      version: { from: base?.version ?? null, to: null },
      targetScore: plan.target,
      rounds: [],
      finalScore: null,
      reachedTarget: false,
      stoppedBecause: "",
      savedTo: null,
      yaml: null,
    };
    let design: AgentDesign;
    if (base) {
      // an existing type is the starting design: the reviewer reviews it as it is
      design = agentTypeToDesign(base);
    } else {
      const created = await step(creator, plan.creatorInput ?? {}, `Design the agent "${name}".`, `create ${name}`);
      const createdDesign = readOutput(AgentDesignSchema, created);
      if (!createdDesign) {
        const ended = created.outcome === "ok" ? "ok without the fields of a design" : created.outcome;
        return {
          ...result,
          stoppedBecause: `the creator ended ${ended}`,
          error: `agent_creator ended ${ended}: ${created.reason ?? ""}`.trim(),
        };
      }
      design = createdDesign;
    }
    // an existing type keeps its input and output schemas: callers depend on them
    const keep = base ? " Keep input_schema and output_schema as they are: the type's callers depend on them." : "";
    let best: { design: AgentDesign; score: number } | undefined;
    let previous: number | undefined;
    for (let round = 1; round <= maxRounds; round++) {
      const review = await step(
        reviewer,
        { design, purpose },
        `Review the design of "${name}" against its purpose.`,
        `review ${name} #${round}`,
      );
      const reviewed = readOutput(DesignReviewSchema, review);
      if (!reviewed) {
        // an invalid or missing review is never counted as a score
        result.stoppedBecause = `the review of round ${round} ended ${review.outcome === "ok" ? "ok without dimension scores" : review.outcome}`;
        break;
      }
      const { score, dimensions } = computeReviewScore(reviewed, weights);
      const top = reviewed.areas_for_improvement?.[0];
      result.rounds.push({
        round,
        score,
        dimensions,
        summary: top ? `${top.severity}: ${top.issue}` : (reviewed.strengths?.[0] ?? "no issues raised"),
      });
      deps.onProgress?.(`${name}: round ${round} scored ${score.toFixed(2)} (target ${plan.target})`);
      if (!best || score > best.score) best = { design, score };
      const stop = decideRefineStop({ round, maxRounds, score, previous, target: plan.target });
      if (stop.stop) {
        result.stoppedBecause = stop.because;
        break;
      }
      const refined = await step(
        refiner,
        { design, review: reviewed },
        `Revise the design of "${name}" so that it answers every review item.${keep}`,
        `refine ${name} #${round}`,
      );
      const refinement = readOutput(RefinementSchema, refined);
      if (!refinement) {
        result.stoppedBecause = `the refiner ended ${refined.outcome === "ok" ? "ok without a revised design" : refined.outcome} in round ${round}`;
        break;
      }
      design = { ...design, ...refinement.revised_design };
      previous = score;
    }
    if (!best) return { ...result, error: result.stoppedBecause };
    // cancelled: nothing is saved (a resume refines this agent again, and would find its id taken)
    if (deps.signal?.aborted)
      return { ...result, stoppedBecause: "cancelled", error: "the run was cancelled before the design was saved" };
    result.finalScore = best.score;
    result.reachedTarget = best.score >= plan.target;
    const saved = await saveRefined(plan, best.design, {
      userDir: deps.userDir,
      known: new Set(types.keys()),
      write: params.save ?? true,
    });
    return { ...result, ...saved };
  };

  // On resume, agents that already ended are reused as they are; only the rest run.
  const agents = await Promise.all(
    plans.map((plan, index) =>
      finished.has(index)
        ? Promise.resolve(finished.get(index)!)
        : limit(async () => {
            const result = await refineOne(plan);
            if (!deps.signal?.aborted) journal?.append({ t: "item", index, value: result, at: Date.now() });
            return result;
          }),
    ),
  );
  journalRunEnd(journal, {
    counts: { agents: agents.length, reachedTarget: agents.filter((a) => a.reachedTarget).length },
    ...(deps.signal?.aborted ? { stopReason: "the run was cancelled", stopKind: "cancelled" } : {}),
  });
  const details = { runId, targetScore: target, agents };
  return { text: summarizeRefine(details), details };
}

function summarizeRefine(details: { runId: string; targetScore: number; agents: RefinedAgent[] }): string {
  const lines = [`refine_agent ${details.runId}: ${details.agents.length} agent(s), target ${details.targetScore}`];
  for (const a of details.agents) {
    const scores = a.rounds.map((r) => r.score.toFixed(2)).join(" -> ") || "no valid review";
    const target = a.targetScore === details.targetScore ? "" : `, target ${a.targetScore}`;
    lines.push(
      `\n- ${a.name}: ${scores}; final ${a.finalScore ?? "none"} (${a.reachedTarget ? "target reached" : "below target"}${target}); stopped: ${a.stoppedBecause}`,
    );
    const line = outcomeLine(a);
    if (line) lines.push(`  ${line}`);
    if (a.error) lines.push(`  error: ${a.error}`);
  }
  return lines.join("\n");
}

function outcomeLine(a: RefinedAgent): string | undefined {
  const { from, to } = a.version;
  if (a.unchanged)
    return `kept ${a.id} ${from} as it is: no revision scored above the existing definition; nothing was written`;
  if (a.inPlace && a.savedTo)
    return `improved in place: ${a.id} ${from} -> ${to}, saved as the user's override at ${a.savedTo}; parallel_run uses it now`;
  if (a.savedTo)
    return `saved as agent type "${a.id}" ${to} at ${a.savedTo}${a.baseType ? ` (an improved copy of ${a.baseType} ${from})` : ""}${a.renamedFrom ? ` (renamed from ${a.renamedFrom}: that name was taken)` : ""}; usable now in parallel_run`;
  if (a.yaml && !a.error)
    return `not saved (save: false); YAML in details${a.inPlace ? ` (${a.id} ${from} -> ${to})` : ""}`;
  return undefined;
}
