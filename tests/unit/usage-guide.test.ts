import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { renderAgentPrompt } from "../../src/render/render-agent-prompt.js";
import { tempDir } from "../helpers/registry.js";

const GUIDE = path.join(import.meta.dirname, "..", "..", "USAGE-GUIDE.md");

async function guideBlock(name: string, lang: string): Promise<string> {
  const text = await fs.readFile(GUIDE, "utf8");
  const at = text.indexOf(`<!-- example: ${name} -->`);
  expect(at, `example ${name} missing from USAGE-GUIDE.md`).toBeGreaterThan(-1);
  const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``).exec(text.slice(at));
  return match![1]!;
}

describe("USAGE-GUIDE.md", () => {
  it("its complete agent-type example loads with no diagnostics and renders", async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, "recipe_scaler.yaml"), await guideBlock("recipe_scaler", "yaml"));
    const snapshot = await createRegistry({ roots: [{ dir, kind: "user", required: true }] }).refresh();
    expect(snapshot.diagnostics).toEqual([]);
    const type = snapshot.types.get("recipe_scaler")!;
    expect(type.def.examples).toHaveLength(1);
    const prompt = renderAgentPrompt({ type, task: "Scale to 6 servings.", input: { recipe: "2 eggs" } });
    expect(prompt.message).toContain("Scale this recipe from 4 to the target");
    expect(prompt.system).toContain('"ingredients"');
  });

  it("documents every field of the agent-type format", async () => {
    const { AgentTypeSchema } = await import("../../src/registry/agent-type-schema.js");
    const text = await fs.readFile(GUIDE, "utf8");
    for (const field of Object.keys(AgentTypeSchema.properties)) expect(text).toContain(`| \`${field}\` |`);
  });

  it("documents every key of the plugin config in its Plugin config table", async () => {
    const { PluginConfigSchema } = await import("../../src/config.js");
    const text = await fs.readFile(GUIDE, "utf8");
    const at = text.indexOf("\n## Plugin config\n");
    expect(at, "## Plugin config section missing").toBeGreaterThan(-1);
    const end = text.indexOf("\n## ", at + 1);
    const section = text.slice(at, end === -1 ? undefined : end);
    for (const key of Object.keys(PluginConfigSchema.properties)) expect(section).toContain(`| \`${key}\` |`);
  });
});
