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

  it("refuses keywords that would run the caller's regular expressions or remote references on untrusted answers", () => {
    const pattern = refusal({ type: "object", properties: { a: { type: "string", pattern: "^(a+)+$" } } });
    expect(pattern.message).toContain('uses "pattern" at /properties/a/pattern');
    expect(refusal({ type: "object", patternProperties: { "^x": {} } }).message).toContain("patternProperties");
    expect(refusal({ type: "object", properties: { a: { $ref: "https://evil.example/s.json" } } }).message).toContain(
      "only references inside the schema",
    );
    const local = compileCallOutputSchema(
      { type: "object", definitions: { n: { type: "number" } }, properties: { a: { $ref: "#/definitions/n" } } },
      "agents[0]",
    );
    expect(local({ a: 1 }).valid).toBe(true);
    expect(local({ a: "x" }).valid).toBe(false);
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
