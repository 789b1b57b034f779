import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { AgentTypeFile } from "../../src/registry/agent-type-schema.js";
import { agentTypeToDesign, type AgentDesign } from "../../src/tools/refine-agent/design-to-agent-type.js";
import { improveAgentType, nextMinorVersion } from "../../src/tools/refine-agent/improve-agent-type.js";

/** A small type with every field an improvement must keep, and a system prompt that uses template code. */
const BASE: AgentTypeFile = {
  id: "sql_reviewer",
  name: "SQL Reviewer",
  version: "2.3.1",
  category: "qa",
  description: "Reviews SQL.",
  useWhen: "A query should be checked.",
  tier: "premium",
  timeoutSeconds: 90,
  outputFormat: "json",
  tools: "host",
  system: "You review SQL{{#if dialect}} for {{dialect}}{{/if}}. Name each problem and its fix.\n",
  task: "{{task}}\n{{#if query}}{{fence query}}{{/if}}\n",
  input: {
    type: "object",
    properties: { query: { type: "string" }, dialect: { type: "string" } },
    additionalProperties: false,
  } as AgentTypeFile["input"],
  output: { type: "object", required: ["issues"], properties: { issues: { type: "array" } } },
  examples: [{ input: { query: "select 1" }, output: { issues: [] } }],
  rubric: [{ dimension: "correctness", weight: 1, description: "Finds the real problems." }],
  tags: ["sql"],
};

const OPTIONS = { id: "sql_reviewer", version: "2.4.0", dir: "/user/agents", header: "# improved\n" };

function improve(changes: Partial<AgentDesign>, options = OPTIONS) {
  const result = improveAgentType(BASE, { ...agentTypeToDesign(BASE), ...changes }, options);
  if (!result.ok) throw new Error(JSON.stringify(result.diagnostics));
  return { ...result, saved: parse(result.yaml) as AgentTypeFile };
}

describe("nextMinorVersion", () => {
  it.each([
    ["1.0.0", "1.1.0"],
    ["1.1.0", "1.2.0"],
    ["2.9.4", "2.10.0"],
    ["0.0.7", "0.1.0"],
  ])("%s -> %s", (from, to) => expect(nextMinorVersion(from)).toBe(to));
});

describe("improveAgentType: an existing type with an improved design", () => {
  it("keeps the contract (template, schemas, tier, tools, rubric, category, id) and takes the new prompt", () => {
    const { saved, unchanged } = improve({ system_prompt: "You review SQL carefully; name each problem and fix." });
    const { system, version, ...contract } = saved;
    const { system: _s, version: _v, ...baseContract } = BASE;
    expect(contract).toEqual(baseContract);
    expect(version).toBe("2.4.0");
    expect(system).toBe("You review SQL carefully; name each problem and fix.");
    expect(unchanged).toBe(false);
  });

  it("ignores the design's own version, schemas and name", () => {
    const { saved } = improve({
      agent_name: "other",
      version: "9.0.0",
      input_schema: { type: "object", properties: { sql: { type: "number" } } },
      output_schema: { type: "object" },
      system_prompt: "Revised.",
    });
    expect(saved).toMatchObject({ id: "sql_reviewer", version: "2.4.0", input: BASE.input, output: BASE.output });
  });

  it("is unchanged when only the version would differ, and then keeps the template code of the prompt", () => {
    const { saved, unchanged } = improve({});
    expect(unchanged).toBe(true);
    expect(saved.system).toBe(BASE.system);
  });

  it("writes a revised prompt as literal text", () => {
    const { saved } = improve({ system_prompt: "Print {{dialect}} literally." });
    expect(saved.system).toBe("Print \\{{dialect}} literally.");
  });

  it("takes a new description, useWhen and examples when they validate", () => {
    const { saved } = improve({
      description: "Reviews SQL for correctness and speed.",
      use_cases: ["before a migration", "slow queries"],
      example_interactions: [{ input: { query: "select * from t" }, output: { issues: ["select *"] } }],
    });
    expect(saved.description).toBe("Reviews SQL for correctness and speed.");
    expect(saved.useWhen).toBe("before a migration; slow queries");
    expect(saved.examples).toEqual([{ input: { query: "select * from t" }, output: { issues: ["select *"] } }]);
  });

  it("keeps the base's description and examples where the new ones do not validate", () => {
    const { saved } = improve({
      description: "x".repeat(1001),
      example_interactions: [
        { input: { sql: "select 1" }, output: { issues: [] } }, // not in the input schema
        { input: { query: "select 1" }, output: {} }, // misses a required output field
      ],
    });
    expect(saved.description).toBe(BASE.description);
    expect(saved.examples).toEqual(BASE.examples);
  });

  it("under a new id (a copy) gets a name from the id and is never `unchanged`", () => {
    const { saved, unchanged } = improve({}, { ...OPTIONS, id: "strict_sql_reviewer", version: "1.0.0" });
    expect(saved).toMatchObject({ id: "strict_sql_reviewer", name: "Strict Sql Reviewer", version: "1.0.0" });
    expect(unchanged).toBe(false);
  });

  it("puts the header before the YAML", () => {
    expect(improve({}).yaml.startsWith("# improved\nid: sql_reviewer\n")).toBe(true);
  });
});
