// Test helpers for loading the built-in catalogue and temporary agent-type folders.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createRegistry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";

export const FIXTURES = path.join(import.meta.dirname, "..", "fixtures");

export async function loadBuiltins() {
  return createRegistry({ roots: catalogueRoots({}) }).refresh();
}

export async function tempDir(prefix = "pa-test-"): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function builtinType(id: string) {
  const snapshot = await loadBuiltins();
  const type = snapshot.types.get(id);
  if (!type) throw new Error(`built-in type ${id} missing`);
  return type;
}
