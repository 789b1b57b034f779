// Which folders make up the catalogue, in priority order: built-in, configured promptDirs, the user's drop-in folder.
import os from "node:os";
import path from "node:path";
import { builtinPromptsDir } from "../paths.js";
import type { RegistryRoot } from "./create-registry.js";

/** The user's drop-in folder under OpenClaw's state dir: `<state>/parallel-agents/agents`. */
export function userAgentsDir(stateDir: string): string {
  return path.join(stateDir, "parallel-agents", "agents");
}

/** OpenClaw's state dir as a terminal user has it: $OPENCLAW_STATE_DIR, else ~/.openclaw. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENCLAW_STATE_DIR || path.join(env.OPENCLAW_HOME || os.homedir(), ".openclaw");
}

export function catalogueRoots(options: {
  promptDirs?: readonly string[];
  stateDir?: string;
  builtinDir?: string;
}): RegistryRoot[] {
  const roots: RegistryRoot[] = [{ dir: options.builtinDir ?? builtinPromptsDir(), kind: "builtin", required: true }];
  for (const dir of options.promptDirs ?? []) roots.push({ dir: path.resolve(dir), kind: "user", required: true });
  if (options.stateDir) roots.push({ dir: userAgentsDir(options.stateDir), kind: "user", required: false });
  return roots;
}
