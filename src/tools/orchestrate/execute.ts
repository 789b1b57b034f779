// orchestrate, host-independent: the planner's plan is checked (and sent back with its problems; still invalid, it is
// refused as a normal result), tasks run as a dependency graph on the parallel_run engine with their dependencies'
// outputs as data, and a synthesizer closes.
import type { Static } from "@sinclair/typebox";
import { toolAccess, type ToolDeps } from "../../runs/run-deps.js";
import { UserInputError } from "../../errors.js";
import type { AgentResult } from "../../engine/outcome.js";
import type { SessionPort } from "../../engine/port.js";
import { runAgents } from "../../engine/scheduler.js";
import { addUsage, type Usage } from "../../engine/port.js";
import type { AgentType } from "../../registry/agent-type.js";
import { fenceText } from "../../text/fence-text.js";
import { parseToolParams } from "../parse-tool-params.js";
import { agentDetails } from "../../runs/agent-details.js";
import { resolveRunLimits } from "../../runs/run-limits.js";
import { runOneAgent } from "../../runs/run-one.js";
import { OrchestrateParams, type OrchestrateParamsT } from "./params.js";
import { planRefusedResult } from "./plan-refusal.js";
import { SynthesisSchema } from "./model-outputs.js";
import { readOutput } from "../../runs/read-output.js";
import type { OrchestrateResultSchema } from "./result-schema.js";
import { formatPlanProblem, validatePlan, type Plan, type PlanCheck } from "./validate-plan.js";
import { plannerCatalogue } from "./planner-catalogue.js";
import { plannerNotes } from "./planner-notes.js";
import { judgedLimits, judgeRequest } from "../../runs/judge-request.js";
import { resolveCallLadder } from "../../runs/run-deps.js";
import { contextLines } from "../parallel-run/format-result.js";
import { clip, prepareTasks } from "./prepare-tasks.js";
import { reusableResults } from "../../journal/run-journal.js";
import { journalRunEnd, journalRunEvents, startedLine, startToolRun } from "../../runs/journaled-run.js";

/** Creates agent types a plan needs (allowCreateTypes): refine_agent, injected by the wiring so tools stay apart. */
export type CreateAgentTypes = (
  requests: { agents: Array<{ name: string; purpose: string }>; models?: string[] },
  deps: OrchestrateDeps & { runId: string },
) => Promise<{ details: { agents: Array<{ name: string; id: string | null }> } }>;

export type OrchestrateDeps = ToolDeps & {
  port: SessionPort;
  /** Folder of run journals: the run is journaled and resumable. */
  journalDir?: string;
  /** Needed only for plans that create types (allowCreateTypes). */
  createAgentTypes?: CreateAgentTypes;
};

/** Planner attempts: the first, one repair showing the plan's problems, then one on the next model of the ladder. */
const PLANNER_ATTEMPTS = 3;

export function parseOrchestrateParams(raw: unknown): OrchestrateParamsT {
  const params = parseToolParams<OrchestrateParamsT>(OrchestrateParams, raw, "orchestrate");
  if (!params.goal)
    throw new UserInputError({
      field: "goal",
      message: "no goal given",
      fix: 'pass goal: "what you want done", or resume: "<runId>"',
    });
  return params;
}

/** orchestrate's `details`, as published in its result schema. */
export type OrchestrateDetails = Static<typeof OrchestrateResultSchema>;

