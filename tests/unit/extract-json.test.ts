import { describe, expect, it } from "vitest";
import {
  checkJsonSyntax,
  extractJson,
  extractJsonCandidates,
  MAX_JSON_CANDIDATES,
  MAX_JSON_DEPTH,
  MAX_JSON_INPUT_CHARS,
} from "../../src/engine/extract-json.js";
import { checkOutput } from "../../src/engine/check-output.js";
import { capBytes } from "../../src/engine/port.js";
import { getValidator } from "../../src/validation/json-validator.js";
import { hostileInputs, proseAnswers } from "../../testing/hostile-output/corpus.js";
import { previousExtractJson } from "../../testing/hostile-output/previous-extract-json.js";

describe("extractJson: model output is untrusted text", () => {
  it.each([
    ["plain JSON", '{"a":1}', { a: 1 }],
    ["a json code fence", 'Here:\n```json\n{"a": 2}\n```', { a: 2 }],
    ["a bare code fence", '```\n{"a": 3}\n```', { a: 3 }],
    ["prose before and after", 'Sure! {"a": {"b": "}"}} Hope this helps.', { a: { b: "}" } }],
    ["an array", "[1, 2]", [1, 2]],
    ["braces inside strings", 'x {"s": "a { b"} y', { s: "a { b" }],
    ["a later object when an earlier brace is prose", 'Use {curly} braces: {"ok": true}', { ok: true }],
  ])("finds the JSON in %s", (_n, text, value) => {
    expect(extractJson(text)).toEqual({ ok: true, value });
  });

  it.each([
    ["empty", ""],
    ["prose only", "I cannot do that."],
    ["unbalanced", '{"a": 1'],
    ["a single quote object", "{'a': 1}"],
  ])("reports no JSON for %s, without throwing", (_n, text) => {
    const r = extractJson(text);
    expect(r.ok).toBe(false);
  });

  it("validates against the schema and keeps the message of what failed", () => {
    const validate = getValidator({ type: "object", required: ["x"], properties: { x: { type: "number" } } });
    expect(checkOutput({ text: '{"x": 1}', format: "json", validate, maxOutputBytes: 100 })).toEqual({
      status: "ok",
      output: { x: 1 },
    });
    const bad = checkOutput({ text: '{"x": "1"}', format: "json", validate, maxOutputBytes: 100 });
    expect(bad).toMatchObject({ status: "invalid" });
    expect((bad as { error: string }).error).toMatch(/\/x must be number/);
  });

  it("says when a JSON answer was cut at the output cap", () => {
    const r = checkOutput({ text: '{"x": "abc', truncated: true, format: "json", maxOutputBytes: 10 });
    expect((r as { error: string }).error).toMatch(/cut at 10 bytes/);
  });

  it("caps bytes without splitting a character", () => {
    expect(capBytes("héllo", 2)).toEqual({ text: "h", truncated: true });
    expect(capBytes("abc", 10)).toEqual({ text: "abc", truncated: false });
  });
});

