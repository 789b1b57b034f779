// The isolated Handlebars environment every template is compiled in: no HTML escaping, strict, a few data helpers.
import Handlebars from "handlebars";
import { fenceText } from "../text/fence-text.js";

const env = Handlebars.create();

/** `{{json value}}` or `{{json value 0}}`: the value as JSON (indented by 2 unless an indent is given). */
env.registerHelper("json", (value: unknown, ...rest: unknown[]) => {
  const indent = rest.length > 1 && typeof rest[0] === "number" ? rest[0] : 2;
  return JSON.stringify(value ?? null, null, indent);
});

/** `{{fence value "ts"}}`: the value inside a code fence longer than any backtick run it contains, so data cannot close it. */
env.registerHelper("fence", (value: unknown, ...rest: unknown[]) => {
  const lang = rest.length > 1 && typeof rest[0] === "string" ? rest[0] : "";
  return fenceText(typeof value === "string" ? value : JSON.stringify(value ?? null, null, 2), lang);
});

/** `{{join list ", "}}`: array items joined (default separator ", "). */
env.registerHelper("join", (value: unknown, ...rest: unknown[]) => {
  const sep = rest.length > 1 && typeof rest[0] === "string" ? rest[0] : ", ";
  return Array.isArray(value) ? value.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(sep) : "";
});

/** `{{#if (eq a b)}}`: strict equality. */
env.registerHelper("eq", (a: unknown, b: unknown) => a === b);

export const BUILTIN_HELPERS = ["if", "unless", "each", "with", "lookup", "log"] as const;
export const CUSTOM_HELPERS = ["json", "fence", "join", "eq"] as const;
export const KNOWN_HELPERS: ReadonlySet<string> = new Set([...BUILTIN_HELPERS, ...CUSTOM_HELPERS]);

export type CompiledTemplate = (context: Record<string, unknown>) => string;

/** Compile a template from an agent-type file (never from chat text). Unknown helpers fail at compile time. */
export function compileTemplate(source: string): CompiledTemplate {
  const knownHelpers = Object.fromEntries([...KNOWN_HELPERS].map((h) => [h, true]));
  const fn = env.compile(source, { strict: true, noEscape: true, knownHelpers, knownHelpersOnly: true });
  return (context) => fn(context, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}

export function parseTemplate(source: string): hbs.AST.Program {
  return env.parse(source);
}
