import fs from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createRegistry, type Registry } from "../../src/registry/create-registry.js";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import { renderOutputContract } from "../../src/render/output-contract.js";
import { agentTypeToDesign, type AgentDesign } from "../../src/tools/refine-agent/design-to-agent-type.js";
import { saveDesign } from "../../src/tools/refine-agent/save-agent-type.js";
import { tempDir } from "../helpers/registry.js";

const OUTPUT = { type: "object", required: ["answer"], properties: { answer: { type: "string" } } };

/** Saves a design as the refine tool does, loads it through a registry and renders it for a task. */
async function roundTrip(registry: Registry, dir: string, id: string, design: Partial<AgentDesign>) {
  const saved = await saveDesign(
    { agent_name: id, system_prompt: "", output_schema: OUTPUT, ...design },
    { dir, wantedId: id, known: new Set(), write: true },
  );
  if (!saved.ok) throw new Error(`${id} not saved: ${saved.error}\n${saved.yaml ?? ""}`);
  const snapshot = await registry.refresh();
  const type = snapshot.types.get(saved.id);
  if (!type) throw new Error(`${id} not loaded: ${JSON.stringify(snapshot.diagnostics)}\n${saved.yaml}`);
  const rendered = renderAgentPrompt({ type, task: "THE TASK" });
  await fs.rm(saved.file);
  return { type, yaml: saved.yaml, system: rendered.system, contract: renderOutputContract(type.def) };
}

async function setup() {
  const dir = await tempDir("pa-design-");
  return { dir, registry: createRegistry({ roots: [{ dir, kind: "user" }] }) };
}

/** A small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that matter to Handlebars' lexer, YAML's scalars, or both; strings are random sequences of them. */
const PIECES = [
  "\\",
  "\\",
  "\\\\",
  "{",
  "{",
  "}",
  "}",
  "{{",
  "}}",
  "{{{",
  "}}}",
  "{{{{",
  "\\{{",
  "{{~",
  "~}}",
  "{{!",
  "{{!--",
  "--}}",
  "{{#if x}}",
  "{{/if}}",
  "{{else}}",
  "{{> p}}",
  "{{&",
  '"',
  "'",
  "a",
  "b",
  "d+",
  "task",
  " ",
  "  ",
  "\n",
  "\n\n",
  "\t",
  "\r\n",
  "#",
  ":",
  "- ",
  "|",
  ">",
  "&",
  "*",
  "!",
  "%",
  "@",
  "`",
  "é",
  "😀",
  "\u0007",
  "\u007f",
  "\u0085",
  "\u2028",
  "\ufeff",
];

function randomText(next: () => number): string {
  const length = Math.floor(next() * 24);
  return Array.from({ length }, () => PIECES[Math.floor(next() * PIECES.length)]).join("");
}

describe("a design's text is saved as literal text, never as template code", () => {
  it("keeps a regex like \\d+ as written: backslashes are not doubled", async () => {
    const { dir, registry } = await setup();
    const { system, contract } = await roundTrip(registry, dir, "regex_agent", {
      system_prompt: String.raw`Match numbers with \d+ and paths like C:\temp\new.`,
    });
    expect(system).toBe(`${String.raw`Match numbers with \d+ and paths like C:\temp\new.`}\n\n${contract}`);
  });

  it("prints \\{{task}} from the model literally: it does not become a live mustache", async () => {
    const { dir, registry } = await setup();
    const text = String.raw`Write \{{task}} and {{task}} and {{{task}}} literally.`;
    const { system, contract } = await roundTrip(registry, dir, "mustache_agent", { system_prompt: text });
    expect(system).not.toContain("THE TASK");
    expect(system).toBe(`${text}\n\n${contract}`);
  });

  it("keeps edge cases and safety guidelines literal too", async () => {
    const { dir, registry } = await setup();
    const { system, contract } = await roundTrip(registry, dir, "sections_agent", {
      system_prompt: "Be careful.",
      edge_case_handling: [String.raw`input ends with \ `.trim(), "{{#each x}}"],
      safety_guidelines: String.raw`never print \\{{secret}}`,
    });
    expect(system).toBe(
      `Be careful.\n\nEdge cases:\n- input ends with \\\n- {{#each x}}\n\nSafety:\n${String.raw`never print \\{{secret}}`}\n\n${contract}`,
    );
  });

  it("keeps plain text readable in the saved file: only {{ is escaped", async () => {
    const { dir, registry } = await setup();
    const { yaml } = await roundTrip(registry, dir, "plain_agent", {
      system_prompt: String.raw`Use \d+ and {{ braces }}.`,
    });
    expect(yaml).toContain(String.raw`Use \d+ and \{{ braces }}.`);
  });

  it("renders any text back exactly: convert, save, load, render (property, 300 seeded cases)", async () => {
    const { dir, registry } = await setup();
    for (let seed = 1; seed <= 300; seed++) {
      const text = randomText(random(seed)).trim() || "x";
      const { system, contract } = await roundTrip(registry, dir, `prop_${seed}`, { system_prompt: text });
      expect(system, `seed ${seed}: ${JSON.stringify(text)}`).toBe(`${text}\n\n${contract}`);
    }
  });

  it("saves text holding NUL, which no template can hold, with U+FFFD in its place", async () => {
    const { dir, registry } = await setup();
    const { system, contract } = await roundTrip(registry, dir, "nul_agent", { system_prompt: "a\u0000b\\{{c" });
    expect(system).toBe(`a\ufffdb\\{{c\n\n${contract}`);
  });

  it("gives a saved type's text back unescaped when it is refined again", async () => {
    const { dir, registry } = await setup();
    const text = String.raw`Keep \{{task}}, {{x}} and \d+ as they are.`;
    const { type } = await roundTrip(registry, dir, "refined_again", { system_prompt: text });
    expect(agentTypeToDesign(type.def).system_prompt).toBe(text);
  });
});