export async function executeOrchestrate(
  raw: unknown,
  deps: OrchestrateDeps,
): Promise<{ text: string; details: OrchestrateDetails }> {
  const started = startToolRun("orchestrate", "or", raw, deps);
  const params = parseOrchestrateParams(started.params);
  const runId = started.runId;
  let { types } = await deps.registry.refresh();
  const planner = types.get("agent_orchestrator");
  const synthesizer = types.get("synthesizer");
  if (!planner || !synthesizer)
    throw new UserInputError({
      field: "goal",
      message: "the agent_orchestrator or synthesizer type is missing from the catalogue",
      fix: "restore it (parallel-agents validate)",
    });
  const callLadder = resolveCallLadder(params.models, deps);
  const ladder = callLadder.models;
  // refused here, before the planner runs, when the catalogue has no judge
  const judge = judgeRequest(params.judge, types, ladder);
  const maxTasks = params.maxTasks ?? 8;
  const tools = toolAccess(deps);
  let stepNo = 0;
  const single = (
    type: AgentType,
    input: Record<string, unknown>,
    task: string,
    label: string,
    models: readonly string[] = ladder,
  ) => runOneAgent({ deps, type, input, task, label, ladder: models, runId: `${runId}-${label}`, index: stepNo++ });

  // 1. Plan, checked before anything runs.
  const catalogue = plannerCatalogue(types.values());
  const notes = plannerNotes({ context: params.context, tools });
  let plan: Plan | undefined;
  let check: PlanCheck = { problems: [{ field: "plan", message: "no plan yet" }], waves: [], toCreate: [] };
  const plannerRuns: AgentResult[] = [];
  if (started.loaded?.plan) {
    // resume: the journaled plan, checked again (the catalogue may have changed); never planned twice
    plan = started.loaded.plan as Plan;
    check = validatePlan(plan, { types, maxTasks, allowCreateTypes: false, tools });
  }
  for (let attempt = 1; attempt <= PLANNER_ATTEMPTS && !started.loaded?.plan; attempt++) {
    const plannerTask =
      attempt === 1
        ? notes
        : `${notes}\n\nYour previous plan was rejected. Fix every problem:\n${check.problems.map((p) => `- ${formatPlanProblem(p)}`).join("\n")}\n\nYour previous plan:\n${fenceText(JSON.stringify(plan ?? null, null, 2), "json")}`;
    // the third attempt climbs to the next model of the ladder (when there is one)
    const models = attempt === PLANNER_ATTEMPTS && ladder.length > 1 ? ladder.slice(1) : ladder;
    const result = await single(
      planner,
      {
        goal: params.goal,
        ...(params.context ? { context: params.context } : {}),
        maxTasks,
        catalogue: catalogue.entries,
        ...(catalogue.omitted > 0 ? { catalogueOmitted: catalogue.omitted } : {}),
      },
      plannerTask,
      `plan-${attempt}`,
      models,
    );
    plannerRuns.push(result);
    if (result.outcome !== "ok") {
      check = {
        problems: [
          { field: "plan", message: `the planner ended ${result.outcome}${result.reason ? `: ${result.reason}` : ""}` },
        ],
        waves: [],
        toCreate: [],
      };
      if (result.outcome === "cancelled") break;
      continue;
    }
    plan = normalizePlan(result.output);
    check = validatePlan(plan, { types, maxTasks, allowCreateTypes: params.allowCreateTypes ?? false, tools });
    if (check.problems.length === 0) break;
  }
  if (deps.signal?.aborted && !started.loaded?.plan) {
    // cancelled while planning: nothing journaled, nothing to resume
    const details = {
      runId,
      dryRun: params.dryRun ?? false,
      plan: plan ?? { tasks: [] },
      waves: [] as string[][],
      tasks: [],
      synthesis: null,
      plannerAttempts: plannerRuns.length,
    };
    return { text: `orchestrate ${runId}: cancelled while planning, so no task agent ran.`, details };
  }
  const refuse = (problems: PlanCheck["problems"]) =>
    planRefusedResult({
      runId,
      dryRun: params.dryRun ?? false,
      plan,
      attempts: plannerRuns.length,
      problems,
      resumed: Boolean(started.loaded?.plan),
    });
  if (!plan || check.problems.length > 0) return refuse(check.problems);
  deps.onProgress?.(`plan: ${plan.tasks.length} tasks in ${check.waves.length} waves`);

  const wouldStart = plan.tasks.length + 1; // + the synthesizer
  if (params.dryRun) {
    const text = [
      `orchestrate ${runId} (dry run): ${plan.tasks.length} tasks in ${check.waves.length} waves; would start ${wouldStart} agents and at most ${wouldStart * (params.judge ? 6 : 4)} attempts${check.toCreate.length ? `, after creating ${check.toCreate.join(", ")}` : ""}.`,
      ...check.waves.map((w, i) => `wave ${i + 1}: ${w.join(", ")}`),
    ].join("\n");
    return {
      text,
      details: {
        runId,
        dryRun: true,
        plan,
        waves: check.waves,
        plannerAttempts: plannerRuns.length,
        wouldStart: {
          agents: wouldStart,
          maxAttempts: wouldStart * (params.judge ? 6 : 4),
          createTypes: check.toCreate,
        },
        tasks: [],
        synthesis: null,
      },
    };
  }

  using journal = started.open();
  // a plan refused after the journal opened ends its run there: refused, not unfinished
  const refuseJournaled = (problems: PlanCheck["problems"]) => {
    journalRunEnd(journal, { counts: {}, stopReason: "the plan was refused", stopKind: "refused" });
    return refuse(problems);
  };
  deps.onProgress?.(startedLine("orchestrate", runId, started.loaded !== undefined, plan.tasks.length));
  if (!started.loaded?.plan) journal?.append({ t: "plan", plan, at: Date.now() });

  // 2. Types the plan needs but the catalogue lacks (allowCreateTypes): created by refine_agent first.
  if (check.toCreate.length > 0) {
    const purposes = check.toCreate.map((name) => ({
      name,
      purpose: plan!.tasks
        .filter((t) => t.type === name)
        .map((t) => t.task)
        .join(" / ")
        .slice(0, 4000),
    }));
    if (!deps.createAgentTypes)
      return refuseJournaled(
        check.toCreate.map((name) => ({
          field: "tasks",
          message: `type "${name}" is not in the catalogue and this host cannot create types`,
        })),
      );
    const created = await deps.createAgentTypes(
      { agents: purposes, ...(params.models ? { models: params.models } : {}) },
      { ...deps, runId: `${runId}-create` },
    );
    for (const c of created.details.agents) {
      if (!c.id || c.id === c.name) continue;
      for (const t of plan.tasks) if (t.type === c.name) t.type = c.id;
    }
    types = (await deps.registry.refresh()).types;
    // checked again with the new types: one that could not be created, or that wants other input, refuses the plan
    const recheck = validatePlan(plan, { types, maxTasks, allowCreateTypes: false, tools });
    if (recheck.problems.length > 0) return refuseJournaled(recheck.problems);
  }

  // 3. Run the graph: ready tasks in parallel; each receives the call's context and its dependencies' outputs as data.
  const prepared = prepareTasks({
    plan,
    types,
    ladder,
    tools,
    context: params.context,
    timeoutSeconds: deps.config.timeoutSeconds,
    judge,
  });
  if ("problems" in prepared) return refuseJournaled(prepared.problems);
  const agents = prepared.agents;
  const waveOf = new Map(check.waves.flatMap((w, k) => w.map((id) => [id, k + 1] as const)));
  const failFast = new AbortController();
  const signal = deps.signal ? AbortSignal.any([deps.signal, failFast.signal]) : failFast.signal;
  let done = 0;
  const toJournal = journalRunEvents(journal);
  const run = await runAgents({
    port: deps.port,
    backoff: deps.backoff,
    signal,
    runId,
    agents,
    ...judgedLimits(resolveRunLimits(deps.config, params, agents.length), params, agents.length),
    reuse: started.loaded ? reusableResults(started.loaded) : undefined,
    onEvent: (event) => {
      toJournal(event);
      if (event.type !== "agent-ended") return;
      done++;
      const r = event.result;
      deps.onProgress?.(`wave ${waveOf.get(r.id) ?? "?"}: ${r.id} ${r.outcome} (${done}/${agents.length})`);
      if (params.failFast && r.outcome !== "ok" && r.outcome !== "skipped") failFast.abort();
    },
  });

  // 4. Synthesis from every task's outcome, failures included.
  const results = run.agents.map((r, i) => ({
    id: r.id,
    type: r.type,
    task: plan!.tasks[i]!.task,
    outcome: r.outcome,
    ...(r.outcome === "ok" ? { output: clip(r.output) } : { reason: r.reason ?? r.outcome }),
  }));
  const journaledSynthesis = started.loaded?.items.get(0) as AgentResult | undefined;
  const synthesis =
    journaledSynthesis?.outcome === "ok"
      ? journaledSynthesis
      : deps.signal?.aborted
        ? undefined
        : await single(synthesizer, { goal: params.goal, results }, "Write the result for the user.", "synthesis");
  if (synthesis && synthesis !== journaledSynthesis)
    journal?.append({ t: "item", index: 0, value: synthesis, at: Date.now() });
  const stopKind = deps.signal?.aborted ? "cancelled" : failFast.signal.aborted ? "failFast" : run.stopKind;
  journalRunEnd(journal, {
    counts: run.counts,
    ...(run.stopReason ? { stopReason: run.stopReason } : {}),
    ...(stopKind ? { stopKind } : {}),
  });
  const hostNotes = deps.hostNotes?.(callLadder) ?? [];
  const tasks = run.agents.map((r, i) => ({
    ...agentDetails(r),
    dependsOn: plan!.tasks[i]!.dependsOn,
    wave: waveOf.get(r.id) ?? null,
  }));
  const details = {
    runId,
    dryRun: false,
    plan,
    waves: check.waves,
    tasks,
    counts: run.counts,
    synthesis: synthesis ? agentDetails(synthesis) : null,
    plannerAttempts: plannerRuns.length,
    ladder: { models: [...callLadder.models], source: callLadder.source },
    ...(hostNotes.length > 0 ? { notes: hostNotes } : {}),
    // the whole call: the planner's runs in this call, every task, and the synthesis
    ...usageField([...plannerRuns.map((p) => p.usage), run.usage, synthesis?.usage]),
  };
  return {
    text: summarize(details, synthesis, contextLines({ ladder: callLadder, notes: hostNotes })),
    details,
  };
}

