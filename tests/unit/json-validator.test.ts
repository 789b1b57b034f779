import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { checkJsonSchema, getValidator, SchemaCompileError } from "../../src/validation/json-validator.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

/** Full collections after the current job, so WeakRefs made in it may be cleared. */
async function collect() {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
  }
}

describe("getValidator", () => {
  it("compiles schemas that share an $id side by side, each validating by its own rules", () => {
    const loose = getValidator({ $id: "urn:test:same", type: "object", properties: { n: { type: "number" } } });
    const strict = getValidator({
      $id: "urn:test:same",
      type: "object",
      required: ["n"],
      properties: { n: { type: "number", minimum: 10 } },
    });
    expect(loose({}).valid).toBe(true);
    expect(strict({ n: 3 })).toMatchObject({ valid: false, errorMessage: "/n must be >= 10" });
  });

  it("resolves a $ref through the schema's own $id", () => {
    const validate = getValidator({
      $id: "urn:test:self",
      definitions: { word: { type: "string" } },
      type: "object",
      properties: { w: { $ref: "urn:test:self#/definitions/word" } },
    });
    expect(validate({ w: "a" }).valid).toBe(true);
    expect(validate({ w: 1 }).valid).toBe(false);
  });

  it("keeps nothing of a schema once the schema is dropped", async () => {
    const refs = ((): Array<WeakRef<object>> => {
      const schema = {
        $id: "urn:test:dropped",
        type: "object",
        properties: { x: { type: "string", pattern: "^dropped-[0-9]+$" } },
      };
      const validate = getValidator(schema);
      expect(validate({ x: "dropped-1" }).valid).toBe(true);
      return [new WeakRef(schema), new WeakRef(validate)];
    })();
    await collect();
    expect(refs.map((r) => r.deref())).toEqual([undefined, undefined]);
  });

  it("throws a SchemaCompileError saying what is wrong with an invalid schema", () => {
    expect(() => getValidator({ type: "strin" })).toThrow(SchemaCompileError);
    expect(() => getValidator({ type: "strin" })).toThrow(
      /schema is invalid: .*type must be equal to one of the allowed values/,
    );
    expect(() => getValidator({ properties: { a: { $ref: "#/definitions/missing" } } })).toThrow(
      /can't resolve reference #\/definitions\/missing/,
    );
  });
});

describe("checkJsonSchema", () => {
  it("returns undefined for a usable schema and the problem for an unusable one", () => {
    expect(checkJsonSchema({ type: "object" })).toBeUndefined();
    expect(checkJsonSchema("object")).toBe("must be a JSON Schema object");
    expect(checkJsonSchema({ $schema: "https://example.com/unknown-meta", type: "object" })).toMatch(
      /no schema with key or ref "https:\/\/example.com\/unknown-meta"/,
    );
  });
});
