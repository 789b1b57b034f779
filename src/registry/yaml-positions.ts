// Maps a field path inside a parsed YAML document back to its line and column in the file.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

export type Position = { line: number; column: number };

/** Position of the deepest existing node on `path` (a missing key points at its parent). */
export function positionOf(doc: Document, counter: LineCounter, path: ReadonlyArray<string | number>): Position {
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const pos = counter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** File position of a line/column inside a string scalar (a template), accounting for block scalars. */
export function positionInScalar(
  doc: Document,
  counter: LineCounter,
  source: string,
  path: ReadonlyArray<string | number>,
  inner: Position,
): Position {
  const node = doc.getIn(path, true);
  if (!isScalar(node) || !node.range) return positionOf(doc, counter, path);
  const start = counter.linePos(node.range[0]);
  const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  if (!block)
    return { line: start.line + inner.line - 1, column: inner.line === 1 ? start.col + inner.column : inner.column };
  const indent = node.range[0] < node.range[1] ? indentOfLine(source, counter, start.line + 1) : 0;
  return { line: start.line + inner.line, column: indent + inner.column };
}

function indentOfLine(source: string, counter: LineCounter, line: number): number {
  const lineStart = counter.lineStarts[line - 1];
  if (lineStart === undefined) return 2;
  const match = /^ */.exec(source.slice(lineStart));
  return match ? match[0].length : 0;
}

/** Converts an Ajv instance path ("/output/properties/x") to path segments. */
export function pointerToPath(pointer: string): string[] {
  if (!pointer || pointer === "/") return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}
