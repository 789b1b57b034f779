import { describe, expect, it } from "vitest";
import { extractJson } from "../../src/engine/extract-json.js";
import { capBytes, checkOutput } from "../../src/engine/check-output.js";
import { getValidator } from "../../src/validation/json-validator.js";

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

  it.each([["empty", ""], ["prose only", "I cannot do that."], ["unbalanced", '{"a": 1'], ["a single quote object", "{'a': 1}"]])("reports no JSON for %s, without throwing", (_n, text) => {
    const r = extractJson(text);
    expect(r.ok).toBe(false);
  });

  it("validates against the schema and keeps the message of what failed", () => {
    const validate = getValidator({ type: "object", required: ["x"], properties: { x: { type: "number" } } });
    expect(checkOutput({ text: '{"x": 1}', format: "json", validate, maxOutputBytes: 100 })).toEqual({ status: "ok", output: { x: 1 } });
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
