// Converts an agent design (agent_creator / agent_refiner output: untrusted model data) into the project's agent-type
// format, and an agent type back into a design. The result is validated by the registry's own parser before use.
import path from "node:path";
import { stringify } from "yaml";
import type { AgentTypeFile } from "../../registry/agent-type-schema.js";
import type { Diagnostic } from "../../registry/diagnostic.js";
import { parseAgentTypeFile } from "../../registry/parse-agent-type.js";
import { compileTemplate, parseTemplate } from "../../templates/handlebars-env.js";

export type { AgentDesign } from "./model-outputs.js";
import type { AgentDesign } from "./model-outputs.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Characters no template file can hold: NUL stops Handlebars' lexer, a lone surrogate cannot be written as UTF-8. */
const UNWRITABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text from a model as Handlebars source that renders back to exactly that text (NUL and lone surrogates become U+FFFD).
 * Only `{{` is special to Handlebars, and a backslash only right before it, so each `{{` becomes `\{{` and everything
 * else stays as written. A backslash that itself precedes `{{` cannot be escaped (`\\{{` means a backslash and then a
 * live mustache), so the text is cut there by an empty comment whose `~` removes the one space put before it.
 */
export function escapeTemplateText(text: string): string {
  return text
    .replace(UNWRITABLE, "\uFFFD")
    .replace(/(\\?)\{\{/g, (_, slash: string) => (slash ? "\\ {{~!}}\\{{" : "\\{{"));
}

/** The text a template prints when it holds no template code (as every generated one); otherwise the template itself. */
export function unescapeTemplateText(template: string): string {
  try {
    const literal = parseTemplate(template).body.every(
      (s) => s.type === "ContentStatement" || s.type === "CommentStatement",
    );
    return literal ? compileTemplate(template)({}) : template;
  } catch {
    return template;
  }
}

function asText(value: string | string[] | undefined): string {
  if (!value) return "";
  return Array.isArray(value) ? value.map((v) => `- ${v}`).join("\n") : value;
}

export function toSnakeId(name: string): string {
  const id = name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/^(\d)/, "agent_$1")
    .slice(0, 60);
  return id || "custom_agent";
}

/** A human-readable name for an id: `code_reviewer` -> `Code Reviewer`. */
export function titleOf(id: string): string {
  return id
    .split("_")
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : w))
    .join(" ");
}

/** The agent-type definition for a design, under the given id. */
export function designToAgentType(design: AgentDesign, options: { id: string; purpose?: string }): AgentTypeFile {
  const input = normalizeObjectSchema(design.input_schema);
  const output = normalizeObjectSchema(design.output_schema);
  const variables = Object.keys((input.properties as object | undefined) ?? {}).filter(
    (k) => IDENTIFIER.test(k) && k !== "task",
  );
  if (input.properties)
    input.properties = Object.fromEntries(
      Object.entries(input.properties as object).filter(([k]) => variables.includes(k)),
    );
  const task = ["{{task}}", ...variables.map((v) => `{{#if ${v}}}\n${v}:\n{{fence ${v}}}\n{{/if}}`)].join("\n");
  const description = (design.description || options.purpose || `Agent ${design.agent_name}`).trim().slice(0, 1000);
  const useWhen = (design.use_cases?.length ? design.use_cases.join("; ") : options.purpose || description).slice(
    0,
    1000,
  );
  return {
    id: options.id,
    name: titleOf(options.id).slice(0, 120),
    version: /^\d+\.\d+\.\d+$/.test(design.version ?? "") ? design.version! : "1.0.0",
    category: "custom",
    description,
    useWhen,
    tier: "standard",
    timeoutSeconds: 180,
    outputFormat: "json",
    system: escapeTemplateText(systemTextOf(design)),
    task,
    input: input as AgentTypeFile["input"],
    output: output as AgentTypeFile["output"],
    tags: ["generated", ...(design.domain ? [design.domain.slice(0, 40)] : [])],
  };
}

/** The system prompt a design describes, as plain text: its prompt, then its edge cases and safety sections. */
export function systemTextOf(design: AgentDesign): string {
  return [
    design.system_prompt.trim(),
    design.edge_case_handling ? `Edge cases:\n${asText(design.edge_case_handling)}` : "",
    design.safety_guidelines ? `Safety:\n${asText(design.safety_guidelines)}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
}

function normalizeObjectSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const copy = schema && typeof schema === "object" ? (structuredClone(schema) as Record<string, unknown>) : {};
  if (copy.type === undefined) copy.type = "object";
  return copy;
}

/** Keeps the design's examples that satisfy both schemas (checked by the parser), at most three. */
function withExamples(def: AgentTypeFile, design: AgentDesign, dir: string): AgentTypeFile {
  const kept: NonNullable<AgentTypeFile["examples"]> = [];
  for (const example of design.example_interactions ?? []) {
    if (kept.length >= 3) break;
    if (!example || typeof example.input !== "object" || example.input === null || Array.isArray(example.input))
      continue;
    const candidate = {
      ...def,
      examples: [{ input: example.input as Record<string, unknown>, output: example.output }],
    };
    const check = parseAgentTypeFile({
      text: stringify(candidate, { lineWidth: 0 }),
      source: { kind: "user", root: dir, file: path.join(dir, `${def.id}.yaml`) },
    });
    if (check.type) kept.push(candidate.examples[0]!);
  }
  return kept.length > 0 ? { ...def, examples: kept } : def;
}

export type ConvertedDesign =
  | { ok: true; id: string; yaml: string; def: AgentTypeFile }
  | { ok: false; id: string; yaml: string; diagnostics: Diagnostic[] };

/** The YAML file for a design, validated by the registry parser as if it sat at `<dir>/<id>.yaml`. */
export function convertDesign(
  design: AgentDesign,
  options: { id: string; dir: string; purpose?: string },
): ConvertedDesign {
  const def = withExamples(designToAgentType(design, options), design, options.dir);
  const yaml = `# Generated by refine_agent from a reviewed design. Edit freely; \`parallel-agents validate\` checks it.\n${stringify(def, { lineWidth: 0 })}`;
  const parsed = parseAgentTypeFile({
    text: yaml,
    source: { kind: "user", root: options.dir, file: path.join(options.dir, `${options.id}.yaml`) },
  });
  if (!parsed.type) return { ok: false, id: options.id, yaml, diagnostics: parsed.diagnostics };
  return { ok: true, id: options.id, yaml, def };
}

/** An existing agent type as a starting design for refinement. */
export function agentTypeToDesign(def: AgentTypeFile): AgentDesign {
  return {
    agent_name: def.id,
    version: def.version,
    domain: def.category,
    description: def.description,
    system_prompt: unescapeTemplateText(def.system),
    input_schema: (def.input as Record<string, unknown> | undefined) ?? { type: "object", properties: {} },
    output_schema: (def.output as Record<string, unknown> | undefined) ?? { type: "object" },
    capabilities: [def.description],
    example_interactions: (def.examples ?? []).map((e) => ({ input: e.input, output: e.output })),
    use_cases: [def.useWhen],
    limitations: [],
  };
}
