import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { OPENCLAW_STATE_DIR: await tempDir() }, cwd: process.cwd(), isTTY: false };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe("parallel-agents CLI: catalogue commands", () => {
  it("types prints a table of all 26 types", async () => {
    const r = await cli("types");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ID\s+CATEGORY\s+TIER\s+DESCRIPTION/);
    expect(r.stdout).toMatch(/content_writer_funny\s+content\s+fast/);
    expect(r.stdout).toMatch(/\n26 agent types\n$/);
  });

  it("types --json lists ids, categories and sources", async () => {
    const r = await cli("types", "--json");
    const parsed = JSON.parse(r.stdout);
    expect(parsed.types).toHaveLength(26);
    expect(parsed.types.find((t: any) => t.id === "agent_creator")).toMatchObject({ category: "meta", tier: "premium", source: "builtin" });
    expect(parsed.diagnostics).toEqual([]);
  });

  it("validate exits 1 with file:line diagnostics on a folder with errors", async () => {
    const r = await cli("validate", path.join(FIXTURES, "malformed"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/malformed\/unknown_helper\.yaml:14:\d+ error task: template uses unknown helper "shout"/);
    // oversized.yaml is under the default 256 KiB cap, so it loads here (the registry test lowers the cap).
    expect(r.stdout).toMatch(/3 valid agent types, 14 errors/);
  });

  it("validate exits 0 on the built-in catalogue", async () => {
    const r = await cli("validate");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/26 valid agent types, 0 errors/);
  });

  it("render prints the system and task prompts with inputs from flags", async () => {
    const r = await cli("render", "content_writer_educational", "--task", "Explain {{it}}", "--input", "topic=Photosynthesis", "--input", "platform=linkedin");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^=== system ===\nYou are an educator/);
    expect(r.stdout).toContain("Platform: linkedin");
    expect(r.stdout).toContain("Photosynthesis");
    expect(r.stdout).toContain("Explain {{it}}");
  });

  it("render --input-json passes structured input", async () => {
    const r = await cli("render", "frontend_developer", "--task", "Build it", "--input-json", '{"appName":"Todo","features":["add","remove"]}', "--json");
    const parsed = JSON.parse(r.stdout);
    expect(parsed.message).toContain("- add\n- remove");
  });

  it("render of an unknown type suggests the nearest ids", async () => {
    const r = await cli("render", "code_reviewr", "--task", "x");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown agent type "code_reviewr"; did you mean code_reviewer/);
  });

  it("render names the input field that fails the type's schema", async () => {
    const r = await cli("render", "training_assistant", "--task", "x", "--input", "format=underwater");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--input\.format.*must be one of \["in-person","remote","hybrid"\]/);
  });

  it("an unknown command prints usage and exits 2", async () => {
    const r = await cli("frobnicate");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"[\s\S]*Usage:/);
  });
});
