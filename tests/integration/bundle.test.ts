import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = path.join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

describe("the built bundles", () => {
  it("dist/cli.js runs on its own and lists the catalogue", async () => {
    const { stdout } = await run(process.execPath, [path.join(ROOT, "dist", "cli.js"), "types", "--json"], {
      cwd: ROOT,
    });
    expect(JSON.parse(stdout).types).toHaveLength(30);
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

describe("the npm pack (what ClawHub and `openclaw plugins install` receive)", () => {
  it("holds the bundle, catalogue, skill and manifests, and nothing from tests/ or testing/", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT });
    const files: string[] = JSON.parse(stdout)[0].files.map((f: { path: string }) => f.path);
    for (const needed of [
      "dist/index.js",
      "dist/cli.js",
      "openclaw.plugin.json",
      "package.json",
      "skill/parallel-agents/SKILL.md",
      "manifests/parallel_run.json",
      "prompts/meta/synthesizer.yaml",
    ])
      expect(files, needed).toContain(needed);
    expect(
      files.filter(
        (f) => f.startsWith("tests/") || f.startsWith("testing/") || f.startsWith("src/") || f.startsWith("bench/"),
      ),
    ).toEqual([]);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pkg.openclaw).toMatchObject({
      extensions: ["./dist/index.js"],
      compat: { pluginApi: expect.stringMatching(/^>=\d{4}\.\d+\.\d+/) },
      build: { openclawVersion: expect.any(String) },
    });
    const installed = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules", "openclaw", "package.json"), "utf8"),
    ).version;
    expect(pkg.openclaw.build.openclawVersion).toBe(installed); // built against the openclaw the tests run
  });
});
