// Bundles the plugin entry and the CLI with esbuild; the host's `openclaw/*` imports stay external.
import { build } from "esbuild";
import { chmod } from "node:fs/promises";

const shared = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  external: ["openclaw", "openclaw/*"],
  // Bundled CommonJS packages (handlebars) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __pa_createRequire } from 'node:module'; const require = __pa_createRequire(import.meta.url);",
  },
};

await build({ ...shared, entryPoints: ["src/index.ts"], outfile: "dist/index.js" });
await build({
  ...shared,
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/cli.js",
  banner: { js: `#!/usr/bin/env node\n${shared.banner.js}` },
});
await chmod("dist/cli.js", 0o755);