describe("extractJsonCandidates: every JSON value in the answer, best first", () => {
  const values = (text: string) => {
    const found = extractJsonCandidates(text);
    return found.ok ? found.values : found.error;
  };

  it("lists the whole text alone when it is JSON", () => {
    expect(values('  {"a": [1, {"b": 2}]}\n')).toEqual([{ a: [1, { b: 2 }] }]);
    expect(values("42")).toEqual([42]);
  });

  it("lists fenced blocks first, then values in prose, each once", () => {
    const text = 'Example: {"x": 0}\n```json\n{"x": 1}\n```\nAlso [2] and ```\n"fenced string"\n```';
    expect(values(text)).toEqual([{ x: 1 }, "fenced string", { x: 0 }, [2]]);
  });

  it("never lists a part of a value it took", () => {
    expect(values('Answer: {"summary": 5, "meta": {"summary": "x"}} done')).toEqual([
      { summary: 5, meta: { summary: "x" } },
    ]);
  });

  it("lists the values inside a broken one, as the previous extractor did", () => {
    expect(values('Result: {"a": {"b": 1}, oops}')).toEqual([{ b: 1 }]);
    expect(values('[ {"a": 1} ] } {"c": 2}')).toEqual([[{ a: 1 }], { c: 2 }]);
  });

  it.each([
    ["on the same line", 'Size [5" screen] {"a": 1}'],
    ["across lines", '[1, 2,\nA 5" screen.\n{"a": 1}\nok'],
    ["inside balanced brackets across lines", '[1, 2,\nA 5" screen.\n[\n  {"a": 1}\n]\nsee'],
  ])("finds JSON after a stray quote inside brackets, %s", (_n, text) => {
    expect(extractJson(text)).toMatchObject({ ok: true });
    expect(JSON.stringify(values(text))).toContain('{"a":1}');
  });

  it(`refuses a value nested deeper than ${MAX_JSON_DEPTH} levels, and the values inside it`, () => {
    const nested = (depth: number) => `${"[".repeat(depth)}{"a": 1}${"]".repeat(depth)}`;
    expect(values(nested(MAX_JSON_DEPTH - 1))).toHaveLength(1);
    expect(values(`Answer: ${nested(MAX_JSON_DEPTH)}`)).toMatch(
      /the \[\.\.\.\] at offset 8 breaks at offset 136: nests deeper than 128 levels/,
    );
  });

  it(`stops at ${MAX_JSON_CANDIDATES} values`, () => {
    expect(values("[1] ".repeat(100))).toHaveLength(MAX_JSON_CANDIDATES);
  });

  it("says where the longest broken candidate breaks, counted in the answer as given", () => {
    expect(values('  Sure! {"a": 1,} and {x}')).toBe(
      'no JSON value found in the answer; the {...} at offset 8 breaks at offset 16: expected a string, found "}"',
    );
    expect(values("I cannot do that.")).toBe(
      'no JSON value found in the answer; the text breaks at offset 0: expected a value, found "I"',
    );
  });

  it(`refuses an answer over ${MAX_JSON_INPUT_CHARS} characters without reading it`, () => {
    expect(values(`${" ".repeat(MAX_JSON_INPUT_CHARS)}{}`)).toMatch(/over the 1048576 read for JSON/);
  });

  it("finds the value the previous extractor found, in 2000 realistic answers", () => {
    for (const text of proseAnswers(2000)) {
      const before = previousExtractJson(text);
      expect(extractJson(text), text).toEqual(before.ok ? before : { ok: false, error: expect.any(String) });
    }
  });
});

describe("checkJsonSyntax: JSON.parse's grammar without building anything", () => {
  it("agrees with JSON.parse on 20000 random near-JSON texts", () => {
    const tokens = [
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      '"a"',
      '"',
      "\\",
      "\\u00e9",
      "\\u00g9",
      "\\x",
      "\\n",
      "1",
      "-",
      "0",
      ".",
      "e",
      "E",
      "+",
      "01",
      "1.5e-3",
      "-0.0E+2",
      "true",
      "fals",
      "null",
      " ",
      "\n",
      "\t",
      "\r",
      "\u0001",
      "\u00a0",
      "é",
      "\ud83d",
      "\u2028",
      "x",
    ];
    let seed = 3;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const valid = (text: string) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    };
    let accepted = 0;
    for (let n = 0; n < 20000; n++) {
      let text = JSON.stringify({ k: [1, "s\n", { d: null }], e: -0.5e3, t: true, u: "é\ud83d" }, null, n % 3);
      const cut = next(text.length);
      if (n % 2) text = text.slice(0, cut) + tokens[next(tokens.length)] + text.slice(cut + next(2));
      else text = Array.from({ length: 1 + next(8) }, () => tokens[next(tokens.length)]).join("");
      expect(checkJsonSyntax(text) === undefined, text).toBe(valid(text));
      if (valid(text)) accepted++;
    }
    expect(accepted).toBeGreaterThan(2000); // both kinds well represented
    expect(accepted).toBeLessThan(18000);
  });

  it("points at the first offending character", () => {
    expect(checkJsonSyntax('{"a": [1, 2,]}')).toEqual({ at: 12, message: 'expected a value, found "]"' });
    expect(checkJsonSyntax('{"a": "x\ny"}')).toEqual({
      at: 8,
      message: 'expected no control character in a string, found "\\n"',
    });
    expect(checkJsonSyntax("[1] x")).toEqual({ at: 4, message: 'expected the end of the value, found "x"' });
  });
});

describe("extractJson on hostile answers of 1 MiB", () => {
  it.each(hostileInputs(1024 * 1024).map((input) => [input.name, input] as const))(
    "returns what %s should give",
    (_n, input) => {
      const found = extractJson(input.text);
      if (input.expect === "nothing") expect(found.ok).toBe(false);
      else if (input.expect !== "anything") expect(found).toEqual({ ok: true, value: input.expect.finds });
    },
  );
});
