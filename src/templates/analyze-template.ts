// Static analysis of a template: which root variables it reads and which helpers it calls, with line and column.
import { KNOWN_HELPERS, parseTemplate } from "./handlebars-env.js";

export type TemplateRef = { name: string; line: number; column: number };
export type TemplateAnalysis = {
  variables: TemplateRef[];
  helpers: TemplateRef[];
  partials: TemplateRef[];
};

/** Blocks whose body runs with a different `this`: names inside them are not root variables. */
const SCOPING_HELPERS = new Set(["each", "with"]);

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

export function analyzeTemplate(source: string): TemplateAnalysis {
  const out: TemplateAnalysis = { variables: [], helpers: [], partials: [] };
  walkProgram(parseTemplate(source), 0, out);
  return out;
}

function at(node: Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 };
}

function walkProgram(program: hbs.AST.Program | undefined, scope: number, out: TemplateAnalysis): void {
  for (const statement of program?.body ?? []) walkNode(statement as Node, scope, out);
}

function walkNode(node: Node, scope: number, out: TemplateAnalysis): void {
  switch (node.type) {
    case "MustacheStatement":
    case "SubExpression": {
      const call = node as hbs.AST.MustacheStatement;
      const hasArgs = call.params.length > 0 || (call.hash?.pairs.length ?? 0) > 0;
      const path = call.path as hbs.AST.PathExpression;
      if (
        path.type === "PathExpression" &&
        (hasArgs || node.type === "SubExpression" || KNOWN_HELPERS.has(path.original))
      ) {
        out.helpers.push({ name: path.original, ...at(path as Node) });
      } else {
        walkExpression(call.path as Node, scope, out);
      }
      walkArgs(call.params, call.hash, scope, out);
      return;
    }
    case "BlockStatement": {
      const block = node as hbs.AST.BlockStatement;
      const name = (block.path as hbs.AST.PathExpression).original;
      out.helpers.push({ name, ...at(block.path as Node) });
      walkArgs(block.params, block.hash, scope, out);
      walkProgram(block.program, SCOPING_HELPERS.has(name) ? scope + 1 : scope, out);
      walkProgram(block.inverse, scope, out);
      return;
    }
    case "PartialStatement":
    case "PartialBlockStatement":
      out.partials.push({
        name: String(
          (node as hbs.AST.PartialStatement).name.type === "PathExpression"
            ? ((node as hbs.AST.PartialStatement).name as hbs.AST.PathExpression).original
            : "partial",
        ),
        ...at(node),
      });
      return;
    default:
      return;
  }
}

function walkArgs(params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, scope: number, out: TemplateAnalysis) {
  for (const param of params) walkExpression(param as Node, scope, out);
  for (const pair of hash?.pairs ?? []) walkExpression(pair.value as Node, scope, out);
}

function walkExpression(node: Node, scope: number, out: TemplateAnalysis): void {
  if (node.type === "SubExpression") {
    walkNode(node, scope, out);
    return;
  }
  if (node.type !== "PathExpression") return;
  const path = node as hbs.AST.PathExpression;
  const parts = path.parts;
  if (path.data) {
    // @root.x is a root variable wherever it appears; @index, @key, @first... are loop data.
    if (parts[0] === "root" && parts[1]) out.variables.push({ name: parts[1], ...at(node) });
    return;
  }
  if (scope > 0 || parts.length === 0) return;
  const name = parts[0];
  if (name) out.variables.push({ name, ...at(node) });
}
