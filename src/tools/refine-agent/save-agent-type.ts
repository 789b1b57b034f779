// Writes a new agent type into the user's drop-in folder: atomically, never over an existing file or a known id.
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import type { AgentDesign, ConvertedDesign } from "./design-to-agent-type.js";
import { convertDesign } from "./design-to-agent-type.js";

export type SaveResult =
  | { ok: true; id: string; version: string; file: string; yaml: string; renamedFrom?: string }
  | { ok: false; error: string; yaml?: string };

export type SaveOptions = {
  dir: string;
  wantedId: string;
  /** Ids taken in the catalogue: never written over. */
  known: ReadonlySet<string>;
  /** False: convert and validate only; nothing is written. */
  write: boolean;
};

/** A free id: the wanted one, else `<id>_v2`, `<id>_v3`... (not a known id, not an existing file). */
export async function freeId(wanted: string, dir: string, known: ReadonlySet<string>): Promise<string> {
  for (let n = 1; n <= 50; n++) {
    const id = n === 1 ? wanted : `${wanted.slice(0, 60)}_v${n}`;
    if (known.has(id)) continue;
    if (await exists(path.join(dir, `${id}.yaml`))) continue;
    return id;
  }
  throw new Error(`no free name for ${wanted} after 50 tries`);
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Converts, validates and writes a new design under a free id (see saveNewType). */
export function saveDesign(design: AgentDesign, options: SaveOptions & { purpose?: string }): Promise<SaveResult> {
  return saveNewType((id) => convertDesign(design, { id, dir: options.dir, purpose: options.purpose }), options);
}

/**
 * Builds the YAML for a free id, validates and writes it. The file is written to a temporary name and hard-linked
 * into place, which fails rather than replace a file that appeared meanwhile; the next free name is then tried.
 */
export async function saveNewType(build: (id: string) => ConvertedDesign, options: SaveOptions): Promise<SaveResult> {
  let converted: ConvertedDesign;
  let id = options.wantedId;
  try {
    id = options.write ? await freeId(options.wantedId, options.dir, options.known) : options.wantedId;
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  converted = build(id);
  if (!converted.ok) {
    const problems = converted.diagnostics.map((d) => `line ${d.line} ${d.field}: ${d.message}`).join("; ");
    return {
      ok: false,
      error: `the design does not make a valid agent type (${problems}); nothing was written`,
      yaml: converted.yaml,
    };
  }
  if (!options.write) return { ok: true, id, version: converted.def.version, file: "", yaml: converted.yaml };
  try {
    await fs.mkdir(options.dir, { recursive: true });
  } catch (error) {
    return { ok: false, error: `cannot create ${options.dir}: ${(error as Error).message}`, yaml: converted.yaml };
  }
  const temp = path.join(options.dir, `.${id}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    await fs.writeFile(temp, converted.yaml, { flag: "wx" });
  } catch (error) {
    return { ok: false, error: `cannot write into ${options.dir}: ${(error as Error).message}`, yaml: converted.yaml };
  }
  try {
    for (let tries = 0; tries < 5; tries++) {
      const file = path.join(options.dir, `${id}.yaml`);
      try {
        await fs.link(temp, file);
        return {
          ok: true,
          id,
          version: converted.def.version,
          file,
          yaml: converted.yaml,
          ...(id !== options.wantedId ? { renamedFrom: options.wantedId } : {}),
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST")
          return { ok: false, error: `cannot write ${file}: ${(error as Error).message}`, yaml: converted.yaml };
        id = await freeId(options.wantedId, options.dir, options.known);
        converted = build(id);
        if (!converted.ok)
          return { ok: false, error: "the design stopped validating under a new name", yaml: converted.yaml };
        await fs.writeFile(temp, converted.yaml);
      }
    }
    return { ok: false, error: "could not find a free file name", yaml: converted.yaml };
  } finally {
    await fs.rm(temp, { force: true });
  }
}
