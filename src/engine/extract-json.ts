// Guarded extraction of one JSON value from model text: fences, prose around it, never a bare JSON.parse that throws.

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; error: string };

const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/g;

export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "the answer is empty" };
  const direct = tryParse(trimmed);
  if (direct.ok) return direct;
  for (const match of trimmed.matchAll(FENCE)) {
    const inner = tryParse((match[1] ?? "").trim());
    if (inner.ok) return inner;
  }
  // Prose around the JSON: try each balanced {...} or [...] span, first to last.
  for (let start = 0; start < trimmed.length; start++) {
    const ch = trimmed[start];
    if (ch !== "{" && ch !== "[") continue;
    const end = matchingBracket(trimmed, start);
    if (end === -1) continue;
    const candidate = tryParse(trimmed.slice(start, end + 1));
    if (candidate.ok && typeof candidate.value === "object" && candidate.value !== null) return candidate;
  }
  return { ok: false, error: `no JSON value found in the answer (${direct.error})` };
}

function tryParse(text: string): JsonExtraction {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Index of the bracket closing the one at `start`, skipping strings; -1 when unbalanced. */
function matchingBracket(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") stack.push("}");
    else if (ch === "[") stack.push("]");
    else if (ch === "}" || ch === "]") {
      if (stack.pop() !== ch) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
