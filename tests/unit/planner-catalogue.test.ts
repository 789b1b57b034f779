import { describe, expect, it } from "vitest";
import type { AgentType } from "../../src/registry/agent-type.js";
import { parseAgentTypeFile } from "../../src/registry/parse-agent-type.js";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import {
  entrySize,
  PLANNER_CATALOGUE_LIMITS,
  plannerCatalogue,
  type PlannerCatalogueEntry,
} from "../../src/tools/orchestrate/planner-catalogue.js";
import { builtinType, loadBuiltins } from "../helpers/registry.js";

/** An agent type parsed from YAML lines; `extra` goes after the required fields. */
function typeOf(id: string, extra: string[]): AgentType {
  const text = [
    `id: ${id}`,
    "name: Test",
    "version: 1.0.0",
    "category: test",
    ...extra,
    "tier: fast",
    "timeoutSeconds: 30",
    "system: |",
    "  You are a test agent. Method: do it. Quality bar: good. Edge cases: none.",
    "task: |",
    "  {{task}}",
    "",
  ].join("\n");
  const parsed = parseAgentTypeFile({
    text,
    source: { kind: "user", root: "/fixtures", file: `/fixtures/${id}.yaml` },
  });
  if (!parsed.type) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.type;
}

const NOTE_TAKER = typeOf("note_taker", [
  "description: Takes notes\n  on a topic.",
  "useWhen: Notes are needed.",
  "outputFormat: markdown",
  "input:",
  "  type: object",
  "  required: [topic]",
  "  properties:",
  "    style: { type: string, enum: [brief, full], default: brief }",
  "    tags: { type: array, items: { type: string } }",
  "    topic: { type: string, description: What the notes are about. }",
  "  additionalProperties: false",
]);
const WEB_CHECKER = typeOf("web_checker", [
  "description: Checks a claim on the web.",
  "useWhen: A fact must be verified.",
  "outputFormat: json",
  "tools: host",
  "output:",
  "  type: object",
  "  properties: { verdict: { type: string } }",
]);
const HAIKU = typeOf("haiku_writer", [
  "description: Writes a haiku.",
  "useWhen: A poem is wanted.",
  "outputFormat: text",
]);

/** The catalogue part of the planner's task message, as agent_orchestrator renders it. */
async function renderedCatalogue(catalogue: { entries: PlannerCatalogueEntry[]; omitted: number }): Promise<string> {
  const prompt = renderAgentPrompt({
    type: await builtinType("agent_orchestrator"),
    task: "END",
    input: {
      goal: "x",
      catalogue: catalogue.entries,
      ...(catalogue.omitted > 0 ? { catalogueOmitted: catalogue.omitted } : {}),
    },
  });
  const start = prompt.message.indexOf("Catalogue of agent types:\n");
  return prompt.message.slice(start, prompt.message.lastIndexOf("END")).trimEnd();
}

describe("the catalogue the planner reads", () => {
  it("lists each type's id, description, use, output format, tools and input fields, one line each", async () => {
    expect(await renderedCatalogue(plannerCatalogue([NOTE_TAKER, WEB_CHECKER, HAIKU]))).toBe(
      [
        "Catalogue of agent types:",
        "- note_taker: Takes notes on a topic. Use when: Notes are needed.",
        "  output: markdown",
        "  input topic (string, required): What the notes are about.",
        '  input style (one of brief, full, optional, default "brief")',
        "  input tags (array of string, optional)",
        "- web_checker: Checks a claim on the web. Use when: A fact must be verified.",
        "  output: json; tools: host",
        "  input: none",
        "- haiku_writer: Writes a haiku. Use when: A poem is wanted.",
        "  output: text",
        "  input: none",
      ].join("\n"),
    );
  });

  it("leaves out the planner and the synthesizer, which are never tasks", async () => {
    const { types } = await loadBuiltins();
    const ids = plannerCatalogue(types.values()).entries.map((e) => e.id);
    expect(ids).not.toContain("agent_orchestrator");
    expect(ids).not.toContain("synthesizer");
    expect(ids).toContain("code_reviewer");
  });

  it("clips long texts to one line and caps the input lines, naming required fields past the cap", () => {
    const many = typeOf("many_inputs", [
      `description: ${"word ".repeat(100)}`,
      "useWhen: Always.",
      "outputFormat: markdown",
      "input:",
      "  type: object",
      "  required: [r1, r2, r3]",
      "  properties:",
      ...Array.from({ length: 5 }, (_, i) => `    o${i}: { type: string, description: "${"long ".repeat(60)}" }`),
      "    r1: { type: string }",
      "    r2: { type: string }",
      "    r3: { type: string }",
    ]);
    const limits = { ...PLANNER_CATALOGUE_LIMITS, textChars: 40, inputLineChars: 50, inputLines: 2 };
    const [entry] = plannerCatalogue([many], limits).entries;
    expect(entry!.description).toBe("word word word word word word word...");
    expect(entry!.inputs).toEqual([
      "r1 (string, required)",
      "r2 (string, required)",
      "... 6 more fields, required: r3",
    ]);
    const withDescriptions = plannerCatalogue([many], { ...limits, inputLines: 5 }).entries[0]!.inputs;
    expect(withDescriptions[3]).toBe("o0 (string, optional): long long long long long...");
    expect(withDescriptions.every((line) => line.length <= 50)).toBe(true);
  });

  it("keeps the whole list under its cap, counting the types left out, and the planner is told", async () => {
    const types = Array.from({ length: 40 }, (_, i) =>
      typeOf(`type_${i}`, ["description: d.", "useWhen: u.", "outputFormat: text"]),
    );
    const one = entrySize(plannerCatalogue([types[0]!]).entries[0]!);
    const capped = plannerCatalogue(types, { ...PLANNER_CATALOGUE_LIMITS, totalChars: one * 10 });
    expect(capped).toMatchObject({ omitted: 30 });
    expect(capped.entries).toHaveLength(10);
    expect(await renderedCatalogue(capped)).toMatch(
      /- type_9: d\. Use when: u\.\n {2}output: text\n {2}input: none\n\(30 more types are not listed, for space\.\)$/,
    );
  });

  it("never estimates an entry smaller than it renders, so the cap holds for the built-in catalogue", async () => {
    const { types } = await loadBuiltins();
    const catalogue = plannerCatalogue(types.values());
    const rendered = await renderedCatalogue(catalogue);
    const estimated = catalogue.entries.reduce((n, e) => n + entrySize(e), 0);
    expect(catalogue.omitted).toBe(0);
    expect(estimated).toBeGreaterThanOrEqual(rendered.length - "Catalogue of agent types:\n".length);
    expect(rendered.length).toBeLessThan(PLANNER_CATALOGUE_LIMITS.totalChars);
  });
});
