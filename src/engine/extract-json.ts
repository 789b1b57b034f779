// Guarded extraction of JSON values from untrusted model text (whole, fenced, in prose), in linear time with hard caps.

export type JsonExtraction = { ok: true; value: unknown } | { ok: false; error: string };
/** Every JSON value found, in order of preference: the whole text, then fenced blocks, then {...}/[...] spans in prose. */
export type JsonCandidates = { ok: true; values: unknown[] } | { ok: false; error: string };

/** Longest text read, in UTF-16 units: the largest answer the engine keeps (LIMITS.maxOutputBytes, 1 MiB) fits. */
export const MAX_JSON_INPUT_CHARS = 1024 * 1024;
/**
 * Most values returned. Not fewer: prose can hold many small ones ("see [1], [2]") before the answer. Values never
 * overlap, so parsing them all reads each character of the answer at most once.
 */
export const MAX_JSON_CANDIDATES = 64;
/** Deepest nesting accepted, as serde_json's default: model answers nest a few levels, and deep values are slow to parse. */
export const MAX_JSON_DEPTH = 128;
/** Fenced blocks looked at: answers hold a few, and a JSON value in a later one is still found in the prose. */
const MAX_FENCES = 32;
/** Syntax-checking budget over all candidates: the search stays within about 4 x the text; this caps it whatever happens. */
const MAX_CHECKED_CHARS = 4 * MAX_JSON_INPUT_CHARS;

const FENCE = /```[a-zA-Z0-9_-]*[ \t]*\r?\n([\s\S]*?)\r?\n?```/dg;
let scratch = new Int32Array(1024);
// A span is stored as its end + 1 in the low END_BITS bits and the pass that found it above (see findSpans).
const END_BITS = 21; // ends reach MAX_JSON_INPUT_CHARS = 2^20
const LAST_PASS = 1023; // 10 bits; a span of this pass or later counts as "pass unknown"
// Character codes: { } [ ] " \ , : - 0 9, and the characters allowed after a backslash in a JSON string.
const [LBRACE, RBRACE, LBRACKET, RBRACKET, QUOTE, BACKSLASH, COMMA, COLON, MINUS, ZERO, NINE] = [
  0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x2c, 0x3a, 0x2d, 0x30, 0x39,
] as const;
const ESCAPED: number[] = [...'"\\/bfnrt'].map((c) => c.charCodeAt(0));

/** The first JSON value of the answer (see `extractJsonCandidates`). */
export function extractJson(text: string): JsonExtraction {
  const found = extractJsonCandidates(text);
  return found.ok ? { ok: true, value: found.values[0] } : found;
}

/**
 * All JSON values in the answer, best first, so a caller with a schema can take the first that fits (an example
 * echoed before the answer does not win). Only text that `checkJsonSyntax` accepted reaches JSON.parse: a failing
 * JSON.parse allocates everything up to the error (1 MB of `[{},{},...` costs over 100 ms), the check allocates nothing.
 */
export function extractJsonCandidates(text: string): JsonCandidates {
  if (text.length > MAX_JSON_INPUT_CHARS)
    return {
      ok: false,
      error: `the answer has ${text.length} characters, over the ${MAX_JSON_INPUT_CHARS} read for JSON`,
    };
  const lead = text.length - text.trimStart().length;
  const t = text.trim();
  if (t === "") return { ok: false, error: "the answer is empty" };
  const search: Search = { text: t, lead, values: [], budget: MAX_CHECKED_CHARS };
  const whole = check(search, 0, t.length);
  if (!whole) return { ok: true, values: search.values };

  const fences = takeFences(search);
  takeSpans(search, fences, whole);
  if (search.values.length > 0) return { ok: true, values: search.values };
  const why = search.rejected ?? { ...whole, what: "the text" };
  return {
    ok: false,
    error: `no JSON value found in the answer; ${why.what} breaks at offset ${why.at + lead}: ${why.message}`,
  };
}

export type JsonSyntaxIssue = { at: number; message: string; tooDeep?: boolean };
type Search = {
  text: string;
  lead: number;
  values: unknown[];
  budget: number;
  rejected?: JsonSyntaxIssue & { what: string; length: number };
};

/** Checks text[from, to) and parses it when valid (the value is added to `values`); returns the issue otherwise. */
function check(search: Search, from: number, to: number): JsonSyntaxIssue | undefined {
  const issue = checkJsonSyntax(search.text, from, to);
  search.budget -= (issue ? issue.at + 1 : to) - from;
  if (issue) return issue;
  try {
    search.values.push(JSON.parse(search.text.slice(from, to)));
    return undefined;
  } catch (error) {
    return { at: from, message: error instanceof Error ? error.message : String(error) }; // the check is stricter than JSON.parse; kept guarded anyway
  }
}

function reject(search: Search, from: number, to: number, issue: JsonSyntaxIssue, kind: string): void {
  // The longest rejected candidate is the likeliest intended answer: its issue is the one worth reporting.
  if (search.rejected && search.rejected.length >= to - from) return;
  search.rejected = { ...issue, what: `the ${kind} at offset ${from + search.lead}`, length: to - from };
}

