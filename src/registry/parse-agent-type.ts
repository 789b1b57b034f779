// Parses and checks one agent-type YAML file; every problem becomes a diagnostic with file, line, field and fix.
import path from "node:path";
import { LineCounter, parseDocument, type Document } from "yaml";
import { AgentTypeSchema, type AgentTypeFile } from "./agent-type-schema.js";
import type { AgentType, AgentTypeSource, SchemaIdRef } from "./agent-type.js";
import type { Diagnostic } from "./diagnostic.js";
import { pointerToPath, positionInScalar, positionOf, type Position } from "./yaml-positions.js";
import { checkJsonSchema, getValidator, type Validator } from "../validation/json-validator.js";
import { analyzeTemplate } from "../templates/analyze-template.js";
import { compileTemplate, KNOWN_HELPERS } from "../templates/handlebars-env.js";

/** Variables every task and system template may use without declaring them in `input`. */
export const RESERVED_VARIABLES = ["task"] as const;

export type ParseResult = { type?: AgentType; diagnostics: Diagnostic[] };

type Ctx = {
  file: string;
  doc: Document;
  counter: LineCounter;
  text: string;
  diagnostics: Diagnostic[];
};

export function parseAgentTypeFile(options: { text: string; source: AgentTypeSource }): ParseResult {
  const { text, source } = options;
  const file = source.file;
  const diagnostics: Diagnostic[] = [];
  const fail = (pos: Position, field: string, message: string, fix: string) =>
    diagnostics.push({ severity: "error", file, line: pos.line, column: pos.column, field, message, fix });

  if (text.trim() === "") {
    fail({ line: 1, column: 1 }, "", "file is empty", "write an agent type (see USAGE-GUIDE.md) or delete the file");
    return { diagnostics };
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors.slice(0, 3)) {
      const pos = counter.linePos(error.pos[0]);
      fail(
        { line: pos.line, column: pos.col },
        "",
        `YAML syntax error: ${firstLine(error.message)}`,
        "fix the YAML syntax at that line (indentation, quotes, colons)",
      );
    }
    return { diagnostics };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 50 });
  const ctx: Ctx = { file, doc, counter, text, diagnostics };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    fail(
      { line: 1, column: 1 },
      "",
      "the file must be a YAML mapping of agent-type fields",
      "start the file with `id: your_agent_id` and the other fields",
    );
    return { diagnostics };
  }
  const raw = data as Record<string, unknown>;
  if (!checkId(ctx, raw.id)) return { diagnostics };
  if (!checkShape(ctx, raw)) return { diagnostics };
  const def = raw as AgentTypeFile;
  checkFileName(ctx, def.id);
  const validateInput = compileSchema(ctx, "input", def.input) as Validator<Record<string, unknown>> | undefined;
  const validateOutput = compileSchema(ctx, "output", def.output);
  if (def.outputFormat === "json" && !def.output) {
    fail(
      positionOf(doc, counter, ["outputFormat"]),
      "output",
      "outputFormat is json but no output schema is given",
      "add an `output` JSON Schema describing the answer",
    );
  }
  if (def.input?.properties && typeof def.input.properties === "object" && "task" in def.input.properties) {
    fail(
      positionOf(doc, counter, ["input", "properties", "task"]),
      "input.properties.task",
      "`task` is reserved for the task text from chat",
      "rename the input property",
    );
  }
  const declared = new Set<string>([
    ...RESERVED_VARIABLES,
    ...Object.keys((def.input?.properties as object | undefined) ?? {}),
  ]);
  const templates = {
    system: checkTemplate(ctx, "system", def.system, declared),
    task: checkTemplate(ctx, "task", def.task, declared),
  };
  if (diagnostics.length === 0) checkExamples(ctx, def, validateInput, validateOutput);
  if (diagnostics.length > 0 || !templates.system || !templates.task) return { diagnostics };
  return {
    diagnostics,
    type: {
      def,
      source,
      templates: { system: templates.system.compiled, task: templates.task.compiled },
      taskTemplateUsesTask: templates.task.variables.has("task"),
      validateInput,
      validateOutput,
      idPosition: positionOf(doc, counter, ["id"]),
      schemaIds: schemaIdsOf(ctx, def),
    },
  };
}

function report(ctx: Ctx, pos: Position, field: string, message: string, fix: string) {
  ctx.diagnostics.push({ severity: "error", file: ctx.file, line: pos.line, column: pos.column, field, message, fix });
}

function checkId(ctx: Ctx, id: unknown): boolean {
  const pos = positionOf(ctx.doc, ctx.counter, ["id"]);
  if (typeof id !== "string" || id === "") {
    report(ctx, pos, "id", "id is missing or not a string", "add `id: my_agent` (snake_case, same as the file name)");
    return false;
  }
  if (/[\\/]|\.\./.test(id) || path.isAbsolute(id)) {
    report(
      ctx,
      pos,
      "id",
      `id "${id}" looks like a path; an id is a name, never a path`,
      "use a snake_case name such as `my_agent`",
    );
    return false;
  }
  return true;
}

function checkShape(ctx: Ctx, raw: Record<string, unknown>): boolean {
  const result = getValidator(AgentTypeSchema)(raw);
  if (result.valid) return true;
  // Report the most specific issue per field: union branches and parents repeat the same fault.
  const seen = new Set<string>();
  for (const issue of result.issues) {
    const segments = pointerToPath(issue.path);
    const missing = issue.keyword === "required" ? String(issue.params.missingProperty) : undefined;
    const fieldPath = missing ? [...segments, missing] : segments;
    const field = fieldPath.join(".");
    if (seen.has(field)) continue;
    seen.add(field);
    const pos = positionOf(ctx.doc, ctx.counter, fieldPath);
    report(
      ctx,
      pos,
      field || "(file)",
      `${field || "file"} ${issue.message}`,
      fixFor(issue.keyword, field, issue.params),
    );
  }
  return false;
}

