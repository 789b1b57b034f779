// An existing agent type improved by a reviewed design. The type's contract with its callers stays (task template,
// input and output schemas, tier, tools, rubric, category...); the system prompt changes, and the description, useWhen
// and examples change too when the design changes them and the type still validates with them.
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import type { AgentTypeFile } from "../../registry/agent-type-schema.js";
import type { Diagnostic } from "../../registry/diagnostic.js";
import { parseAgentTypeFile } from "../../registry/parse-agent-type.js";
import {
  agentTypeToDesign,
  escapeTemplateText,
  systemTextOf,
  titleOf,
  type AgentDesign,
} from "./design-to-agent-type.js";

/** The next minor version: 1.0.0 -> 1.1.0, 1.1.3 -> 1.2.0. */
export function nextMinorVersion(version: string): string {
  const match = /^(\d+)\.(\d+)\.\d+$/.exec(version);
  return match ? `${match[1]}.${Number(match[2]) + 1}.0` : "1.1.0";
}

export type ImproveOptions = {
  /** Id of the result: the base's own (in place) or a new one (a copy, which also gets a name from it). */
  id: string;
  version: string;
  /** Folder the file will sit in (the registry checks the file name against the id). */
  dir: string;
  /** Comment lines put before the YAML. */
  header: string;
};

/** A ConvertedDesign that also says whether anything but the version differs from the base. */
export type ImprovedType =
  | { ok: true; id: string; yaml: string; def: AgentTypeFile; unchanged: boolean }
  | { ok: false; id: string; yaml: string; diagnostics: Diagnostic[] };

export function improveAgentType(base: AgentTypeFile, design: AgentDesign, options: ImproveOptions): ImprovedType {
  const start = agentTypeToDesign(base);
  const text = systemTextOf(design);
  const source = { kind: "user" as const, root: options.dir, file: path.join(options.dir, `${options.id}.yaml`) };
  const validates = (def: AgentTypeFile) =>
    parseAgentTypeFile({ text: stringify(def, { lineWidth: 0 }), source }).type !== undefined;

  // an unchanged prompt keeps its template as written (it may use template code, which a revision never does)
  let def: AgentTypeFile = {
    ...structuredClone(base),
    id: options.id,
    ...(options.id !== base.id ? { name: titleOf(options.id).slice(0, 120) } : {}),
    version: options.version,
    system: text === systemTextOf(start) ? base.system : escapeTemplateText(text),
  };
  const description = design.description?.trim();
  if (description && description !== base.description && validates({ ...def, description }))
    def = { ...def, description };
  const useWhen = (design.use_cases ?? []).join("; ").trim();
  if (useWhen && useWhen !== base.useWhen && validates({ ...def, useWhen })) def = { ...def, useWhen };
  const proposed = design.example_interactions ?? [];
  if (!isDeepStrictEqual(proposed, start.example_interactions)) {
    const examples = proposed
      .filter((e) => e && typeof e.input === "object" && e.input !== null && !Array.isArray(e.input))
      .map((e) => ({ input: e.input as Record<string, unknown>, output: e.output }))
      .filter((example) => validates({ ...def, examples: [example] }))
      .slice(0, 10);
    if (examples.length > 0) def = { ...def, examples };
  }

  const yaml = `${options.header}${stringify(def, { lineWidth: 0 })}`;
  const parsed = parseAgentTypeFile({ text: yaml, source });
  if (!parsed.type) return { ok: false, id: options.id, yaml, diagnostics: parsed.diagnostics };
  const unchanged = options.id === base.id && isDeepStrictEqual({ ...def, version: base.version }, base);
  return { ok: true, id: options.id, yaml, def, unchanged };
}
