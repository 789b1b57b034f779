import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots, userAgentsDir } from "../../src/registry/catalogue-roots.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";

const VALID = path.join(FIXTURES, "malformed", "valid_agent.yaml");

async function writeType(dir: string, id: string, extra = "") {
  const text = (await fs.readFile(VALID, "utf8")).replace("id: valid_agent", `id: ${id}`) + extra;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${id}.yaml`), text);
}

describe("the registry's drop-in folders", () => {
  it("sees a file dropped into a configured folder without a restart, and its changes and removal", async () => {
    const dir = await tempDir();
    const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [dir] }) });
    expect((await registry.refresh()).types.has("recipe_helper")).toBe(false);

    await writeType(dir, "recipe_helper");
    const added = await registry.refresh();
    expect(added.types.get("recipe_helper")?.def.name).toBe("Fixture Agent");
    expect(added.types.size).toBe(31);

    const file = path.join(dir, "recipe_helper.yaml");
    await fs.writeFile(
      file,
      (await fs.readFile(file, "utf8")).replace("name: Fixture Agent", "name: Recipe Helper v2"),
    );
    expect((await registry.refresh()).types.get("recipe_helper")?.def.name).toBe("Recipe Helper v2");

    await fs.rm(file);
    expect((await registry.refresh()).types.has("recipe_helper")).toBe(false);
  });

  it("lets a later folder override a built-in id, with a warning saying so", async () => {
    const dir = await tempDir();
    await writeType(dir, "code_reviewer");
    const snapshot = await createRegistry({ roots: catalogueRoots({ promptDirs: [dir] }) }).refresh();
    expect(snapshot.types.get("code_reviewer")?.source.root).toBe(path.resolve(dir));
    expect(snapshot.diagnostics).toHaveLength(1);
    expect(snapshot.diagnostics[0]).toMatchObject({ severity: "warning", field: "id", line: 1 });
    expect(snapshot.diagnostics[0]!.message).toMatch(
      /overrides "code_reviewer" from .*prompts\/qa\/code_reviewer.yaml/,
    );
  });

  it("reads the user's folder under the state dir, and ignores it when absent", async () => {
    const state = await tempDir();
    const registry = createRegistry({ roots: catalogueRoots({ stateDir: state }) });
    expect((await registry.refresh()).diagnostics).toEqual([]);
    await writeType(userAgentsDir(state), "my_helper");
    expect((await registry.refresh()).types.has("my_helper")).toBe(true);
  });

  it("reports a configured folder that does not exist", async () => {
    const snapshot = await createRegistry({ roots: catalogueRoots({ promptDirs: ["/nonexistent/agents"] }) }).refresh();
    expect(snapshot.types.size).toBe(30);
    expect(snapshot.diagnostics[0]).toMatchObject({ severity: "warning", file: "/nonexistent/agents" });
  });

  it("reads at most maxFilesPerRoot files and says so", async () => {
    const dir = await tempDir();
    for (const id of ["a_one", "a_two", "a_three"]) await writeType(dir, id);
    const snapshot = await createRegistry({ roots: [{ dir, kind: "user" }], maxFilesPerRoot: 2 }).refresh();
    expect(snapshot.types.size).toBe(2);
    expect(snapshot.diagnostics[0]!.message).toMatch(/only the first 2 are read/);
  });

  it("re-parses only files that changed", async () => {
    const dir = await tempDir();
    await writeType(dir, "stable_one");
    const registry = createRegistry({ roots: [{ dir, kind: "user" }] });
    const first = (await registry.refresh()).types.get("stable_one");
    const second = (await registry.refresh()).types.get("stable_one");
    expect(second).toBe(first);
  });
});

/** The fixture type with an `$id` on its output schema, and a name that tells editions apart. */
async function writeTypeWithSchemaId(dir: string, id: string, schemaId: string, name = "Fixture Agent") {
  const text = (await fs.readFile(VALID, "utf8"))
    .replace("id: valid_agent", `id: ${id}`)
    .replace("name: Fixture Agent", `name: ${name}`)
    .replace("output:\n  type: object", `output:\n  $id: "${schemaId}"\n  type: object`);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${id}.yaml`), text);
  return { file: path.join(dir, `${id}.yaml`), idLine: text.split("\n").findIndex((l) => l.includes("$id:")) + 1 };
}

describe("agent types whose schemas carry an $id", () => {
  it("stay loaded through every edit of a drop-in file", async () => {
    const dir = await tempDir();
    const registry = createRegistry({ roots: [{ dir, kind: "user" }] });
    for (const edition of ["First", "Second edition", "Third edition of it", "Fourth"]) {
      await writeTypeWithSchemaId(dir, "schema_with_id", "urn:test:schema-with-id", edition);
      const snapshot = await registry.refresh();
      expect(snapshot.diagnostics).toEqual([]);
      expect(snapshot.types.get("schema_with_id")?.def.name).toBe(edition);
    }
  });

  it("validates with each edition's own schema, not a remembered one", async () => {
    const dir = await tempDir();
    const registry = createRegistry({ roots: [{ dir, kind: "user" }] });
    const file = (await writeTypeWithSchemaId(dir, "strict_one", "urn:test:strict")).file;
    const first = (await registry.refresh()).types.get("strict_one")!;
    expect(first.validateOutput!({ summary: "s" }).valid).toBe(true);
    await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace("minLength: 1 }", "minLength: 5 }"));
    const second = (await registry.refresh()).types.get("strict_one")!;
    expect(second.validateOutput!({ summary: "s" }).valid).toBe(false);
    expect(first.validateOutput!({ summary: "s" }).valid).toBe(true);
  });

  it("warns when two files give a schema the same $id, naming both files; both types still load", async () => {
    const dir = await tempDir();
    const one = await writeTypeWithSchemaId(dir, "a_one", "urn:test:shared");
    const two = await writeTypeWithSchemaId(dir, "a_two", "urn:test:shared#");
    const snapshot = await createRegistry({ roots: [{ dir, kind: "user" }] }).refresh();
    expect([...snapshot.types.keys()].sort()).toEqual(["a_one", "a_two"]);
    expect(snapshot.diagnostics).toEqual([
      expect.objectContaining({
        severity: "warning",
        file: two.file,
        line: two.idLine,
        field: "output.$id",
        fix: expect.stringMatching(/\$id/),
      }),
    ]);
    expect(snapshot.diagnostics[0]!.message).toContain(`"urn:test:shared"`);
    expect(snapshot.diagnostics[0]!.message).toContain(one.file);
  });

  it("does not count an overridden type's $id as a duplicate", async () => {
    const low = await tempDir();
    const high = await tempDir();
    await writeTypeWithSchemaId(low, "same_type", "urn:test:same");
    await writeTypeWithSchemaId(high, "same_type", "urn:test:same");
    const snapshot = await createRegistry({
      roots: [
        { dir: low, kind: "user" },
        { dir: high, kind: "user" },
      ],
    }).refresh();
    expect(snapshot.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/overrides "same_type"/)]);
  });
});
