// A JSON Schema a call gives for one agent's answer (`agents[].outputSchema`): chat input, so it is bounded and checked
// before anything starts, and compiled only once it is known to be safe to compile.
import { UserInputError, describeValue } from "../errors.js";
import { SchemaCompileError, getValidator, type Validator } from "../validation/json-validator.js";

export const MAX_OUTPUT_SCHEMA_BYTES = 16 * 1024;
const MAX_DEPTH = 16;
/**
 * Keywords refused in a call's schema: `pattern` and `patternProperties` run the schema author's regular expression over
 * the model's answer (a catastrophic pattern would hang the gateway on a hostile answer); remote references cannot be
 * resolved here.
 */
const REFUSED_KEYWORDS = new Set(["pattern", "patternProperties", "$dynamicRef", "$recursiveRef"]);

/** The schema checked and compiled, or a UserInputError naming the field, the value and the fix. */
export function compileCallOutputSchema(schema: unknown, field: string): Validator {
  const where = `${field}.outputSchema`;
  const refuse = (message: string, fix: string, value: unknown = schema) =>
    new UserInputError({ field: where, value, message, fix });
  if (typeof schema !== "object" || schema === null || Array.isArray(schema))
    throw refuse(
      `must be a JSON Schema object, got ${describeValue(schema)}`,
      'pass { type: "object", properties: { ... } }',
    );
  const bytes = Buffer.byteLength(JSON.stringify(schema), "utf8");
  if (bytes > MAX_OUTPUT_SCHEMA_BYTES)
    throw refuse(
      `is ${bytes} bytes, over the ${MAX_OUTPUT_SCHEMA_BYTES}-byte limit`,
      "describe the answer with fewer properties, or use a catalogue type whose schema fits",
    );
  if ((schema as { type?: unknown }).type !== "object")
    throw refuse(
      `its root must have type "object", got ${describeValue((schema as { type?: unknown }).type)}`,
      'wrap it: { type: "object", required: ["items"], properties: { items: <your schema> } }',
    );
  const problem = findRefusedKeyword(schema, "", 0);
  if (problem) throw refuse(problem.message, problem.fix, problem.at === "" ? schema : `${problem.at} (in the schema)`);
  try {
    return getValidator(schema);
  } catch (error) {
    if (error instanceof SchemaCompileError)
      throw refuse(`is not a valid JSON Schema: ${error.message}`, "correct the schema (draft-07 keywords)");
    throw error;
  }
}

const NAMED_SCHEMAS = new Set(["properties", "definitions", "$defs", "dependentSchemas"]);

type Problem = { at: string; message: string; fix: string };

/** Walks the schema once (depth-capped): a refused keyword, an external $ref, or nesting too deep. */
function findRefusedKeyword(node: unknown, at: string, depth: number, namesOnly = false): Problem | undefined {
  if (depth > MAX_DEPTH)
    return { at, message: `nests deeper than ${MAX_DEPTH} levels at ${at}`, fix: "flatten the schema" };
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = findRefusedKeyword(node[i], `${at}/${i}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof node !== "object" || node === null) return undefined;
  for (const [key, value] of Object.entries(node)) {
    const path = `${at}/${key}`;
    if (namesOnly) {
      const found = findRefusedKeyword(value, path, depth + 1);
      if (found) return found;
      continue;
    }
    if (REFUSED_KEYWORDS.has(key))
      return {
        at: path,
        message: `uses "${key}" at ${path}, which a call's schema may not use (its regular expression or reference would run on untrusted answers)`,
        fix: `remove "${key}"; check the shape with type, enum, minLength/maxLength or required instead`,
      };
    if (key === "$ref" && (typeof value !== "string" || !value.startsWith("#")))
      return {
        at: path,
        message: `has $ref ${describeValue(value)} at ${path}; only references inside the schema ("#/...") resolve`,
        fix: "inline the referenced schema, or put it under definitions and refer to it as #/definitions/<name>",
      };
    // `properties` and `definitions` hold names, not keywords: a property may be called "pattern".
    const found = findRefusedKeyword(value, path, depth + 1, NAMED_SCHEMAS.has(key));
    if (found) return found;
  }
  return undefined;
}
