// Saving an improved type as the user's override: never over a file changed since it was read, the replaced
// definition kept beside it, one save per file at a time.
import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { previousFileOf, saveOverride } from "../../src/tools/refine-agent/save-override.js";
import { tempDir } from "../helpers/registry.js";

describe("saveOverride", () => {
  it("keeps the definition it replaces (perhaps written by hand) beside it, where the catalogue never loads it", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "code_reviewer.yaml");
    await fs.writeFile(file, "# my own hand-written code_reviewer\n");
    const saved = await saveOverride("# improved\n", { file, expected: "# my own hand-written code_reviewer\n" });
    expect(saved).toEqual({ ok: true, file, previous: previousFileOf(file) });
    expect(await fs.readFile(file, "utf8")).toBe("# improved\n");
    expect(await fs.readFile(previousFileOf(file), "utf8")).toBe("# my own hand-written code_reviewer\n");
    expect(previousFileOf(file)).not.toMatch(/\.ya?ml$/);
    expect((await fs.readdir(dir)).sort()).toEqual(["code_reviewer.yaml", "code_reviewer.yaml.previous"]); // no temp
  });

  it("two saves of one file started together: the second sees the first's result and writes nothing", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "code_reviewer.yaml");
    await fs.writeFile(file, "v1\n");
    const [a, b] = await Promise.all([
      saveOverride("from run A\n", { file, expected: "v1\n" }),
      saveOverride("from run B\n", { file, expected: "v1\n" }),
    ]);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, error: expect.stringContaining("changed during the run") });
    expect(await fs.readFile(file, "utf8")).toBe("from run A\n");
  });

  it("a file that appeared during the run is never replaced", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "x.yaml");
    await fs.writeFile(file, "someone else's\n");
    const saved = await saveOverride("mine\n", { file });
    expect(saved).toMatchObject({ ok: false, error: expect.stringContaining("appeared during the run") });
    expect(await fs.readFile(file, "utf8")).toBe("someone else's\n");
  });
});
