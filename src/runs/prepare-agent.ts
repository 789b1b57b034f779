// A planned agent as the engine runs it: its type looked up (an id, never a path), its input checked, its prompt
// rendered (or a builder for agents fed by their dependencies), its ladder and time limit resolved.
import { UserInputError, describeValue } from "../errors.js";
import { resolveLadder } from "../engine/model-ladder.js";
import type { JudgeSpec, PreparedAgent } from "../engine/run-types.js";
import type { AgentType } from "../registry/agent-type.js";
import { nearestIds } from "../registry/suggest.js";
import { checkAgentInput, renderAgentPrompt } from "../render/render-agent-prompt.js";
import type { OutputContractSource } from "../render/output-contract.js";
import type { AgentTypeFile, ToolsSettingName } from "../registry/agent-type-schema.js";
import { getValidator, type Validator } from "../validation/json-validator.js";
import { compileCallOutputSchema } from "./call-output-schema.js";
import type { PlannedAgent } from "./planned-agent.js";

/** One planned agent as the engine runs it: prompt rendered (or a builder for chained agents), ladder and timeout resolved. */
export function buildPreparedAgent(options: {
  plan: PlannedAgent;
  type: AgentType;
  index: number;
  ladder: readonly string[];
  timeoutSeconds?: number;
  /** Whether agents may run with the host's tools here. Default: not (no runtime that offers them). */
  tools?: ToolAccess;
  /** The call's judge: every ok answer is scored, and one below the threshold tried again a rung higher. */
  judge?: JudgeRequest;
}): PreparedAgent {
  const { plan, type } = options;
  const contract = resolveContract(plan, type);
  const tools = resolveTools(plan, type, options.tools ?? NO_HOST_TOOLS);
  const render = (input: Record<string, unknown> | undefined) =>
    renderAgentPrompt({ type, task: plan.task, input, field: plan.field, contract: contract.render });
  let prompt: PreparedAgent["prompt"];
  if (plan.inputFrom) {
    const inputFrom = plan.inputFrom;
    const staticInput = plan.input ?? {};
    prompt = (deps) => render({ ...staticInput, ...inputFrom(deps) });
  } else {
    checkAgentInput({ type, input: plan.input, field: plan.field });
    prompt = render(plan.input);
  }
  return {
    id: `agent-${options.index + 1}`,
    type: type.def.id,
    label: plan.label ?? type.def.id,
    format: contract.render.outputFormat,
    validateOutput: contract.validateOutput,
    ...(contract.outputSchema ? { outputSchema: contract.outputSchema } : {}),
    ...(tools === "host" ? { tools } : {}),
    ladder: resolveLadder({ ladder: options.ladder, tier: type.def.tier, model: plan.model }),
    timeoutMs: (plan.timeoutSeconds ?? options.timeoutSeconds ?? type.def.timeoutSeconds) * 1000,
    dependsOn: plan.dependsOn,
    ...(options.judge
      ? { judge: buildJudgeSpec(options.judge, typeof prompt === "function" ? plan.task : prompt.message) }
      : {}),
    prompt,
  };
}

/** What a call says about judging its agents, with the judge type from the catalogue. */
export type JudgeRequest = {
  threshold: number;
  /** The call's own criteria of a good answer (data, shown to the judge). */
  rubric?: string;
  type: AgentType;
  /** The model that judges: the call's choice, else the first (cheapest) rung of its ladder; undefined is the host's default. */
  model: string | undefined;
};

const MAX_JUDGED_TASK_CHARS = 120_000;
const MAX_JUDGED_ANSWER_CHARS = 70_000;

function buildJudgeSpec(request: JudgeRequest, agentTask: string): JudgeSpec {
  const { type } = request;
  const weights = Object.fromEntries((type.def.rubric ?? []).map((item) => [item.dimension, item.weight]));
  return {
    threshold: request.threshold,
    prompt: (answer) =>
      renderAgentPrompt({
        type,
        task: "",
        input: {
          agentTask: agentTask.slice(0, MAX_JUDGED_TASK_CHARS),
          answer: answer.slice(0, MAX_JUDGED_ANSWER_CHARS),
          ...(request.rubric ? { criteria: request.rubric } : {}),
        },
        field: "judge",
      }),
    validate: type.validateOutput!,
    ...(type.def.output ? { outputSchema: type.def.output as object } : {}),
    weights,
    model: request.model,
    timeoutMs: type.def.timeoutSeconds * 1000,
  };
}

