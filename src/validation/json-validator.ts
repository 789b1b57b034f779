// JSON Schema validation behind a tiny interface: schemas compiled once, cached by identity, errors as short readable text.
import { ParallelAgentsError } from "../errors.js";
import { Ajv, type AnySchema, type ErrorObject, type Options, type ValidateFunction } from "ajv";

export type ValidationIssue = { path: string; message: string; keyword: string; params: Record<string, unknown> };
export type ValidationResult<T = unknown> =
  | { valid: true; data: T }
  | { valid: false; issues: ValidationIssue[]; errorMessage: string };
export type Validator<T = unknown> = (value: unknown) => ValidationResult<T>;

const OPTIONS: Options = { allErrors: true, strict: false, allowUnionTypes: true, useDefaults: true };
/**
 * For schemas from a call (chat or a planner's answer, not the user's own files): stop at the first error (the issue
 * list of a hostile answer cannot grow with answer x schema), never fill in `default`s (an answer is checked, not
 * rewritten or grown), `format` ignored without console noise, decimal `multipleOf` compared with a tolerance.
 */
const UNTRUSTED_OPTIONS: Options = {
  ...OPTIONS,
  allErrors: false,
  useDefaults: false,
  validateFormats: false,
  multipleOfPrecision: 9,
};

/** trusted: the user's agent-type files and the plugin's own schemas; untrusted: a schema that came with a call. */
export type SchemaSource = "trusted" | "untrusted";

/** Checks schemas against their meta-schema. `validateSchema` compiles only the meta-schema, so no user schema stays here. */
const metaSchemaChecker = new Ajv(OPTIONS);
/** Weak by schema object: a validator lives exactly as long as its schema (an agent type's lives as long as the type). */
const caches: Record<SchemaSource, WeakMap<object, ValidateFunction>> = {
  trusted: new WeakMap(),
  untrusted: new WeakMap(),
};

/** Compile (once per schema object) and return a validator. Throws `SchemaCompileError` when the schema itself is invalid. */
/** Issues kept from one validation: a 1 MB hostile answer can raise hundreds of thousands; 8 are shown. */
const MAX_ISSUES = 50;

export function getValidator<T = unknown>(schema: object, source: SchemaSource = "trusted"): Validator<T> {
  const cache = caches[source];
  let fn = cache.get(schema);
  if (!fn) {
    fn = compileAlone(schema, source === "trusted" ? OPTIONS : UNTRUSTED_OPTIONS);
    cache.set(schema, fn);
  }
  const compiled = fn;
  return (value) => {
    if (compiled(value)) return { valid: true, data: value as T };
    const errors = compiled.errors ?? [];
    const issues = errors.slice(0, MAX_ISSUES).map(toIssue); // hostile output can raise thousands
    return { valid: false, issues, errorMessage: formatIssues(issues, 8, errors.length) };
  };
}

/**
 * Each schema gets an Ajv instance of its own (well under a millisecond to create), freed with the schema. A shared
 * instance refuses a second schema with the same `$id` (an edited drop-in type would not reload) and keeps every
 * function it compiles in its scope for ever, so a long-lived gateway would grow with each reload.
 */
function compileAlone(schema: object, options: Options): ValidateFunction {
  try {
    metaSchemaChecker.validateSchema(schema as AnySchema, true);
    return new Ajv({ ...options, validateSchema: false }).compile(schema as AnySchema);
  } catch (error) {
    throw new SchemaCompileError(error instanceof Error ? error.message : String(error));
  }
}

/** Check that a value is a usable JSON Schema; returns the error text or undefined. A usable schema stays compiled for `getValidator`. */
export function checkJsonSchema(schema: unknown): string | undefined {
  if (typeof schema !== "object" || schema === null) return "must be a JSON Schema object";
  try {
    getValidator(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export class SchemaCompileError extends ParallelAgentsError {
  readonly category = "schema";
  override name = "SchemaCompileError";
}

function toIssue(error: ErrorObject): ValidationIssue {
  let message = error.message ?? "is invalid";
  if (error.keyword === "additionalProperties")
    message = `has unknown property "${String(error.params.additionalProperty)}"`;
  if (error.keyword === "enum") message = `must be one of ${JSON.stringify(error.params.allowedValues)}`;
  if (error.keyword === "required") message = `is missing required property "${String(error.params.missingProperty)}"`;
  return { path: error.instancePath || "/", message, keyword: error.keyword, params: error.params };
}

export function formatIssues(issues: ValidationIssue[], limit = 8, total = issues.length): string {
  const shown = issues.slice(0, limit).map((i) => `${i.path} ${i.message}`);
  if (total > limit) shown.push(`... and ${total - Math.min(limit, issues.length)} more`);
  return shown.join("; ");
}
