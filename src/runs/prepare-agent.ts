// A planned agent as the engine runs it: its type looked up (an id, never a path), its input checked, its prompt
// rendered (or a builder for agents fed by their dependencies), its ladder and time limit resolved.
import { UserInputError, describeValue } from "../errors.js";
import { resolveLadder } from "../engine/model-ladder.js";
import type { PreparedAgent } from "../engine/run-types.js";
import type { AgentType } from "../registry/agent-type.js";
import { nearestIds } from "../registry/suggest.js";
import { checkAgentInput, renderAgentPrompt } from "../render/render-agent-prompt.js";
import type { PlannedAgent } from "./planned-agent.js";

/** One planned agent as the engine runs it: prompt rendered (or a builder for chained agents), ladder and timeout resolved. */
export function buildPreparedAgent(options: {
  plan: PlannedAgent;
  type: AgentType;
  index: number;
  ladder: readonly string[];
  timeoutSeconds?: number;
}): PreparedAgent {
  const { plan, type } = options;
  let prompt: PreparedAgent["prompt"];
  if (plan.inputFrom) {
    const inputFrom = plan.inputFrom;
    const staticInput = plan.input ?? {};
    prompt = (deps) =>
      renderAgentPrompt({ type, task: plan.task, input: { ...staticInput, ...inputFrom(deps) }, field: plan.field });
  } else {
    checkAgentInput({ type, input: plan.input, field: plan.field });
    prompt = renderAgentPrompt({ type, task: plan.task, input: plan.input, field: plan.field });
  }
  return {
    id: `agent-${options.index + 1}`,
    type: type.def.id,
    label: plan.label ?? type.def.id,
    format: type.def.outputFormat,
    validateOutput: type.validateOutput,
    ...(type.def.outputFormat === "json" && type.def.output ? { outputSchema: type.def.output as object } : {}),
    ladder: resolveLadder({ ladder: options.ladder, tier: type.def.tier, model: plan.model }),
    timeoutMs: (plan.timeoutSeconds ?? options.timeoutSeconds ?? type.def.timeoutSeconds) * 1000,
    dependsOn: plan.dependsOn,
    prompt,
  };
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
