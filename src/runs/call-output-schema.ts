// A JSON Schema a call gives for one agent's answer (`agents[].outputSchema`): chat input, so it is bounded and checked
// before anything starts, and compiled only once it is known to be safe to compile.
import { UserInputError, describeValue } from "../errors.js";
import { SchemaCompileError, getValidator, type Validator } from "../validation/json-validator.js";

export const MAX_OUTPUT_SCHEMA_BYTES = 16 * 1024;
const MAX_DEPTH = 16;
/** Subschemas in one schema, and branches of anyOf/oneOf/allOf in total: checking an answer costs at most answer x schema. */
const MAX_SUBSCHEMAS = 400;
const MAX_BRANCHES = 64;
/** uniqueItems compares items pairwise: only on arrays bounded by maxItems at most this. */
const MAX_UNIQUE_ITEMS = 100;

/**
 * Keywords refused in a call's schema, with why:
 * - `pattern`, `patternProperties`: they run the author's regular expression over the model's answer (a catastrophic
 *   pattern would hang the gateway on a hostile answer);
 * - references and anchors (`$ref`, `definitions`, `$defs`, `$id`, ...): a reference is expanded at every use, so a
 *   small schema can compile into a huge validator or check an answer in exponential time; a call's schema is written
 *   out in full instead, which the size cap then bounds.
 */
const REFUSED_KEYWORDS: Record<string, string> = {
  pattern:
    "its regular expression would run on untrusted answers; check the shape with type, enum, minLength or maxLength",
  patternProperties: "its regular expressions would run on untrusted answers; list the properties by name",
  $ref: "references are not followed in a call's schema; write the referenced schema out where it is used",
  definitions: "references are not followed in a call's schema; write each definition out where it is used",
  $defs: "references are not followed in a call's schema; write each definition out where it is used",
  $id: "a call's schema has no identity of its own; remove it",
  $anchor: "references are not followed in a call's schema; remove it",
  $dynamicRef: "references are not followed in a call's schema; remove it",
  $dynamicAnchor: "references are not followed in a call's schema; remove it",
  $recursiveRef: "references are not followed in a call's schema; remove it",
  $recursiveAnchor: "references are not followed in a call's schema; remove it",
};
/** Keywords whose values are data (or names), never schemas: not searched for keywords. */
const DATA_KEYWORDS = new Set(["enum", "const", "default", "examples", "description", "title", "$comment", "required"]);
/** Keywords whose values map names to schemas (a property may be called "pattern"). */
const NAMED_SCHEMAS = new Set(["properties", "dependentSchemas", "dependencies"]);
const BRANCHING = new Set(["anyOf", "oneOf", "allOf"]);

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
  const problem = checkSchemaTree(schema);
  if (problem) throw refuse(problem.message, problem.fix, problem.at === "" ? schema : `${problem.at} (in the schema)`);
  try {
    return getValidator(schema, "untrusted");
  } catch (error) {
    if (error instanceof SchemaCompileError)
      throw refuse(`is not a valid JSON Schema: ${error.message}`, "correct the schema (draft-07 keywords)");
    throw error;
  }
}

type Problem = { at: string; message: string; fix: string };

/** Walks the schema once: refused keywords, nesting depth, subschema and branch counts, unbounded uniqueItems. */
function checkSchemaTree(root: object): Problem | undefined {
  let subschemas = 0;
  let branches = 0;
  const visitSchema = (node: unknown, at: string, depth: number): Problem | undefined => {
    if (Array.isArray(node)) {
      // tuple-style `items` or a list of branches
      for (let i = 0; i < node.length; i++) {
        const found = visitSchema(node[i], `${at}/${i}`, depth + 1);
        if (found) return found;
      }
      return undefined;
    }
    if (typeof node !== "object" || node === null) return undefined;
    if (depth > MAX_DEPTH)
      return { at, message: `nests deeper than ${MAX_DEPTH} levels at ${at}`, fix: "flatten the schema" };
    if (++subschemas > MAX_SUBSCHEMAS)
      return {
        at,
        message: `has more than ${MAX_SUBSCHEMAS} subschemas`,
        fix: "describe the answer with fewer nested schemas",
      };
    const record = node as Record<string, unknown>;
    if (record.uniqueItems === true && !(typeof record.maxItems === "number" && record.maxItems <= MAX_UNIQUE_ITEMS))
      return {
        at: `${at}/uniqueItems`,
        message: `uses uniqueItems at ${at || "/"} without maxItems of at most ${MAX_UNIQUE_ITEMS} (items are compared pairwise)`,
        fix: `add maxItems: ${MAX_UNIQUE_ITEMS} (or less) beside it, or remove uniqueItems`,
      };
    for (const [key, value] of Object.entries(record)) {
      const path = `${at}/${key}`;
      const reason = REFUSED_KEYWORDS[key];
      if (reason !== undefined)
        return {
          at: path,
          message: `uses "${key}" at ${path}, which a call's schema may not use: ${reason}`,
          fix: `remove "${key}"`,
        };
      if (DATA_KEYWORDS.has(key)) continue;
      if (BRANCHING.has(key) && Array.isArray(value) && (branches += value.length) > MAX_BRANCHES)
        return {
          at: path,
          message: `has more than ${MAX_BRANCHES} anyOf/oneOf/allOf branches in total`,
          fix: "describe the answer with fewer alternatives",
        };
      const found = NAMED_SCHEMAS.has(key) ? visitNamed(value, path, depth) : visitSchema(value, path, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  const visitNamed = (node: unknown, at: string, depth: number): Problem | undefined => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
    for (const [name, value] of Object.entries(node)) {
      const found = visitSchema(value, `${at}/${name}`, depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return visitSchema(root, "", 0);
}
