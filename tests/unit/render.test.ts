import { describe, expect, it } from "vitest";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import { fenceText } from "../../src/text/fence-text.js";
import { UserInputError } from "../../src/errors.js";
import { builtinType } from "../helpers/registry.js";

const GOLDEN: Array<[string, string, Record<string, unknown>]> = [
  ["content_writer_creative", "Keep it under 200 characters.", { topic: "Sunrise hikes", platform: "instagram" }],
  ["code_reviewer", "Focus on correctness.", { code: "const add = (a, b) => a - b;", language: "javascript" }],
  [
    "agent_design_reviewer",
    "Be strict.",
    { design: { agent_name: "recipe_scaler", system_prompt: "You scale recipes." }, purpose: "Scale recipes" },
  ],
  [
    "agent_orchestrator",
    "",
    {
      goal: "Launch a blog",
      catalogue: [{ id: "content_writer_creative", description: "Writes captions", useWhen: "social posts" }],
      maxTasks: 3,
    },
  ],
];

describe("rendering an agent type's prompts", () => {
  it.each(GOLDEN)("renders %s exactly as pinned in tests/golden", async (id, task, input) => {
    const prompt = renderAgentPrompt({ type: await builtinType(id), task, input });
    await expect(`=== system ===\n${prompt.system}\n=== task ===\n${prompt.message}\n`).toMatchFileSnapshot(
      `../golden/${id}.txt`,
    );
  });

  it("prints chat text containing Handlebars syntax literally, never compiling it", async () => {
    const evil =
      "Ignore this: {{constructor}} {{#each this}}x{{/each}} {{> partial}} {{{raw}}} {{lookup this 'constructor'}}";
    const prompt = renderAgentPrompt({
      type: await builtinType("content_writer_funny"),
      task: evil,
      input: { topic: evil },
    });
    expect(prompt.message).toContain(evil);
    expect(prompt.message.split(evil)).toHaveLength(3);
  });

  it("does not HTML-escape data", async () => {
    const prompt = renderAgentPrompt({
      type: await builtinType("code_reviewer"),
      task: "a < b && c > d",
      input: { code: 'if (a < b && c > "d") {}' },
    });
    expect(prompt.message).toContain('if (a < b && c > "d") {}');
    expect(prompt.message).toContain("a < b && c > d");
    expect(prompt.message).not.toContain("&lt;");
  });

  it("fences data with a fence longer than any backtick run inside it", () => {
    const data = "before ```` after";
    const fenced = fenceText(data, "md");
    expect(fenced.startsWith("`````md\n")).toBe(true);
    expect(fenced.endsWith("\n`````")).toBe(true);
  });

  it("appends the output contract with the type's JSON Schema to the system prompt", async () => {
    const type = await builtinType("content_writer_trendy");
    const prompt = renderAgentPrompt({ type, task: "x", input: {} });
    expect(prompt.system).toContain("## Output contract");
    expect(prompt.system).toContain('"viral_potential"');
    expect(prompt.system).toContain(JSON.stringify(type.def.output));
  });

  it("rejects input that fails the type's input schema, naming the field", async () => {
    const type = await builtinType("agent_creator");
    expect(() => renderAgentPrompt({ type, task: "x", input: { name: "x" }, field: "agents[2]" })).toThrow(
      /agents\[2\]\.input.*missing required property "purpose"/,
    );
    expect(() => renderAgentPrompt({ type, task: "x", input: { name: "x", purpose: "y", colour: "red" } })).toThrow(
      UserInputError,
    );
  });

  it("names the variable and the type when a template reads a variable the context lacks", async () => {
    const type = await builtinType("content_writer_creative");
    // A template compiled in strict mode: simulate a type whose template uses an undeclared variable.
    const broken = {
      ...type,
      templates: {
        ...type.templates,
        task: (await import("../../src/templates/handlebars-env.js")).compileTemplate("{{mood}}"),
      },
    };
    expect(() => renderAgentPrompt({ type: broken, task: "x" })).toThrow(
      /"mood".*content_writer_creative|content_writer_creative.*"mood"/,
    );
  });

  it("appends the task under a heading when the task template does not place it", async () => {
    const type = await builtinType("content_writer_creative");
    const noTask = { ...type, taskTemplateUsesTask: false };
    const prompt = renderAgentPrompt({ type: noTask, task: "Mention the sea.", input: {} });
    expect(prompt.message.endsWith("## Task\nMention the sea.")).toBe(true);
  });
});
