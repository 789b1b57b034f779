import { describe, expect, it } from "vitest";
import { UserInputError } from "../../src/errors.js";
import { MAX_OUTPUT_SCHEMA_BYTES, compileCallOutputSchema } from "../../src/runs/call-output-schema.js";

const refusal = (schema: unknown) => {
  try {
    compileCallOutputSchema(schema, "agents[1]");
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error("the schema was accepted");
};

describe("a call's outputSchema", () => {
  it("compiles a valid schema into a validator of answers", () => {
    const validate = compileCallOutputSchema(
      { type: "object", required: ["n"], properties: { n: { type: "integer" }, pattern: { type: "string" } } },
      "agents[0]",
    );
    expect(validate({ n: 3, pattern: "a property may be called pattern" }).valid).toBe(true);
    expect(validate({ n: "3" }).valid).toBe(false);
  });

  it("is refused, naming the field, value and fix, when it is not an object schema", () => {
    const e = refusal({ type: "array", items: { type: "string" } });
    expect(e.field).toBe("agents[1].outputSchema");
    expect(e.message).toContain('root must have type "object"');
    expect(e.message).toContain("wrap it");
    expect(refusal("a string").message).toContain("must be a JSON Schema object");
  });

  it("is refused when it is over the size cap", () => {
    const properties = Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`field_${i}`, { type: "string", description: "x".repeat(20) }]),
    );
    const e = refusal({ type: "object", properties });
    expect(e.message).toContain(`over the ${MAX_OUTPUT_SCHEMA_BYTES}-byte limit`);
  });

  it("refuses keywords that would run the caller's regular expressions on untrusted answers", () => {
    const pattern = refusal({ type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } });
    expect(pattern.message).toContain('uses "pattern" at /properties/a/pattern');
    expect(refusal({ type: "object", patternProperties: { "^x": {} } }).message).toContain("patternProperties");
  });

  it("refuses references: a small schema whose reference is expanded at every use cannot compile into a huge validator", () => {
    // 250 uses of one 200-property definition: 14.5 KB, compiled in 26 s and 1.3 GB before this was refused.
    const a = { properties: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, { type: "string" }])) };
    const expanded = {
      type: "object",
      definitions: { a },
      allOf: Array.from({ length: 250 }, () => ({ $ref: "#/definitions/a" })),
    };
    expect(refusal(expanded).message).toContain('uses "definitions"');
    // A self-referencing anyOf checked answers in exponential time (32 s for 134 bytes; out of memory at depth 24).
    const recursive = { type: "object", properties: { n: { $ref: "#" } } };
    expect(refusal(recursive).message).toContain('uses "$ref" at /properties/n/$ref');
    expect(refusal({ type: "object", $defs: {} }).message).toContain("$defs");
    expect(refusal({ type: "object", $id: "https://x.example/s" }).message).toContain("$id");
  });

  it("bounds what checking an answer can cost: subschemas, branches, and pairwise uniqueItems", () => {
    const wide = { type: "object", anyOf: Array.from({ length: 65 }, () => ({ required: ["a"] })) };
    expect(refusal(wide).message).toContain("more than 64 anyOf/oneOf/allOf branches");
    const many = {
      type: "object",
      properties: Object.fromEntries(Array.from({ length: 401 }, (_, i) => [`p${i}`, {}])),
    };
    expect(refusal(many).message).toContain("more than 400 subschemas");
    const unique = { type: "object", properties: { a: { type: "array", uniqueItems: true } } };
    expect(refusal(unique).message).toContain("without maxItems of at most 100");
    const bounded = { type: "object", properties: { a: { type: "array", uniqueItems: true, maxItems: 50 } } };
    expect(compileCallOutputSchema(bounded, "agents[0]")({ a: [1, 2, 2] }).valid).toBe(false);
  });

  it("checks an answer without rewriting it: defaults are not filled in, formats are not enforced", () => {
    const schema = {
      type: "object",
      properties: {
        a: {
          type: "array",
          items: { type: "object", properties: { p: { type: "string", default: "x".repeat(15_000) } } },
        },
        mail: { type: "string", format: "email" },
        price: { type: "number", multipleOf: 0.1 },
      },
    };
    const answer = { a: [{}, {}, {}], mail: "not an email", price: 0.3 };
    const result = compileCallOutputSchema(schema, "agents[0]")(answer);
    expect(result.valid).toBe(true);
    expect(answer).toEqual({ a: [{}, {}, {}], mail: "not an email", price: 0.3 }); // 45 KB of defaults were added before
  });

  it("data and names are never taken for keywords", () => {
    const validate = compileCallOutputSchema(
      {
        type: "object",
        required: ["pattern"],
        properties: { pattern: { enum: [{ pattern: 1 }, "$ref"] } },
        dependencies: { pattern: ["other"] },
      },
      "agents[0]",
    );
    expect(validate({ pattern: { pattern: 1 }, other: 1 }).valid).toBe(true);
  });

  it("is refused when it is not a valid JSON Schema, or nests without end", () => {
    expect(refusal({ type: "object", properties: { a: { type: "strnig" } } }).message).toContain(
      "is not a valid JSON Schema",
    );
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 40; i++) deep = { type: "object", properties: { a: deep } };
    expect(refusal(deep).message).toContain("nests deeper than");
  });
});
