import path from "node:path";
import { describe, expect, it } from "vitest";
import { createRegistry } from "../../src/registry/create-registry.js";
import { FIXTURES } from "../helpers/registry.js";

const DIR = path.join(FIXTURES, "malformed");

async function loadMalformed() {
  return createRegistry({ roots: [{ dir: DIR, kind: "user", required: true }], maxFileBytes: 4096 }).refresh();
}

/** file -> [line, field, words the message must contain]. A YAML syntax error is reported where the parser detects it (the unclosed `[` on line 7 is found on line 8). */
const EXPECTED: Record<string, [number, string, RegExp]> = {
  "yaml_syntax.yaml": [8, "", /YAML syntax error/],
  "missing_field.yaml": [1, "description", /missing required property "description"/],
  "wrong_type.yaml": [8, "timeoutSeconds", /must be integer/],
  "bad_id.yaml": [1, "id", /must match pattern/],
  "path_id.yaml": [1, "id", /looks like a path/],
  "id_mismatch.yaml": [1, "id", /differs from the file name/],
  "bad_schema.yaml": [19, "output", /not a valid JSON Schema/],
  "bad_example.yaml": [26, "examples.0.output", /does not satisfy the output schema/],
  "unknown_helper.yaml": [14, "task", /unknown helper "shout"/],
  "unknown_variable.yaml": [13, "task", /variable "reader"/],
  "empty.yaml": [1, "", /empty/],
  "not_a_mapping.yaml": [1, "", /must be a YAML mapping/],
  "oversized.yaml": [1, "", /over the 4096-byte limit/],
  "json_without_output.yaml": [9, "output", /no output schema/],
  "sub/dup_agent.yaml": [1, "id", /duplicate id "dup_agent"/],
};

describe("registry diagnostics for malformed agent-type files", () => {
  it("gives exactly one diagnostic per malformed file, naming file, line and field, with a fix", async () => {
    const snapshot = await loadMalformed();
    const byFile = new Map<string, typeof snapshot.diagnostics>();
    for (const d of snapshot.diagnostics) {
      const rel = path.relative(DIR, d.file);
      byFile.set(rel, [...(byFile.get(rel) ?? []), d]);
    }
    expect([...byFile.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [file, [line, field, message]] of Object.entries(EXPECTED)) {
      const diags = byFile.get(file)!;
      expect(diags, file).toHaveLength(1);
      const d = diags[0]!;
      expect.soft(d.line, `${file} line`).toBe(line);
      expect.soft(d.field, `${file} field`).toBe(field);
      expect.soft(d.message, `${file} message`).toMatch(message);
      expect.soft(d.fix.length, `${file} fix`).toBeGreaterThan(5);
      expect.soft(d.column, `${file} column`).toBeGreaterThanOrEqual(1);
    }
  });

  it("still loads the valid files around the broken ones", async () => {
    const snapshot = await loadMalformed();
    expect([...snapshot.types.keys()].sort()).toEqual(["dup_agent", "valid_agent"]);
    expect(snapshot.types.get("dup_agent")!.source.file).toBe(path.join(DIR, "dup_agent.yaml"));
  });

  it("reports at least 12 distinct kinds of problem", async () => {
    expect(Object.keys(EXPECTED).length).toBeGreaterThanOrEqual(12);
  });
});
