// The catalogue as the planner reads it: each type's id, what it does and when to use it, how it answers, whether it
// uses the host's tools, and its input fields one line each. It goes into every planner prompt, so every text is
// clipped to one line and the whole list is capped.
import type { AgentType } from "../../registry/agent-type.js";

/** One type as the planner's input lists it (agent_orchestrator's `catalogue` items). */
export type PlannerCatalogueEntry = {
  id: string;
  description: string;
  useWhen: string;
  outputFormat: string;
  /** Present only when the type runs with the host's tools by default. */
  tools?: "host";
  /** One line per input field: `name (type, required|optional[, default x]): description`. Empty: it takes none. */
  inputs: string[];
};

export type PlannerCatalogueLimits = {
  /** Characters of a type's description, and of its useWhen. @default 240 */
  textChars: number;
  /** Characters of one input line. @default 160 */
  inputLineChars: number;
  /** Input fields listed per type; the rest are counted in one last line. @default 8 */
  inputLines: number;
  /** Characters of the whole catalogue as rendered (about); types past it are left out and counted. @default 24_000 */
  totalChars: number;
};

export const PLANNER_CATALOGUE_LIMITS: PlannerCatalogueLimits = {
  textChars: 240,
  inputLineChars: 160,
  inputLines: 8,
  totalChars: 24_000,
};

/** The planner's own types, never planned as tasks. */
const NOT_PLANNABLE = new Set(["agent_orchestrator", "synthesizer"]);
/** The template's fixed text around one entry ("- ", ": ", " Use when: ", "  output: ", "; tools: host", newlines). */
const ENTRY_OVERHEAD = 48;
const INPUT_LINE_OVERHEAD = 9;

/** The entries for the planner, in catalogue order, and how many types did not fit in `totalChars`. */
export function plannerCatalogue(
  types: Iterable<AgentType>,
  limits: PlannerCatalogueLimits = PLANNER_CATALOGUE_LIMITS,
): { entries: PlannerCatalogueEntry[]; omitted: number } {
  const entries: PlannerCatalogueEntry[] = [];
  let chars = 0;
  let omitted = 0;
  for (const type of types) {
    if (NOT_PLANNABLE.has(type.def.id)) continue;
    const entry = catalogueEntry(type, limits);
    const size = entrySize(entry);
    if (chars + size > limits.totalChars) {
      omitted++;
      continue;
    }
    chars += size;
    entries.push(entry);
  }
  return { entries, omitted };
}

/** About how many characters an entry takes once rendered by agent_orchestrator's task template. */
export function entrySize(entry: PlannerCatalogueEntry): number {
  const inputs = entry.inputs.length === 0 ? ["none"] : entry.inputs;
  return (
    ENTRY_OVERHEAD +
    entry.id.length +
    entry.description.length +
    entry.useWhen.length +
    entry.outputFormat.length +
    inputs.reduce((n, line) => n + line.length + INPUT_LINE_OVERHEAD, 0)
  );
}

function catalogueEntry(type: AgentType, limits: PlannerCatalogueLimits): PlannerCatalogueEntry {
  const def = type.def;
  return {
    id: def.id,
    description: oneLine(def.description, limits.textChars),
    useWhen: oneLine(def.useWhen, limits.textChars),
    outputFormat: def.outputFormat,
    ...(def.tools === "host" ? { tools: "host" as const } : {}),
    inputs: inputLines(def.input, limits),
  };
}

type PropertySchema = {
  type?: unknown;
  enum?: unknown;
  items?: { type?: unknown };
  description?: unknown;
  default?: unknown;
};

function inputLines(
  schema: { properties?: Record<string, unknown>; required?: string[] } | undefined,
  limits: PlannerCatalogueLimits,
): string[] {
  const required = new Set(schema?.required ?? []);
  // required fields first, so a cap on lines never hides one the planner must give
  const properties = Object.entries(schema?.properties ?? {}).sort(
    ([a], [b]) => Number(required.has(b)) - Number(required.has(a)),
  );
  const lines = properties.slice(0, limits.inputLines).map(([name, raw]) => {
    const property = (typeof raw === "object" && raw !== null ? raw : {}) as PropertySchema;
    const facts = [typeText(property), required.has(name) ? "required" : "optional"];
    if (property.default !== undefined) facts.push(`default ${JSON.stringify(property.default)}`);
    const about = typeof property.description === "string" ? `: ${property.description}` : "";
    return oneLine(`${oneLine(name, 64)} (${facts.join(", ")})${about}`, limits.inputLineChars);
  });
  const rest = properties.slice(lines.length).map(([name]) => name);
  const restRequired = rest.filter((name) => required.has(name));
  if (rest.length > 0)
    lines.push(
      oneLine(
        `... ${rest.length} more fields${restRequired.length > 0 ? `, required: ${restRequired.join(", ")}` : ", all optional"}`,
        limits.inputLineChars,
      ),
    );
  return lines;
}

/** `string`, `integer`, `array of string`, `one of a, b, c`, `string/null`; `any` when the schema does not say. */
function typeText(property: PropertySchema): string {
  if (Array.isArray(property.enum))
    return oneLine(
      `one of ${property.enum.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ")}`,
      80,
    );
  const type = Array.isArray(property.type) ? property.type.join("/") : property.type;
  if (type === "array" && typeof property.items?.type === "string") return `array of ${property.items.type}`;
  return typeof type === "string" ? type : "any";
}

/** Whitespace collapsed (a newline would break the list's layout), clipped to `max` characters at a word break. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 3);
  const space = flat[cut.length] === " " ? cut.length : cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}...`;
}