function fixFor(keyword: string, field: string, params: Record<string, unknown>): string {
  switch (keyword) {
    case "required":
      return `add the \`${String(params.missingProperty)}\` field (see USAGE-GUIDE.md for its meaning)`;
    case "additionalProperties":
      return `remove or rename "${String(params.additionalProperty)}"; allowed fields are listed in manifests/agent-type.schema.json`;
    case "pattern":
      return field === "id"
        ? "use snake_case: lowercase letters, digits and single underscores, starting with a letter"
        : `match the pattern ${String(params.pattern)}`;
    case "type":
      return `give ${field} a value of type ${String(params.type)}`;
    case "const":
    case "enum":
    case "anyOf":
      return `use one of the allowed values for ${field}`;
    default:
      return `correct ${field || "the file"} as the schema requires`;
  }
}

function checkFileName(ctx: Ctx, id: string) {
  const base = path.basename(ctx.file).replace(/\.ya?ml$/i, "");
  if (base !== id) {
    report(
      ctx,
      positionOf(ctx.doc, ctx.counter, ["id"]),
      "id",
      `declared id "${id}" differs from the file name "${path.basename(ctx.file)}"`,
      `rename the file to ${id}.yaml or set id: ${base}`,
    );
  }
}

function compileSchema(ctx: Ctx, field: "input" | "output", schema: object | undefined): Validator | undefined {
  if (!schema) return undefined;
  const problem = checkJsonSchema(schema);
  if (problem) {
    report(
      ctx,
      positionOf(ctx.doc, ctx.counter, [field]),
      field,
      `${field} is not a valid JSON Schema: ${problem}`,
      `correct the ${field} schema (types, keywords, property definitions)`,
    );
    return undefined;
  }
  return getValidator(schema);
}

function schemaIdsOf(ctx: Ctx, def: AgentTypeFile): SchemaIdRef[] {
  return (["input", "output"] as const).flatMap((field) => {
    const raw = (def[field] as { $id?: unknown } | undefined)?.$id;
    const id = typeof raw === "string" ? raw.replace(/#$/, "") : ""; // "urn:x#" and "urn:x" name the same schema
    return id ? [{ id, field: `${field}.$id` as const, ...positionOf(ctx.doc, ctx.counter, [field, "$id"]) }] : [];
  });
}

function checkTemplate(ctx: Ctx, field: "system" | "task", source: string, declared: Set<string>) {
  let analysis: ReturnType<typeof analyzeTemplate>;
  try {
    analysis = analyzeTemplate(source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /line (\d+)/.exec(message);
    const pos = positionInScalar(ctx.doc, ctx.counter, ctx.text, [field], { line: m ? Number(m[1]) : 1, column: 1 });
    report(
      ctx,
      pos,
      field,
      `template syntax error: ${firstLine(message)}`,
      "close every {{#block}} with {{/block}} and balance the braces",
    );
    return undefined;
  }
  let ok = true;
  for (const helper of analysis.helpers) {
    if (KNOWN_HELPERS.has(helper.name)) continue;
    ok = false;
    report(
      ctx,
      positionInScalar(ctx.doc, ctx.counter, ctx.text, [field], helper),
      field,
      `template uses unknown helper "${helper.name}"`,
      `use one of: ${[...KNOWN_HELPERS].join(", ")}`,
    );
  }
  for (const partial of analysis.partials) {
    ok = false;
    report(
      ctx,
      positionInScalar(ctx.doc, ctx.counter, ctx.text, [field], partial),
      field,
      `template uses partial "${partial.name}"; partials are not supported`,
      "inline the text instead of {{> partial}}",
    );
  }
  for (const variable of analysis.variables) {
    if (declared.has(variable.name)) continue;
    ok = false;
    report(
      ctx,
      positionInScalar(ctx.doc, ctx.counter, ctx.text, [field], variable),
      field,
      `template uses variable "${variable.name}" that the input schema does not declare`,
      `add "${variable.name}" to input.properties, or remove it from the template`,
    );
  }
  if (!ok) return undefined;
  return { compiled: compileTemplate(source), variables: new Set(analysis.variables.map((v) => v.name)) };
}

function checkExamples(ctx: Ctx, def: AgentTypeFile, validateInput?: Validator, validateOutput?: Validator) {
  (def.examples ?? []).forEach((example, i) => {
    if (validateInput) {
      const result = validateInput(example.input);
      if (!result.valid)
        report(
          ctx,
          positionOf(ctx.doc, ctx.counter, ["examples", i, "input"]),
          `examples.${i}.input`,
          `example ${i + 1} input does not satisfy the input schema: ${result.errorMessage}`,
          "make the example input match `input`, or correct the schema",
        );
    }
    if (def.outputFormat === "json" && validateOutput) {
      const result = validateOutput(example.output);
      if (!result.valid)
        report(
          ctx,
          positionOf(ctx.doc, ctx.counter, ["examples", i, "output"]),
          `examples.${i}.output`,
          `example ${i + 1} output does not satisfy the output schema: ${result.errorMessage}`,
          "make the example output match `output`, or correct the schema",
        );
    } else if (def.outputFormat !== "json" && typeof example.output !== "string") {
      report(
        ctx,
        positionOf(ctx.doc, ctx.counter, ["examples", i, "output"]),
        `examples.${i}.output`,
        `example ${i + 1} output must be a string for outputFormat ${def.outputFormat}`,
        "write the example answer as a string (a YAML block scalar `|`)",
      );
    }
  });
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? text;
}
