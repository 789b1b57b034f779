// Writes an improved agent type as the user's override of its id: a new `<id>.yaml` in the drop-in folder, or an
// atomic replacement of the user's own earlier override. Never over a file that changed since the run read it, and
// never anywhere but the drop-in folder (a built-in file is only ever read).
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

export type OverrideTarget = {
  file: string;
  /** The file's text when the run read it; undefined when the file did not exist then. */
  expected?: string;
};

export type OverrideSaved = { ok: true; file: string; previous?: string } | { ok: false; error: string };

/** Saves to one file at a time in this process: two refinements of one type cannot both pass the check below. */
const saving = new Map<string, Promise<unknown>>();

export function saveOverride(yaml: string, target: OverrideTarget): Promise<OverrideSaved> {
  const before = saving.get(target.file) ?? Promise.resolve();
  const next = before.then(() => saveNow(yaml, target));
  saving.set(target.file, next);
  void next.finally(() => {
    if (saving.get(target.file) === next) saving.delete(target.file);
  });
  return next;
}

/** Where the definition a refinement replaced is kept (not a .yaml file, so the catalogue never loads it). */
export function previousFileOf(file: string): string {
  return `${file}.previous`;
}

async function saveNow(yaml: string, target: OverrideTarget): Promise<OverrideSaved> {
  const { file, expected } = target;
  const dir = path.dirname(file);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    return { ok: false, error: `cannot create ${dir}: ${(error as Error).message}` };
  }
  const temp = path.join(dir, `.${path.basename(file)}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    await fs.writeFile(temp, yaml, { flag: "wx" });
  } catch (error) {
    return { ok: false, error: `cannot write into ${dir}: ${(error as Error).message}` };
  }
  try {
    if (expected === undefined) {
      // link fails rather than replace a file that appeared during the run
      await fs.link(temp, file);
      return { ok: true, file };
    }
    const now = await fs.readFile(file, "utf8").catch(() => undefined);
    if (now !== expected)
      return {
        ok: false,
        error: `${file} changed during the run (edited, or refined by another run); nothing was written. Refine it again to start from the new version`,
      };
    // The replaced definition (perhaps written by hand) is kept beside it, never lost.
    await fs.writeFile(previousFileOf(file), expected);
    await fs.rename(temp, file);
    return { ok: true, file, previous: previousFileOf(file) };
  } catch (error) {
    const appeared = (error as NodeJS.ErrnoException).code === "EEXIST";
    return {
      ok: false,
      error: appeared
        ? `${file} appeared during the run; nothing was written. Refine again to start from it`
        : `cannot write ${file}: ${(error as Error).message}`,
    };
  } finally {
    await fs.rm(temp, { force: true });
  }
}
