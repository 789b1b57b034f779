// Turns refine_agent's `agents` into one plan per agent: a new design, an existing type improved in place (saved as
// the user's override of its id), or an existing type improved into a copy under a new name. Every problem is found
// here, before any model is called.
import fs from "node:fs/promises";
import path from "node:path";
import { UserInputError, UserInputErrors } from "../../errors.js";
import type { AgentType } from "../../registry/agent-type.js";
import { nearestIds } from "../../registry/suggest.js";
import { toSnakeId } from "./design-to-agent-type.js";
import type { RefineAgentParamsT } from "./params.js";
import type { OverrideTarget } from "./save-override.js";

/** The call's target when neither the agent nor the call gives one. */
export const DEFAULT_TARGET_SCORE = 8.5;

export type RefinePlan = {
  /** The new agent's name, or the existing type's id; shown in progress lines and the result. */
  name: string;
  /** What the reviewer judges the design against. */
  purpose: string;
  target: number;
  /** new: agent_creator designs it; inPlace: improve `base` under its own id; copy: improve `base` into `name`. */
  mode: "new" | "inPlace" | "copy";
  /** The creator's input (new designs only). */
  creatorInput?: Record<string, unknown>;
  /** The existing type and its file's text as the run read it (inPlace and copy). */
  base?: { type: AgentType; text: string };
  /** Where an in-place result is written (only when saving). */
  override?: OverrideTarget;
};

export async function planRefineRequests(
  params: RefineAgentParamsT,
  options: { types: ReadonlyMap<string, AgentType>; userDir: string },
): Promise<RefinePlan[]> {
  const { types, userDir } = options;
  const save = params.save ?? true;
  const errors: UserInputError[] = [];
  const inPlaceAt = new Map<string, number>();
  const plans: RefinePlan[] = [];
  for (const [i, request] of params.agents.entries()) {
    const target = request.targetScore ?? params.targetScore ?? DEFAULT_TARGET_SCORE;
    if (!("type" in request)) {
      const creatorInput = Object.fromEntries(
        Object.entries(request).filter(([k, v]) => v !== undefined && k !== "targetScore"),
      );
      plans.push({ name: request.name, purpose: request.purpose, target, mode: "new", creatorInput });
      continue;
    }
    const field = `agents[${i}].type`;
    const type = types.get(request.type);
    if (!type) {
      errors.push(
        new UserInputError({
          field,
          value: request.type,
          message: `unknown agent type "${request.type}"`,
          fix: `use a catalogue id; nearest: ${nearestIds(request.type, types.keys()).join(", ")} (or give name and purpose to design a new agent)`,
        }),
      );
      continue;
    }
    const { def } = type;
    const inPlace = request.name === undefined || toSnakeId(request.name) === def.id;
    if (inPlace && inPlaceAt.has(def.id)) {
      errors.push(
        new UserInputError({
          field,
          value: request.type,
          message: `"${def.id}" is already improved in place by agents[${inPlaceAt.get(def.id)}]`,
          fix: "improve a type once per call, or give one of them a `name` to save an improved copy",
        }),
      );
      continue;
    }
    if (inPlace) inPlaceAt.set(def.id, i);
    const text = await fs.readFile(type.source.file, "utf8").catch(() => undefined);
    if (text === undefined) {
      errors.push(
        new UserInputError({
          field,
          value: request.type,
          message: `cannot read ${type.source.file}, the definition of "${def.id}"`,
          fix: "check that the file is still there and readable (parallel-agents validate)",
        }),
      );
      continue;
    }
    const override = inPlace && save ? await overrideTarget(type, text, userDir) : undefined;
    if (override && "problem" in override) {
      errors.push(new UserInputError({ field, value: request.type, ...override.problem }));
      continue;
    }
    plans.push({
      name: inPlace ? def.id : (request.name as string),
      purpose: request.purpose ?? `${def.description} Use when: ${def.useWhen}`,
      target,
      mode: inPlace ? "inPlace" : "copy",
      base: { type, text },
      ...(override ? { override } : {}),
    });
  }
  if (errors.length > 0) throw new UserInputErrors(errors);
  return plans;
}

/**
 * Where the user's override of a type goes: over the user's own definition when the active one already sits in the
 * drop-in folder, else a new `<id>.yaml` there. A file at that place that is not the active definition (it does not
 * validate) is the user's to fix, never written over.
 */
async function overrideTarget(
  type: AgentType,
  text: string,
  userDir: string,
): Promise<OverrideTarget | { problem: { message: string; fix: string } }> {
  const dir = path.resolve(userDir);
  if (type.source.kind === "user" && path.resolve(type.source.root) === dir)
    return { file: type.source.file, expected: text };
  const file = path.join(dir, `${type.def.id}.yaml`);
  const taken = await fs.lstat(file).then(
    () => true,
    () => false,
  );
  if (!taken) return { file };
  return {
    problem: {
      message: `${file} exists but the catalogue does not use it for "${type.def.id}" (it does not validate, or the folder is not in the catalogue), so the improved type cannot be saved there`,
      fix: "run `parallel-agents validate`, then fix or delete that file; or pass save: false, or a `name` to save an improved copy",
    },
  };
}
