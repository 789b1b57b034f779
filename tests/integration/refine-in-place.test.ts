import { readFileSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import type { CliIo } from "../../src/cli/io.js";
import { builtinPromptsDir } from "../../src/paths.js";
import type { AgentTypeFile } from "../../src/registry/agent-type-schema.js";
import { nextMinorVersion } from "../../src/tools/refine-agent/improve-agent-type.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";
import { designReview, identifyType, SAMPLE_OUTPUTS } from "../../testing/sample-outputs.js";
import type { Reply, ScriptRequest } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

type Types = Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"];

const BUILTIN_FILE = path.join(builtinPromptsDir(), "qa", "code_reviewer.yaml");
/** The built-in's version (read, not assumed: the catalogue evolves) and the next minor versions after it. */
const V0 = (parse(readFileSync(BUILTIN_FILE, "utf8")) as AgentTypeFile).version;
const V1 = nextMinorVersion(V0);
const V2 = nextMinorVersion(V1);

/**
 * A scripted meta team for improving existing types. A design's version is the "[vN]" marker in its system prompt
 * (none: the existing definition, v1); the reviewer scores version N with `scores[N - 1]`; the refiner answers a
 * revised system prompt of version N + 1 (a partial design, as a real refiner may). New designs come from the creator.
 */
function script(
  getTypes: () => Types,
  scores: number[],
  onRequest?: (type: string, r: ScriptRequest) => Promise<unknown>,
) {
  return async (r: ScriptRequest): Promise<Reply> => {
    const type = identifyType(r.system, getTypes());
    if (type) await onRequest?.(type, r);
    const name = /"agent_name": "([a-z0-9_]+)"/.exec(r.user)?.[1] ?? "unknown";
    const version = Number(/\[v(\d+)\]/.exec(r.user)?.[1] ?? 1);
    if (type === "agent_creator")
      return { json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: /Name: (\S+)/.exec(r.user)?.[1] } };
    if (type === "agent_design_reviewer") return { json: designReview(scores[version - 1] ?? 5) };
    if (type === "agent_refiner")
      return {
        json: {
          revised_design: {
            agent_name: name,
            version: "9.9.9",
            domain: "qa",
            system_prompt: `You are a senior code reviewer (${name}). [v${version + 1}] Read all the code first, then report bugs, unhandled edge cases and security issues with their fixes.`,
            input_schema: { type: "object", properties: { source: { type: "string" } } },
            output_schema: { type: "object" },
            capabilities: ["review code"],
            description: `Reviews code for bugs, edge cases and security issues, with a fix for each (v${version + 1}).`,
          },
          changes: [{ change: "sharper method", addresses: "edge cases thin" }],
        },
      };
    throw new Error(`unexpected type ${type}`);
  };
}

async function setup(scores: number[], onRequest?: Parameters<typeof script>[2]) {
  const userDir = await tempDir("pa-inplace-");
  let types: Types = new Map();
  h = await startHarness(
    script(() => types, scores, onRequest),
    { promptDirs: [userDir] },
  );
  types = (await h.registry.refresh()).types;
  return userDir;
}

const reviews = () => h!.server.log.filter((e) => e.user.startsWith("Review this agent design"));
const readDef = async (file: string) => parse(await fs.readFile(file, "utf8")) as AgentTypeFile;

