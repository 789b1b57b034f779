// Reads an agent's validated output as the type the code expects, through the reader's schema (never a bare cast):
// undefined when the agent did not end ok or its answer lacks what the reader needs (e.g. a drop-in override of a
// built-in type with another output schema).
import type { Static, TSchema } from "@sinclair/typebox";
import type { AgentResult } from "../engine/outcome.js";
import { getValidator } from "../validation/json-validator.js";

export function readOutput<T extends TSchema>(schema: T, result: AgentResult | undefined): Static<T> | undefined {
  if (result?.outcome !== "ok") return undefined;
  const check = getValidator<Static<T>>(schema)(result.output);
  return check.valid ? check.data : undefined;
}
