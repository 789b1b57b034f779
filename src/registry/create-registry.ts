// The agent-type catalogue: built-in prompts plus drop-in folders, re-read on change, bounded, never broken by one file.
import fs from "node:fs/promises";
import path from "node:path";
import type { AgentType } from "./agent-type.js";
import type { Diagnostic } from "./diagnostic.js";
import { findDuplicateSchemaIds } from "./duplicate-schema-ids.js";
import { parseAgentTypeFile, type ParseResult } from "./parse-agent-type.js";

export type RegistryRoot = {
  dir: string;
  kind: "builtin" | "user";
  /** A missing folder is reported only when required (built-in, or configured explicitly). Default false. */
  required?: boolean;
};

export type RegistryOptions = {
  /** Folders in priority order: a later folder overrides an id from an earlier one. */
  roots: RegistryRoot[];
  /** Files larger than this are refused. Default 256 KiB. */
  maxFileBytes?: number;
  /** At most this many YAML files are read per folder (sorted by path). Default 500. */
  maxFilesPerRoot?: number;
  /** Subfolder depth searched under each root. Default 4. */
  maxDepth?: number;
};

export type RegistrySnapshot = {
  readonly types: ReadonlyMap<string, AgentType>;
  /** For each id defined in more than one folder, the definitions the active one hides, earliest folder first. */
  readonly overridden: ReadonlyMap<string, readonly AgentType[]>;
  readonly diagnostics: readonly Diagnostic[];
};

export type Registry = {
  /** Re-scan the folders (cheap: only changed files are parsed again) and return the current catalogue. */
  refresh(): Promise<RegistrySnapshot>;
  readonly roots: readonly RegistryRoot[];
};

type CacheEntry = { mtimeMs: number; size: number; result: ParseResult };

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024;
export const DEFAULT_MAX_FILES_PER_ROOT = 500;

export function createRegistry(options: RegistryOptions): Registry {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxFiles = options.maxFilesPerRoot ?? DEFAULT_MAX_FILES_PER_ROOT;
  const maxDepth = options.maxDepth ?? 4;
  const cache = new Map<string, CacheEntry>();

  async function loadFile(file: string, root: RegistryRoot): Promise<ParseResult> {
    const source = { kind: root.kind, root: root.dir, file };
    let stat: Awaited<ReturnType<typeof fs.stat>>;
    try {
      stat = await fs.stat(file);
    } catch (error) {
      return {
        diagnostics: [
          fileDiagnostic(file, `cannot read file: ${(error as Error).message}`, "check the file permissions"),
        ],
      };
    }
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.result;
    let result: ParseResult;
    if (stat.size > maxFileBytes) {
      result = {
        diagnostics: [
          fileDiagnostic(
            file,
            `file is ${stat.size} bytes, over the ${maxFileBytes}-byte limit`,
            "shorten the prompts or split the agent type",
          ),
        ],
      };
    } else {
      const text = await fs.readFile(file, "utf8");
      result = parseAgentTypeFile({ text, source });
    }
    cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, result });
    return result;
  }

  async function refresh(): Promise<RegistrySnapshot> {
    const types = new Map<string, AgentType>();
    const overridden = new Map<string, AgentType[]>();
    const diagnostics: Diagnostic[] = [];
    const seenFiles = new Set<string>();
    for (const root of options.roots) {
      const listed = await listYamlFiles(root.dir, maxDepth);
      if (listed === "missing") {
        if (root.required)
          diagnostics.push(
            fileDiagnostic(
              root.dir,
              "folder does not exist",
              "create the folder or remove it from promptDirs",
              root.kind === "builtin" ? "error" : "warning",
            ),
          );
        continue;
      }
      if (listed.length > maxFiles) {
        diagnostics.push(
          fileDiagnostic(
            root.dir,
            `folder holds ${listed.length} YAML files; only the first ${maxFiles} are read`,
            "move unused agent types elsewhere",
            "warning",
          ),
        );
      }
      const idsInRoot = new Map<string, string>();
      const files = listed.slice(0, maxFiles);
      const loaded = await Promise.all(files.map((file) => loadFile(file, root)));
      for (const [i, file] of files.entries()) {
        seenFiles.add(file);
        const result = loaded[i]!;
        diagnostics.push(...result.diagnostics);
        const type = result.type;
        if (!type) continue;
        const id = type.def.id;
        const sameRoot = idsInRoot.get(id);
        if (sameRoot) {
          diagnostics.push({
            ...fileDiagnostic(
              file,
              `duplicate id "${id}": already defined in ${sameRoot}`,
              "give one of the two files another id",
            ),
            field: "id",
            ...type.idPosition,
          });
          continue;
        }
        idsInRoot.set(id, file);
        const previous = types.get(id);
        if (previous) {
          diagnostics.push({
            ...fileDiagnostic(
              file,
              `overrides "${id}" from ${previous.source.file}`,
              "rename the id if you meant a new type rather than a replacement",
              "warning",
            ),
            field: "id",
            ...type.idPosition,
          });
          overridden.set(id, [...(overridden.get(id) ?? []), previous]);
        }
        types.set(id, type);
      }
    }
    diagnostics.push(...findDuplicateSchemaIds(types.values()));
    for (const file of cache.keys()) if (!seenFiles.has(file)) cache.delete(file);
    return { types, overridden, diagnostics };
  }

  return { refresh, roots: options.roots };
}

function fileDiagnostic(
  file: string,
  message: string,
  fix: string,
  severity: Diagnostic["severity"] = "error",
): Diagnostic {
  return { severity, file, line: 1, column: 1, field: "", message, fix };
}

async function listYamlFiles(dir: string, maxDepth: number): Promise<string[] | "missing"> {
  const out: string[] = [];
  async function walk(current: string, depth: number): Promise<boolean> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.name.startsWith(".")) continue;
      if (entry.isDirectory() && depth < maxDepth) await walk(full, depth + 1);
      else if ((entry.isFile() || entry.isSymbolicLink()) && /\.ya?ml$/i.test(entry.name)) out.push(full);
    }
    return true;
  }
  if (!(await walk(dir, 0))) return "missing";
  return out.sort();
}
