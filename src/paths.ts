// Locates files shipped with the package (prompts/, manifests/) from the source tree and from the bundle alike.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The package root: the nearest folder above this module whose package.json is ours. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "package.json");
    if (fs.existsSync(candidate)) {
      try {
        if ((JSON.parse(fs.readFileSync(candidate, "utf8")) as { name?: string }).name === "openclaw-parallel-agents")
          return (cached = dir);
      } catch {
        // keep looking upwards
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error("parallel-agents: cannot find the package root (package.json of openclaw-parallel-agents)");
}

export function builtinPromptsDir(): string {
  return path.join(packageRoot(), "prompts");
}
