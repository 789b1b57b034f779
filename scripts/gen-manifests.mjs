// Writes manifests/*.json from the TypeBox schemas (bundled on the fly with esbuild so src/ stays TypeScript).
import { build } from "esbuild";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const out = path.resolve(".tmp/build-manifests.mjs");
await build({
  entryPoints: ["src/manifests/build-manifests.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile: out,
  logLevel: "warning",
  banner: {
    js: "import { createRequire as __pa_createRequire } from 'node:module'; const require = __pa_createRequire(import.meta.url);",
  },
});
const { buildManifests, serializeManifest } = await import(pathToFileURL(out).href);
await mkdir("manifests", { recursive: true });
for (const [name, value] of Object.entries(buildManifests())) {
  await writeFile(path.join("manifests", name), serializeManifest(value));
  console.log(`wrote manifests/${name}`);
}
await rm(out, { force: true });
