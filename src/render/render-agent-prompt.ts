// Renders an agent type's prompts for one task: input checked, chat text passed as data, output contract appended.
import type { AgentType } from "../registry/agent-type.js";
import { UserInputError, describeValue } from "../errors.js";
import { renderOutputContract, type OutputContractSource } from "./output-contract.js";
import { renderRubric } from "./rubric.js";

export type { RenderedPrompt } from "../engine/run-types.js";
import type { RenderedPrompt } from "../engine/run-types.js";

export type RenderOptions = {
  type: AgentType;
  /** The task text from chat: data, never compiled. */
  task: string;
  /** Variables for the templates; checked against the type's input schema. */
  input?: Record<string, unknown>;
  /** Field name used in error messages, e.g. `agents[3]`. Default "agent". */
  field?: string;
  /** Name of the input in error messages. Default `<field>.input`. */
  inputField?: string;
  /** The answer's contract when the call sets its own (outputSchema / outputFormat). Default: the type's. */
  contract?: OutputContractSource;
};

/** Checks input against the type's input schema and returns a copy with schema defaults filled in; throws a UserInputError naming the field and the fix. */
export function checkAgentInput(options: Omit<RenderOptions, "task">): Record<string, unknown> {
  const { type, field = "agent" } = options;
  const input = options.input === undefined ? {} : structuredCloneOr(options.input);
  const inputField = options.inputField ?? `${field}.input`;
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new UserInputError({
      field: inputField,
      value: input,
      message: `must be an object, got ${describeValue(input)}`,
      fix: "pass input as { name: value }",
    });
  }
  const result = type.validateInput?.(input as Record<string, unknown>);
  if (result && !result.valid) {
    const first = result.issues[0];
    const where = first && first.path !== "/" ? `${inputField}${first.path.replace(/\//g, ".")}` : inputField;
    const declared = Object.keys((type.def.input?.properties as object | undefined) ?? {});
    throw new UserInputError({
      field: where,
      value: input,
      message: `does not satisfy the input schema of "${type.def.id}": ${result.errorMessage}`,
      fix: `give the input the type expects (declared: ${declared.join(", ") || "none"}); see \`parallel-agents render ${type.def.id}\``,
    });
  }
  return input as Record<string, unknown>;
}

function structuredCloneOr(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

export function renderAgentPrompt(options: RenderOptions): RenderedPrompt {
  const { type, task } = options;
  const input = checkAgentInput(options);
  // Declared but absent optional inputs are present as null, so `{{#if x}}` works under strict mode.
  const declared = Object.keys((type.def.input?.properties as object | undefined) ?? {});
  // fromEntries defines own properties, so a "__proto__" key in chat input stays plain data.
  const context: Record<string, unknown> = Object.fromEntries([
    ...declared.map((key) => [key, null] as const),
    ...Object.entries(input),
    ["task", task] as const,
  ]);
  const system = run(type, "system", context, options);
  let message = run(type, "task", context, options);
  if (!type.taskTemplateUsesTask && task.trim() !== "") message = `${message.trimEnd()}\n\n## Task\n${task}`;
  const sections = [system.trimEnd()];
  if (type.def.rubric) sections.push(renderRubric(type.def.rubric));
  sections.push(renderOutputContract(options.contract ?? type.def));
  return { system: sections.join("\n\n"), message: message.trim() };
}

function run(
  type: AgentType,
  which: "system" | "task",
  context: Record<string, unknown>,
  options: RenderOptions,
): string {
  const field = options.field ?? "agent";
  try {
    return type.templates[which](context);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const missing = /"([^"]+)" not defined/.exec(text)?.[1];
    if (missing) {
      throw new UserInputError({
        field: `${options.inputField ?? `${field}.input`}.${missing}`,
        message: `the ${which} template of "${type.def.id}" uses "${missing}" but the input lacks it`,
        fix: `pass input.${missing}`,
      });
    }
    throw new UserInputError({
      field: `${field}.type`,
      message: `rendering the ${which} template of "${type.def.id}" failed: ${text}`,
      fix: "correct the agent type's template",
    });
  }
}