function normalizePlan(output: unknown): Plan {
  const raw = output as { tasks?: Array<Partial<Plan["tasks"][number]>>; rationale?: string };
  return {
    rationale: raw.rationale,
    tasks: (raw.tasks ?? []).map((t) => ({
      id: String(t.id),
      type: String(t.type),
      task: String(t.task),
      ...(t.input ? { input: t.input } : {}),
      dependsOn: [...(t.dependsOn ?? [])],
      ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
      ...(t.tools ? { tools: t.tools } : {}),
    })),
  };
}

function summarize(
  details: {
    runId: string;
    tasks: Array<{ id: string; outcome: string; reason?: string; judged?: { score: number } }>;
    waves: string[][];
    usage?: Usage;
  },
  synthesis: AgentResult | undefined,
  context: string[],
): string {
  const cost = details.usage?.costUsd !== undefined ? `, $${details.usage.costUsd.toFixed(4)}` : "";
  const tokens = details.usage ? ` (${details.usage.totalTokens} tokens${cost})` : "";
  const lines = [
    `orchestrate ${details.runId}: ${details.tasks.length} tasks in ${details.waves.length} waves${tokens}`,
    ...context,
  ];
  for (const t of details.tasks)
    lines.push(
      `- [${t.outcome}] ${t.id}${t.judged ? `, score ${t.judged.score}` : ""}${t.reason ? `: ${t.reason}` : ""}`,
    );
  const s = readOutput(SynthesisSchema, synthesis);
  if (s) {
    lines.push("", "## Synthesis", s.synthesis);
    if (s.failed_lanes.length > 0)
      lines.push("", `Failed lanes: ${s.failed_lanes.map((f) => `${f.id} (${f.reason})`).join("; ")}`);
  } else {
    lines.push(
      "",
      `The synthesis ${synthesis ? `ended ${synthesis.outcome === "ok" ? "ok without a synthesis field" : synthesis.outcome}` : "was not run (cancelled)"}; the task outputs are in details.`,
    );
  }
  return lines.join("\n");
}

/** `{ usage }` summed over what reported usage, or nothing when none did. */
function usageField(usages: Array<Usage | undefined>): { usage?: Usage } {
  const usage = usages.reduce<Usage | undefined>((sum, u) => addUsage(sum, u), undefined);
  return usage ? { usage } : {};
}
