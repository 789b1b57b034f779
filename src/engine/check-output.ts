// Turns an agent's raw answer into a checked output: parsed and schema-validated for json types, non-empty otherwise.
import type { AgentTypeFile } from "../registry/agent-type-schema.js";
import type { Validator } from "../validation/json-validator.js";
import { extractJsonCandidates } from "./extract-json.js";

export type OutputCheck =
  | { status: "ok"; output: unknown }
  | { status: "empty"; error: string }
  | { status: "invalid"; error: string; issues?: string };

export function checkOutput(options: {
  text: string;
  truncated?: boolean;
  format: AgentTypeFile["outputFormat"];
  validate?: Validator;
  maxOutputBytes: number;
}): OutputCheck {
  const { text, format } = options;
  if (text.trim() === "") return { status: "empty", error: "the agent returned no text" };
  // A cut answer is never accepted, in any format: the JSON value found in it may be an earlier, shorter one.
  if (options.truncated)
    return {
      status: "invalid",
      error: `the answer was cut at ${options.maxOutputBytes} bytes (maxOutputBytes); a cut answer is never accepted`,
    };
  if (format !== "json") return { status: "ok", output: text.trim() };
  const found = extractJsonCandidates(text);
  if (!found.ok) return { status: "invalid", error: `output is not JSON: ${found.error}` };
  if (!options.validate) return { status: "ok", output: found.values[0] };
  let first: string | undefined;
  for (const value of found.values) {
    const result = options.validate(value);
    if (result.valid) return { status: "ok", output: result.data };
    first ??= result.errorMessage;
  }
  // None fits: report the first value's issues. It is the one taken without a schema (the whole answer, else a fenced
  // block, else the first in prose), so the repair prompt talks about the value the answer presents as its result.
  const issues = first ?? "";
  const others =
    found.values.length > 1
      ? ` (none of the ${found.values.length - 1} other JSON values in the answer matches either)`
      : "";
  return { status: "invalid", error: `output does not match the schema: ${issues}${others}`, issues };
}
