import { describe, expect, it } from "vitest";
import type { TSchema } from "@sinclair/typebox";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { AgentDesignSchema, DesignReviewSchema } from "../../src/tools/refine-agent/model-outputs.js";
import { PlanSchema, PlanTaskSchema, SynthesisSchema } from "../../src/tools/orchestrate/model-outputs.js";
import { getValidator } from "../../src/validation/json-validator.js";

type JsonSchema = {
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
};

/** Fields the reader requires that the agent type's schema does not: the code could read a field no check guarantees. */
function unguaranteed(reader: JsonSchema, typeSchema: JsonSchema, root: JsonSchema, path = ""): string[] {
  const resolved = typeSchema.$ref
    ? (root.definitions?.[typeSchema.$ref.replace("#/definitions/", "")] ?? {})
    : typeSchema;
  const missing = (reader.required ?? [])
    .filter((k) => !(resolved.required ?? []).includes(k))
    .map((k) => `${path}/${k}`);
  for (const [key, sub] of Object.entries(reader.properties ?? {})) {
    const other = resolved.properties?.[key];
    if (other) missing.push(...unguaranteed(sub, other, root, `${path}/${key}`));
  }
  if (reader.items && resolved.items) missing.push(...unguaranteed(reader.items, resolved.items, root, `${path}[]`));
  return missing;
}

describe("what the tools read from model answers is guaranteed by the agent types' output schemas", () => {
  it.each<[string, TSchema]>([
    ["agent_creator", AgentDesignSchema],
    ["agent_design_reviewer", DesignReviewSchema],
    ["agent_orchestrator", PlanSchema],
    ["synthesizer", SynthesisSchema],
  ])(
    "%s: every field the reader requires is required by the type, and the type's own example passes the reader",
    async (id, reader) => {
      const { types } = await createRegistry({ roots: catalogueRoots({}) }).refresh();
      const type = types.get(id)!;
      const output = type.def.output as JsonSchema;
      expect(unguaranteed(reader as JsonSchema, output, output)).toEqual([]);
      for (const example of type.def.examples ?? []) {
        const check = getValidator(reader)(example.output);
        expect(check.valid ? "" : check.errorMessage).toBe("");
      }
    },
  );
});

describe("a plan task's fields", () => {
  it("are each declared by agent_orchestrator's output schema, with the same tools values", async () => {
    const { types } = await createRegistry({ roots: catalogueRoots({}) }).refresh();
    type Items = { properties: Record<string, { enum?: string[] }> };
    const output = types.get("agent_orchestrator")!.def.output as unknown as {
      properties: { tasks: { items: Items } };
    };
    const items = output.properties.tasks.items;
    expect(Object.keys(items.properties).sort()).toEqual(Object.keys(PlanTaskSchema.properties).sort());
    expect(items.properties.tools!.enum).toEqual(PlanTaskSchema.properties.tools.anyOf.map((s) => s.const));
  });
});
