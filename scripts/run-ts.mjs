// Runs a TypeScript entry (bench, demo) by bundling it with esbuild first; arguments after the entry are passed on.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-ts.mjs <entry.ts> [args...]");
  process.exit(2);
}
const out = path.resolve(".tmp", `${path.basename(entry, ".ts")}-${process.pid}.mjs`);
await mkdir(path.dirname(out), { recursive: true });
await build({
  entryPoints: [entry],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  outfile: out,
  logLevel: "warning",
  external: ["openclaw", "openclaw/*", "vitest"],
  banner: {
    js: "import { createRequire as __pa_createRequire } from 'node:module'; const require = __pa_createRequire(import.meta.url);",
  },
});
process.argv = [process.argv[0], out, ...rest];
process.on("exit", () => rmSync(out, { force: true }));
await import(pathToFileURL(out).href);