function full(search: Search): boolean {
  return search.values.length >= MAX_JSON_CANDIDATES || search.budget <= 0;
}

/** Fenced blocks (```json or bare), any JSON value inside; returns the ranges that held one. */
function takeFences(search: Search): Array<[number, number]> {
  const taken: Array<[number, number]> = [];
  let seen = 0;
  for (const match of search.text.matchAll(FENCE)) {
    if (full(search) || seen++ === MAX_FENCES) break;
    const [from, to] = match.indices?.[1] ?? [0, 0];
    if (to === from) continue;
    const issue = check(search, from, to);
    if (issue) reject(search, from, to, issue, "fenced block");
    else taken.push([from, to]);
  }
  return taken;
}

/** Balanced {...}/[...] spans in prose, first to last; a value inside a taken value is a part of it, never a candidate. */
function takeSpans(search: Search, fences: Array<[number, number]>, whole: JsonSyntaxIssue): void {
  const { spans, first, last } = findSpans(search.text);
  // Where the last checked span broke, and the scan pass that found it. A span of that pass around that point (not
  // starting at it) was a value inside the broken one, so it breaks there too: skipping it keeps nested garbage
  // linear. The whole text reads like the first pass when it opens with a bracket.
  const opensWithBracket = search.text[0] === "{" || search.text[0] === "[";
  let brokenAt = opensWithBracket && !whole.tooDeep ? whole.at : -1;
  let brokenPass = 0;
  let takenUntil = 0; // spans starting before this lie inside a taken (or too deep) value
  let fence = 0;
  for (let start = first; start <= last && !full(search); start++) {
    const end = (spans[start]! & ((1 << END_BITS) - 1)) - 1;
    const pass = spans[start]! >>> END_BITS;
    if (end < 0 || start < takenUntil) continue;
    if (pass === brokenPass && start < brokenAt && brokenAt <= end) continue;
    while (fence < fences.length && fences[fence]![1] <= start) fence++;
    if (fence < fences.length && fences[fence]![0] <= start) continue;
    const issue = check(search, start, end + 1);
    if (!issue || issue.tooDeep) takenUntil = end + 1;
    else {
      brokenAt = pass < LAST_PASS ? issue.at : -1;
      brokenPass = pass;
    }
    if (issue) reject(search, start, end + 1, issue, search.text[start] === "{" ? "{...}" : "[...]");
  }
}

/**
 * One pass over the text: spans[start] is 1 + the index of the bracket closing the one at `start`, 0 for none, with
 * the number of the pass that found it in the upper bits. Strings count only inside brackets (a quote in prose is
 * prose). A mismatch, the end of the text or a raw newline in a string fails every open bracket at once, and the scan
 * goes on from there instead of from the next opener: O(n), where restarting at every opener was O(n^2).
 * One exception, bounded to one extra pass over the text in total: when the failed brackets held a quote, that quote
 * may have been prose ("a 5" screen") that hid real JSON inside a "string", so a new pass resumes just after it.
 * `spans` is a view of a scratch buffer, valid until the next call; `first` and `last` bound the starts found.
 */
function findSpans(text: string): { spans: Int32Array; first: number; last: number } {
  const n = text.length;
  // Reused (at most 4 MB): on the project machine a fresh 4 MB typed array cost 10-20 ms of page faults, the scan 3-6 ms.
  if (scratch.length < n) scratch = new Int32Array(Math.min(Math.max(n, 2 * scratch.length), MAX_JSON_INPUT_CHARS));
  const spans = scratch.subarray(0, n).fill(0);
  // The open brackets form a stack threaded through `spans`: spans[open] = -(2 + the enclosing open bracket, or -1).
  let top = -1;
  let inString = false;
  let firstQuote = -1;
  let rescanBudget = n;
  let pass = 0;
  let fail = false;
  let first = n;
  let last = -1;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : -1;
    if (inString) {
      if (c === BACKSLASH && i + 1 < n) i++;
      else if (c === QUOTE) inString = false;
      else if (c < 32) fail = true; // the end, or a raw newline or other control character: no JSON string holds one
    } else if (c === LBRACE || c === LBRACKET) {
      spans[i] = -2 - top;
      top = i;
    } else if (top < 0) {
      continue; // prose
    } else if (c === QUOTE) {
      inString = true;
      if (firstQuote < 0) firstQuote = i;
    } else if (c === RBRACE || c === RBRACKET) {
      if (text.charCodeAt(top) !== (c === RBRACE ? LBRACE : LBRACKET)) fail = true;
      else {
        const start = top;
        top = -2 - spans[start]!;
        spans[start] = (i + 1) | (pass << END_BITS);
        if (start < first) first = start;
        if (start > last) last = start;
        if (top < 0) firstQuote = -1;
      }
    } else if (c < 0) fail = true;
    if (!fail) continue;
    fail = false;
    for (let open = top; open >= 0; open = top) {
      top = -2 - spans[open]!;
      spans[open] = 0;
    }
    inString = false;
    if (firstQuote >= 0 && i - firstQuote <= rescanBudget) {
      rescanBudget -= i - firstQuote;
      i = firstQuote; // the loop's i++ resumes just after the quote
      pass = Math.min(pass + 1, LAST_PASS);
    }
    firstQuote = -1;
  }
  return { spans, first, last };
}

