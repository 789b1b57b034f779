// Checks a tool call's parameters against its TypeBox schema and names every problem: field, value and fix.
import type { TSchema } from "@sinclair/typebox";
import { UserInputError, UserInputErrors, describeValue } from "../errors.js";
import { getValidator, type ValidationIssue } from "../validation/json-validator.js";

/** The parameters, typed, or a UserInputErrors listing (up to 8) problems; `tool` names the manifest in fixes. */
export function parseToolParams<T>(schema: TSchema, raw: unknown, tool: string): T {
  const result = getValidator<T>(schema)(raw ?? {});
  if (result.valid) return result.data;
  throw new UserInputErrors(
    dedupeIssues(result.issues)
      .slice(0, 8)
      .map((issue) => issueToError(issue, raw, tool)),
  );
}

function dedupeIssues(issues: ValidationIssue[]): ValidationIssue[] {
  // A union (wait, team.preset) reports one issue per branch plus one for the union: keep the deepest issue
  // under a path, and the first issue per path.
  const deeper = (i: ValidationIssue) =>
    issues.some((o) => o.path !== i.path && o.path.startsWith(`${i.path === "/" ? "" : i.path}/`));
  const seen = new Set<string>();
  return issues
    .filter((i) => !deeper(i))
    .filter((i) => {
      if (seen.has(i.path)) return false;
      seen.add(i.path);
      return true;
    });
}

function issueToError(issue: ValidationIssue, raw: unknown, tool: string): UserInputError {
  const segments = issue.path === "/" ? [] : issue.path.split("/").slice(1);
  const field =
    segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "") || "(parameters)";
  const value = segments.reduce<unknown>(
    (v, s) => (v && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined),
    raw,
  );
  const shown =
    issue.keyword === "additionalProperties" || issue.keyword === "required" ? "" : ` (got ${describeValue(value)})`;
  return new UserInputError({ field, value, message: `${issue.message}${shown}`, fix: fixFor(issue, field, tool) });
}

function fixFor(issue: ValidationIssue, field: string, tool: string): string {
  const p = issue.params;
  switch (issue.keyword) {
    case "additionalProperties":
      return `remove "${String(p.additionalProperty)}"; see manifests/${tool}.json for the parameters`;
    case "required":
      return `add ${field === "(parameters)" ? "" : `${field}.`}${String(p.missingProperty)}`;
    case "minimum":
    case "exclusiveMinimum":
      return `use a value of at least ${String(p.limit)}`;
    case "maximum":
      return `use a value of at most ${String(p.limit)}`;
    case "maxItems":
      return `pass at most ${String(p.limit)} items`;
    case "minItems":
      return `pass at least ${String(p.limit)} item(s)`;
    case "maxLength":
      return `shorten it to at most ${String(p.limit)} characters`;
    case "minLength":
      return "give a non-empty value";
    case "type":
      return `give a ${String(p.type)}`;
    case "const":
    case "enum":
    case "anyOf":
      return field.endsWith("preset")
        ? 'use one of "content", "dev", "review", "meta"'
        : field.startsWith("wait")
          ? 'use "all" or { first: N }'
          : "use one of the allowed values";
    default:
      return `correct the value as manifests/${tool}.json describes`;
  }
}
