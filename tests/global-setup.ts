// Builds dist/ once before the suite, so tests of the bundles never run against a stale build.
import { execFileSync } from "node:child_process";
import path from "node:path";

export default function setup() {
  execFileSync(process.execPath, [path.join(import.meta.dirname, "..", "scripts", "build.mjs")], {
    stdio: "inherit",
    cwd: path.join(import.meta.dirname, ".."),
  });
}