/**
 * Whether text[from, to) is exactly one JSON value (JSON whitespace around it allowed), as JSON.parse would say, and
 * nests at most MAX_JSON_DEPTH levels; the first offending offset otherwise. Builds nothing, so garbage costs one pass.
 */
export function checkJsonSyntax(text: string, from = 0, to = text.length): JsonSyntaxIssue | undefined {
  const stack: number[] = []; // the open brackets' characters
  let i = from;
  for (;;) {
    // A value starts here.
    i = skipSpace(text, i, to);
    const c = i < to ? text.charCodeAt(i) : -1;
    if (c === LBRACE || c === LBRACKET) {
      if (stack.length === MAX_JSON_DEPTH)
        return { at: i, message: `nests deeper than ${MAX_JSON_DEPTH} levels`, tooDeep: true };
      i = skipSpace(text, i + 1, to);
      if (i < to && text.charCodeAt(i) === closerOf(c))
        i++; // {} or []
      else {
        stack.push(c);
        if (c === LBRACKET) continue;
        i = skipKey(text, i, to);
        if (i < 0) return missed(text, ~i, to);
        continue;
      }
    } else if (c === QUOTE) i = skipString(text, i, to);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) i = skipNumber(text, i, to);
    else i = skipLiteral(text, i, to);
    if (i < 0) return missed(text, ~i, to);
    // After a value: close brackets, or a comma and the next value.
    for (;;) {
      i = skipSpace(text, i, to);
      if (stack.length === 0) return i === to ? undefined : missed(text, i, to, "the end of the value");
      const top = stack[stack.length - 1]!;
      const d = i < to ? text.charCodeAt(i) : -1;
      if (d === closerOf(top)) {
        stack.pop();
        i++;
        continue;
      }
      if (d !== COMMA) return missed(text, i, to, top === LBRACE ? "',' or '}'" : "',' or ']'");
      i++;
      if (top === LBRACE) {
        i = skipKey(text, skipSpace(text, i, to), to);
        if (i < 0) return missed(text, ~i, to);
      }
      break;
    }
  }
}

// The helpers below return the index after what they skipped, or ~index of the first offending character with
// `expected` saying what should have been there: the position stays a plain local, where the scan spends its time.
let expected = "";

function miss(at: number, what: string): number {
  expected = what;
  return ~at;
}

function missed(text: string, at: number, to: number, what = expected): JsonSyntaxIssue {
  return { at, message: `expected ${what}, found ${at < to ? JSON.stringify(text[at]) : "the end"}` };
}

function closerOf(opener: number): number {
  return opener === LBRACE ? RBRACE : RBRACKET;
}

function skipSpace(text: string, i: number, to: number): number {
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
  }
  return i;
}

function skipKey(text: string, i: number, to: number): number {
  if (i >= to || text.charCodeAt(i) !== QUOTE) return miss(i, "a string");
  i = skipString(text, i, to);
  if (i < 0) return i;
  i = skipSpace(text, i, to);
  if (i >= to || text.charCodeAt(i) !== COLON) return miss(i, "':'");
  return i + 1;
}

/** From the opening quote. */
function skipString(text: string, i: number, to: number): number {
  for (i++; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 32) return miss(i, "no control character in a string");
    if (c !== BACKSLASH) continue;
    const e = ++i < to ? text.charCodeAt(i) : -1;
    if (e === 117) {
      for (let k = 0; k < 4; k++)
        if (++i >= to || !isHex(text.charCodeAt(i))) return miss(i, "four hex digits after \\u");
    } else if (!ESCAPED.includes(e)) return miss(i, "an escape");
  }
  return miss(i, "a closing quote");
}

/** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function skipNumber(text: string, i: number, to: number): number {
  if (text.charCodeAt(i) === MINUS) i++;
  if (i < to && text.charCodeAt(i) === ZERO) i++;
  else if ((i = skipDigits(text, i, to)) < 0) return i;
  if (i < to && text.charCodeAt(i) === 46 && (i = skipDigits(text, i + 1, to)) < 0) return i;
  if (i < to && (text.charCodeAt(i) | 32) === 101) {
    i++;
    if (i < to && (text.charCodeAt(i) === 43 || text.charCodeAt(i) === MINUS)) i++;
    i = skipDigits(text, i, to);
  }
  return i;
}

/** One digit or more. */
function skipDigits(text: string, i: number, to: number): number {
  const start = i;
  for (; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
  }
  return i > start ? i : miss(i, "a digit");
}

function skipLiteral(text: string, i: number, to: number): number {
  const c = text.charCodeAt(i);
  const word = c === 116 ? "true" : c === 102 ? "false" : c === 110 ? "null" : "";
  return word && i + word.length <= to && text.startsWith(word, i) ? i + word.length : miss(i, "a value");
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