describe("refine_agent { type }: an existing type is improved in place", () => {
  it("keeps the contract, bumps the version, saves the user's override and never touches the built-in", async () => {
    const builtinBytes = await fs.readFile(BUILTIN_FILE);
    const builtin = await readDef(BUILTIN_FILE);
    const userDir = await setup([7, 9]);
    const { details, text } = await h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);

    const a = details.agents[0]!;
    const file = path.join(userDir, "code_reviewer.yaml");
    expect(a).toMatchObject({
      id: "code_reviewer",
      baseType: "code_reviewer",
      inPlace: true,
      version: { from: V0, to: V1 },
      reachedTarget: true,
      savedTo: file,
    });
    expect(a.rounds.map((r) => r.score)).toEqual([7, 9]);
    expect(text).toContain(`improved in place: code_reviewer ${V0} -> ${V1}, saved as the user's override at ${file}`);
    // no creator: the reviewer reviewed the existing definition first
    expect(h!.server.log.some((e) => e.user.startsWith("Design a new agent"))).toBe(false);
    expect(reviews()[0]!.user).toContain(builtin.system.split("\n")[0]);

    const saved = await readDef(file);
    for (const key of [
      "id",
      "name",
      "task",
      "input",
      "output",
      "tier",
      "timeoutSeconds",
      "rubric",
      "category",
    ] as const)
      expect(saved[key], key).toEqual(builtin[key]);
    expect(saved.version).toBe(V1); // the next minor version, whatever the design proposed
    expect(saved.system).toContain("[v2]");
    expect(saved.description).toBe("Reviews code for bugs, edge cases and security issues, with a fix for each (v2).");
    expect(await fs.readFile(BUILTIN_FILE)).toEqual(builtinBytes);

    // the next refresh resolves the id to the override; parallel_run sends the improved prompt
    const snapshot = await h!.registry.refresh();
    expect(snapshot.types.get("code_reviewer")!.source.file).toBe(file);
    expect(snapshot.overridden.get("code_reviewer")!.map((t) => t.source.file)).toEqual([BUILTIN_FILE]);
    h!.server.setScript(() => ({ json: SAMPLE_OUTPUTS.code_reviewer }));
    const { run } = await h!.run({ agents: [{ type: "code_reviewer", task: "Review", input: { code: "x = 1" } }] });
    expect(run.counts.ok).toBe(1);
    expect(h!.server.log.at(-1)!.system).toContain("[v2]");
  });

  it("a second refinement starts from the override and bumps it again, in the same file", async () => {
    const userDir = await setup([7, 8.6, 9.2]);
    const first = await h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);
    expect(first.details.agents[0]!.version).toEqual({ from: V0, to: V1 });
    h!.server.log.length = 0;

    const { details } = await h!.refine({ agents: [{ type: "code_reviewer", targetScore: 9 }] }, userDir);
    const a = details.agents[0]!;
    expect(a).toMatchObject({ inPlace: true, version: { from: V1, to: V2 }, reachedTarget: true });
    expect(a.rounds.map((r) => r.score)).toEqual([8.6, 9.2]);
    expect(reviews()[0]!.user).toContain("[v2]"); // the override, not the built-in, was reviewed
    // the first override is kept beside the new one, where the catalogue does not load it
    expect((await fs.readdir(userDir)).sort()).toEqual(["code_reviewer.yaml", "code_reviewer.yaml.previous"]);
    expect(await fs.readFile(`${a.savedTo!}.previous`, "utf8")).toContain(`version: ${V1}`);
    expect((await readDef(a.savedTo!)).version).toBe(V2);
    expect((await readDef(a.savedTo!)).system).toContain("[v3]");
    const snapshot = await h!.registry.refresh();
    expect(snapshot.types.get("code_reviewer")!.def.version).toBe(V2);
  });

  it("an agent's own targetScore wins over the call's", async () => {
    const userDir = await setup([8, 8.4, 9.6]);
    const { details, text } = await h!.refine(
      {
        agents: [{ type: "code_reviewer", targetScore: 7.5 }, { type: "security_reviewer" }],
        targetScore: 9.5,
        maxRounds: 3,
      },
      userDir,
    );
    const [own, call] = details.agents;
    expect(own).toMatchObject({ targetScore: 7.5, reachedTarget: true, stoppedBecause: "target reached" });
    expect(own!.rounds).toHaveLength(1);
    expect(call).toMatchObject({ targetScore: 9.5, reachedTarget: true });
    expect(call!.rounds.map((r) => r.score)).toEqual([8, 8.4, 9.6]);
    expect(text).toMatch(/code_reviewer: 8.00; final 8 \(target reached, target 7.5\)/);
  });

  it("keeps the existing definition when no revision beats it, and writes nothing", async () => {
    const userDir = await setup([7.5, 6]);
    const { details, text } = await h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);
    const a = details.agents[0]!;
    expect(a).toMatchObject({
      id: "code_reviewer",
      inPlace: true,
      unchanged: true,
      savedTo: null,
      finalScore: 7.5,
      version: { from: V0, to: V0 },
    });
    expect(a.yaml).toBe(await fs.readFile(BUILTIN_FILE, "utf8"));
    expect(a.error).toBeUndefined();
    expect(text).toContain(`kept code_reviewer ${V0} as it is`);
    expect(await fs.readdir(userDir)).toEqual([]);
  });

  it("below the target, saves the best revision as the non-in-place loop does", async () => {
    const userDir = await setup([6, 7, 7.8]);
    const { details } = await h!.refine({ agents: [{ type: "code_reviewer" }], maxRounds: 3 }, userDir);
    const a = details.agents[0]!;
    expect(a).toMatchObject({ reachedTarget: false, finalScore: 7.8, version: { to: V1 } });
    expect(a.stoppedBecause).toMatch(/maxRounds \(3\) reached below the target/);
    expect((await readDef(a.savedTo!)).system).toContain("[v3]");
  });

  it("save: false returns the improved YAML and writes nothing", async () => {
    const userDir = await setup([7, 9]);
    const { details } = await h!.refine({ agents: [{ type: "code_reviewer" }], save: false }, userDir);
    const yaml = details.agents[0]!.yaml!;
    expect(yaml.startsWith(`# code_reviewer ${V1}: improved by refine_agent`)).toBe(true);
    expect(yaml).toContain(`\nversion: ${V1}\n`);
    expect(details.agents[0]!.savedTo).toBeNull();
    expect(await fs.readdir(userDir)).toEqual([]);
  });

  it("with a name, saves an improved copy under that name and leaves the type itself alone", async () => {
    const userDir = await setup([7, 9]);
    const { details } = await h!.refine(
      { agents: [{ type: "code_reviewer", name: "strict_code_reviewer", purpose: "Review code strictly" }] },
      userDir,
    );
    const a = details.agents[0]!;
    expect(a).toMatchObject({
      id: "strict_code_reviewer",
      inPlace: false,
      baseType: "code_reviewer",
      version: { from: V0, to: "1.0.0" },
    });
    expect(reviews()[0]!.user).toContain("Review code strictly");
    const copy = await readDef(a.savedTo!);
    expect(copy.task).toBe((await readDef(BUILTIN_FILE)).task);
    expect(copy.name).toBe("Strict Code Reviewer");
    const snapshot = await h!.registry.refresh();
    expect(snapshot.types.get("code_reviewer")!.source.kind).toBe("builtin");
  });

  it("the override shows in `types`: marked, with its file and version and the built-in it hides", async () => {
    const userDir = await setup([7, 9]);
    await h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);
    let stdout = "";
    const io: CliIo = {
      stdout: (t) => void (stdout += t),
      stderr: () => {},
      env: { OPENCLAW_STATE_DIR: await tempDir() },
      cwd: process.cwd(),
      isTTY: false,
    };
    expect(await runCli(["types", "--dir", userDir], io)).toBe(0);
    expect(stdout).toMatch(/\ncode_reviewer\*\s+qa\s+standard /);
    expect(stdout).toContain(
      `* user override: this file is active instead of the definition(s) it hides\n  code_reviewer ${V1}  ${path.join(userDir, "code_reviewer.yaml")}  (overrides built-in ${V0})\n`,
    );
    stdout = "";
    await runCli(["types", "--dir", userDir, "--json"], io);
    const row = JSON.parse(stdout).types.find((t: { id: string }) => t.id === "code_reviewer");
    expect(row).toMatchObject({
      source: "user",
      version: V1,
      overrides: [{ source: "builtin", file: BUILTIN_FILE, version: V0 }],
    });
  });
});

