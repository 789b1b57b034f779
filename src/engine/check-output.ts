// Turns an agent's raw answer into a checked output: parsed and schema-validated for json types, non-empty otherwise.
import type { AgentTypeFile } from "../registry/agent-type-schema.js";
import type { Validator } from "../validation/json-validator.js";
import { extractJson } from "./extract-json.js";

export type OutputCheck =
  | { status: "ok"; output: unknown }
  | { status: "empty"; error: string }
  | { status: "invalid"; error: string; issues?: string };

export function checkOutput(options: { text: string; truncated?: boolean; format: AgentTypeFile["outputFormat"]; validate?: Validator; maxOutputBytes: number }): OutputCheck {
  const { text, format } = options;
  if (text.trim() === "") return { status: "empty", error: "the agent returned no text" };
  if (format !== "json") {
    if (options.truncated) return { status: "invalid", error: `the answer was cut at ${options.maxOutputBytes} bytes` };
    return { status: "ok", output: text.trim() };
  }
  const parsed = extractJson(text);
  if (!parsed.ok) {
    const cut = options.truncated ? ` (the answer was cut at ${options.maxOutputBytes} bytes)` : "";
    return { status: "invalid", error: `output is not JSON: ${parsed.error}${cut}` };
  }
  if (!options.validate) return { status: "ok", output: parsed.value };
  const result = options.validate(parsed.value);
  if (result.valid) return { status: "ok", output: result.data };
  return { status: "invalid", error: `output does not match the schema: ${result.errorMessage}`, issues: result.errorMessage };
}

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return { text, truncated: false };
  const cut = Buffer.from(text, "utf8").subarray(0, maxBytes).toString("utf8");
  return { text: cut.endsWith("\uFFFD") ? cut.slice(0, -1) : cut, truncated: true };
}
