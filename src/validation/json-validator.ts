// One Ajv instance behind a tiny interface: schemas compiled once, cached by identity, errors as short readable text.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

export type ValidationIssue = { path: string; message: string; keyword: string; params: Record<string, unknown> };
export type ValidationResult<T = unknown> =
  | { valid: true; data: T }
  | { valid: false; issues: ValidationIssue[]; errorMessage: string };
export type Validator<T = unknown> = (value: unknown) => ValidationResult<T>;

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, useDefaults: true });
const cache = new WeakMap<object, ValidateFunction>();

/** Compile (once) and return a validator. Throws `SchemaCompileError` when the schema itself is invalid. */
export function getValidator<T = unknown>(schema: object): Validator<T> {
  let fn = cache.get(schema);
  if (!fn) {
    try {
      fn = ajv.compile(schema);
    } catch (error) {
      throw new SchemaCompileError(error instanceof Error ? error.message : String(error));
    }
    cache.set(schema, fn);
  }
  const compiled = fn;
  return (value) => {
    if (compiled(value)) return { valid: true, data: value as T };
    const issues = (compiled.errors ?? []).map(toIssue);
    return { valid: false, issues, errorMessage: formatIssues(issues) };
  };
}

/** Check that a value is a usable JSON Schema; returns the error text or undefined. */
export function checkJsonSchema(schema: unknown): string | undefined {
  if (typeof schema !== "object" || schema === null) return "must be a JSON Schema object";
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

export class SchemaCompileError extends Error {
  override name = "SchemaCompileError";
}

function toIssue(error: ErrorObject): ValidationIssue {
  let message = error.message ?? "is invalid";
  if (error.keyword === "additionalProperties") message = `has unknown property "${String(error.params.additionalProperty)}"`;
  if (error.keyword === "enum") message = `must be one of ${JSON.stringify(error.params.allowedValues)}`;
  if (error.keyword === "required") message = `is missing required property "${String(error.params.missingProperty)}"`;
  return { path: error.instancePath || "/", message, keyword: error.keyword, params: error.params };
}

export function formatIssues(issues: ValidationIssue[], limit = 8): string {
  const shown = issues.slice(0, limit).map((i) => `${i.path} ${i.message}`);
  if (issues.length > limit) shown.push(`... and ${issues.length - limit} more`);
  return shown.join("; ");
}