describe("refine_agent { type }: refused before any model request", () => {
  it("an unknown type names the field, the value and the nearest ids", async () => {
    const userDir = await setup([9]);
    const call = h!.refine({ agents: [{ name: "ok_agent", purpose: "x" }, { type: "code_reviewr" }] }, userDir);
    await expect(call).rejects.toThrow(
      /agents\[1\]\.type: unknown agent type "code_reviewr"\. Fix: .*nearest: code_reviewer/,
    );
    expect(h!.server.log).toHaveLength(0);
    expect(await fs.readdir(userDir)).toEqual([]);
  });

  it("the same type twice in place", async () => {
    const userDir = await setup([9]);
    const call = h!.refine({ agents: [{ type: "code_reviewer" }, { type: "code_reviewer" }] }, userDir);
    await expect(call).rejects.toThrow(
      /agents\[1\]\.type: "code_reviewer" is already improved in place by agents\[0\]/,
    );
    expect(h!.server.log).toHaveLength(0);
  });

  it("a broken file where the override would go: the user's to fix, never written over", async () => {
    const userDir = await setup([9]);
    const broken = path.join(userDir, "code_reviewer.yaml");
    await fs.writeFile(broken, "id: code_reviewer\nname: [unfinished\n");
    const call = h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);
    await expect(call).rejects.toThrow(
      /agents\[0\]\.type: .*code_reviewer\.yaml exists but the catalogue does not use it/,
    );
    expect(h!.server.log).toHaveLength(0);
    expect(await fs.readFile(broken, "utf8")).toBe("id: code_reviewer\nname: [unfinished\n");
  });
});

describe("refine_agent { type }: an override edited during the run", () => {
  it("is not written over: the run reports it and the edit stays", async () => {
    const userDir = await setup([7, 8.6, 9.2]);
    await h!.refine({ agents: [{ type: "code_reviewer" }] }, userDir);
    const file = path.join(userDir, "code_reviewer.yaml");
    const edited = `${await fs.readFile(file, "utf8")}# edited by hand\n`;
    const types = (await h!.registry.refresh()).types;
    h!.server.setScript(
      script(
        () => types,
        [7, 8.6, 9.2],
        async (type) => (type === "agent_refiner" ? fs.writeFile(file, edited) : undefined),
      ),
    );
    const { details } = await h!.refine({ agents: [{ type: "code_reviewer", targetScore: 9 }] }, userDir);
    expect(details.agents[0]!.error).toMatch(/code_reviewer\.yaml changed during the run.*nothing was written/);
    expect(details.agents[0]!.savedTo).toBeNull();
    expect(await fs.readFile(file, "utf8")).toBe(edited);
  });
});