/**
 * Where agents may use the host's tools: `runtime` says whether this runtime can run them at all (OpenClaw's sub-agent
 * sessions; not the terminal's HTTP endpoint), `allowed` whether the plugin config permits it (`allowTools`).
 */
export type ToolAccess = { runtime: boolean; allowed: boolean };
const NO_HOST_TOOLS: ToolAccess = { runtime: false, allowed: true };

/**
 * The agent's tools: the call's setting, else its type's, else none. A call asking for `host` where it cannot be had is
 * refused; a type's default of `host` falls back to none there (its prompt says how to answer without tools).
 */
function resolveTools(plan: PlannedAgent, type: AgentType, access: ToolAccess): ToolsSettingName {
  const wanted = plan.tools ?? type.def.tools ?? "none";
  if (wanted === "none") return "none";
  const usable = access.runtime && access.allowed;
  if (usable) return "host";
  if (plan.tools === undefined) return "none";
  throw new UserInputError({
    field: `${plan.field}.tools`,
    value: "host",
    message: access.allowed
      ? "this runtime cannot give agents the host's tools: only OpenClaw's sub-agent sessions can (the terminal's HTTP endpoint cannot)"
      : "the plugin config forbids agents with the host's tools (allowTools: false)",
    fix: access.allowed
      ? 'run the call through the plugin inside OpenClaw, or use tools: "none"'
      : 'use tools: "none", or set plugins.entries.parallel-agents.config.allowTools: true',
  });
}

const ANY_OBJECT = Object.freeze({ type: "object" as const });

/** The answer's contract: the type's own, or the call's `outputSchema` / `outputFormat` for types not already json. */
function resolveContract(
  plan: PlannedAgent,
  type: AgentType,
): { render: OutputContractSource; validateOutput?: Validator; outputSchema?: object } {
  const def = type.def;
  if (plan.outputSchema === undefined && plan.outputFormat === undefined)
    return {
      render: def,
      validateOutput: type.validateOutput,
      ...(def.outputFormat === "json" && def.output ? { outputSchema: def.output as object } : {}),
    };
  const which = plan.outputSchema !== undefined ? "outputSchema" : "outputFormat";
  if (def.outputFormat === "json")
    throw new UserInputError({
      field: `${plan.field}.${which}`,
      value: plan[which],
      message: `type "${def.id}" already answers in JSON with its own schema`,
      fix: `remove ${which}, or use type "general" with outputSchema`,
    });
  if (plan.outputSchema !== undefined && plan.outputFormat !== undefined && plan.outputFormat !== "json")
    throw new UserInputError({
      field: `${plan.field}.outputFormat`,
      value: plan.outputFormat,
      message: `outputFormat is ${describeValue(plan.outputFormat)} but outputSchema asks for JSON`,
      fix: 'remove outputFormat (outputSchema implies "json")',
    });
  if (plan.outputSchema !== undefined) {
    const validateOutput = compileCallOutputSchema(plan.outputSchema, plan.field);
    return {
      render: { outputFormat: "json", output: plan.outputSchema as AgentTypeFile["output"] },
      validateOutput,
      outputSchema: plan.outputSchema,
    };
  }
  if (plan.outputFormat === "json")
    return { render: { outputFormat: "json", output: ANY_OBJECT }, validateOutput: getValidator(ANY_OBJECT) };
  return { render: { outputFormat: plan.outputFormat ?? def.outputFormat } };
}

/** The type a planned agent names, or undefined with the problem pushed to `errors`. */
export function lookupType(
  plan: PlannedAgent,
  types: ReadonlyMap<string, AgentType>,
  errors: UserInputError[],
): AgentType | undefined {
  const id = plan.type;
  const field = `${plan.field}.type`;
  if (/[\\/]|\.\./.test(id)) {
    errors.push(
      new UserInputError({
        field,
        value: id,
        message: `type ${describeValue(id)} looks like a path; a type is a catalogue id, never a path`,
        fix: "use an id from the catalogue, e.g. code_reviewer",
      }),
    );
    return undefined;
  }
  const type = types.get(id);
  if (!type) {
    errors.push(
      new UserInputError({
        field,
        value: id,
        message: `unknown agent type ${describeValue(id)}`,
        fix: `use a catalogue id; nearest: ${nearestIds(id, types.keys()).join(", ")}`,
      }),
    );
  }
  return type;
}
