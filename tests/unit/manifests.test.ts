import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildManifests, serializeManifest } from "../../src/manifests/build-manifests.js";

const ROOT = path.join(import.meta.dirname, "..", "..");

describe("generated manifests", () => {
  it.each(Object.entries(buildManifests()))(
    "manifests/%s is current (run `npm run manifests` if this fails)",
    (name, value) => {
      const file = path.join(ROOT, "manifests", name);
      expect(fs.existsSync(file), `${file} missing`).toBe(true);
      expect(fs.readFileSync(file, "utf8")).toBe(serializeManifest(value));
    },
  );

  it("the plugin manifest declares the config schema the code validates", async () => {
    const { PluginConfigSchema } = await import("../../src/config.js");
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "openclaw.plugin.json"), "utf8"));
    expect(manifest.id).toBe("parallel-agents");
    expect(manifest.skills).toEqual(["./skill"]);
    expect(Object.keys(manifest.configSchema.properties).sort()).toEqual(
      Object.keys(PluginConfigSchema.properties).sort(),
    );
  });
});
