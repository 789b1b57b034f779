import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = path.join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

describe("the built bundles", () => {
  it("dist/cli.js runs on its own and lists the catalogue", async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, "dist", "cli.js"), "types", "--json"], { cwd: ROOT });
    expect(JSON.parse(stdout).types).toHaveLength(26);
  });

  it("dist/index.js imports nothing but node built-ins and openclaw", () => {
    const code = fs.readFileSync(path.join(ROOT, "dist", "index.js"), "utf8");
    const imports = [...code.matchAll(/^import .* from "([^"]+)";?$/gm)].map((m) => m[1]!);
    for (const spec of imports) expect(spec, spec).toMatch(/^(node:|openclaw\/)/);
  });

  it("dist/index.js is a tool plugin entry with the declared id", async () => {
    const entry = (await import(path.join(ROOT, "dist", "index.js"))).default;
    const { getToolPluginMetadata } = await import("openclaw/plugin-sdk/tool-plugin");
    const meta = getToolPluginMetadata(entry);
    expect(meta?.id).toBe("parallel-agents");
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "openclaw.plugin.json"), "utf8"));
    expect(meta?.tools.map((t) => t.name).sort()).toEqual([...manifest.contracts.tools].sort());
  });
});
