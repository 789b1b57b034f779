import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../helpers/harness.js";
import { SAMPLE_OUTPUTS, designReview, identifyType } from "../../testing/sample-outputs.js";
import { tempDir } from "../helpers/registry.js";

const GUIDE = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "USAGE-GUIDE.md"), "utf8");

function examples(prefix: string): Array<[string, unknown]> {
  return [...GUIDE.matchAll(/<!-- example: ([^ ]+) -->\n```json\n([\s\S]*?)\n```/g)]
    .filter((m) => m[1]!.startsWith(prefix))
    .map((m) => [m[1]!, JSON.parse(m[2]!)]);
}

type AgentCall = { task?: string; outputSchema?: Schema; outputFormat?: string };
type Schema = {
  type?: string;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  minItems?: number;
  minLength?: number;
  minimum?: number;
};

/** The smallest value a schema accepts (the keywords the guide's examples use), as a model's answer for it. */
function smallestInstance(schema: Schema): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case "object":
      return Object.fromEntries(
        (schema.required ?? []).map((k) => [k, smallestInstance(schema.properties?.[k] ?? {})]),
      );
    case "array":
      return Array.from({ length: schema.minItems ?? 0 }, () => smallestInstance(schema.items ?? {}));
    case "integer":
    case "number":
      return schema.minimum ?? 0;
    case "boolean":
      return true;
    default:
      return "x".repeat(Math.max(1, schema.minLength ?? 1));
  }
}

/** A general agent's answer: what its call's outputSchema or outputFormat asks for, found by its task text. */
function generalAnswer(params: unknown, user: string) {
  const agent = ((params as { agents?: AgentCall[] }).agents ?? []).find((a) => a.task && user.includes(a.task));
  if (agent?.outputSchema) return { json: smallestInstance(agent.outputSchema) };
  if (agent?.outputFormat === "json") return { json: { answer: "x" } };
  if (agent?.outputFormat === "code") return { text: "```ts\nexport const answer = 42;\n```" };
  return { text: SAMPLE_OUTPUTS.general as string };
}

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
});

describe("USAGE-GUIDE.md parallel_run examples", () => {
  const cases = examples("parallel_run:");
  it("has the examples the guide promises", () =>
    expect(cases.map((c) => c[0])).toEqual([
      "parallel_run:agents",
      "parallel_run:team-content",
      "parallel_run:team-dev",
      "parallel_run:team-review",
      "parallel_run:first",
      "parallel_run:general",
      "parallel_run:research",
      "parallel_run:team-blog",
    ]));

  it.each(cases)("%s runs and every agent ends ok (or is cancelled by wait.first)", async (_name, params) => {
    let types: Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"] = new Map();
    h = await startHarness((r) => {
      const type = identifyType(r.system, types);
      if (type === "general") return { ...generalAnswer(params, r.user), delayMs: 20 };
      const sample = type ? SAMPLE_OUTPUTS[type] : undefined;
      if (!sample) throw new Error(`no sample answer for ${type ?? "an unknown type"}`);
      return { json: sample, delayMs: 20 };
    });
    types = (await h.registry.refresh()).types;
    const { run } = await h.run(params);
    const first = (params as { wait?: { first?: number } }).wait?.first;
    if (first) {
      expect(run.counts.ok).toBeGreaterThanOrEqual(first);
      expect(run.counts.ok + run.counts.cancelled + run.counts.skipped).toBe(run.agents.length);
    } else {
      expect(run.counts.ok).toBe(run.agents.length);
    }
    // a call's own outputSchema is the contract: the agent's output is the validated object, not its text
    for (const [i, a] of ((params as { agents?: AgentCall[] }).agents ?? []).entries())
      if (a.outputSchema)
        expect(run.agents.find((r) => r.index === i)!.output).toEqual(smallestInstance(a.outputSchema));
    const ladder = (params as { models?: string[] }).models;
    if (ladder) {
      // each type starts on its tier's rung: standard reviewers on the 2nd model, the premium security reviewer on the 3rd
      for (const entry of h.server.log) {
        const tier = types.get(identifyType(entry.system, types)!)!.def.tier;
        expect(entry.model).toBe(tier === "premium" ? "local/large" : "local/medium");
      }
    }
  });
});

describe("USAGE-GUIDE.md refine_agent examples", () => {
  const cases = examples("refine_agent:");
  it("has the examples the guide promises", () =>
    expect(cases.map((c) => c[0])).toEqual(["refine_agent:new", "refine_agent:existing"]));

  it.each(cases)("%s runs: every agent reviewed, scored and (unless save: false) saved", async (_name, params) => {
    let types: Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"] = new Map();
    h = await startHarness((r) => {
      const type = identifyType(r.system, types);
      if (type === "agent_creator")
        return {
          json: { ...(SAMPLE_OUTPUTS.agent_creator as object), agent_name: /Name: (\S+)/.exec(r.user)?.[1] ?? "x" },
        };
      if (type === "agent_design_reviewer") return { json: designReview(9) };
      throw new Error(`unexpected ${type}`);
    });
    types = (await h.registry.refresh()).types;
    const userDir = await tempDir("pa-guide-");
    const { details } = await h.refine(params, userDir);
    const save = (params as { save?: boolean }).save ?? true;
    for (const a of details.agents) {
      expect(a.finalScore).toBe(9);
      expect(a.error).toBeUndefined();
      expect(Boolean(a.savedTo)).toBe(save);
      expect(a.yaml).toContain(`id: ${a.id}`);
    }
  });
});

describe("USAGE-GUIDE.md orchestrate examples", () => {
  const cases = examples("orchestrate:");
  it("has the examples the guide promises", () =>
    expect(cases.map((c) => c[0])).toEqual(["orchestrate:plan-and-run", "orchestrate:dry-run"]));

  it.each(cases)("%s plans (and unless dryRun, runs and synthesizes)", async (_name, params) => {
    let types: Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"] = new Map();
    const plan = [
      {
        id: "welcome",
        type: "content_writer_creative",
        task: "A welcome post for the blog",
        input: { topic: "our recipe blog" },
        dependsOn: [],
      },
      {
        id: "schema",
        type: "database_architect",
        task: "Tables for recipes",
        input: { appName: "Recipe blog" },
        dependsOn: [],
      },
      {
        id: "review",
        type: "code_reviewer",
        task: "Review the signup code",
        input: { code: "export function signup(email) { return db.insert(email) }" },
        dependsOn: ["schema"],
      },
    ];
    h = await startHarness((r) => {
      const type = identifyType(r.system, types);
      if (type === "agent_orchestrator") return { json: { tasks: plan, rationale: "three lanes" } };
      if (type === "synthesizer")
        return { json: { synthesis: "# Launch plan\nAll three lanes done.", failed_lanes: [], confidence: 0.9 } };
      const sample = type ? SAMPLE_OUTPUTS[type] : undefined;
      if (!sample) throw new Error(`unexpected ${type}`);
      return { json: sample };
    });
    types = (await h.registry.refresh()).types;
    const { details } = await h.orchestrate(params);
    if ((params as { dryRun?: boolean }).dryRun) {
      expect(h.server.log).toHaveLength(1);
      expect(details.waves).toEqual([["welcome", "schema"], ["review"]]);
    } else {
      expect(details.tasks.map((t) => t.outcome)).toEqual(["ok", "ok", "ok"]);
      expect(details.synthesis?.outcome).toBe("ok");
    }
  });
});

describe("USAGE-GUIDE.md CLI examples", () => {
  it("the call file runs with `parallel-agents run --file` and every agent ends ok", { timeout: 60_000 }, async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { packageRoot } = await import("../../src/paths.js");
    const yaml = /<!-- example: cli:calls.yaml -->\n```yaml\n([\s\S]*?)\n```/.exec(GUIDE)![1]!;
    let types: Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"] = new Map();
    h = await startHarness((r) => ({ json: SAMPLE_OUTPUTS[identifyType(r.system, types) ?? "none"] ?? {} }));
    types = (await h.registry.refresh()).types;
    const dir = await tempDir("pa-cli-guide-");
    fs.writeFileSync(path.join(dir, "calls.yaml"), yaml);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        path.join(packageRoot(), "dist", "cli.js"),
        "run",
        "--file",
        "calls.yaml",
        "--base-url",
        h.server.url,
        "--model",
        "llama3.1",
        "--runs-dir",
        dir,
        "--json",
      ],
      { cwd: dir, env: { PATH: process.env.PATH!, HOME: dir } },
    );
    expect(JSON.parse(stdout).counts.ok).toBe(2);
  });

  it("every command in the commands example is one the CLI knows", async () => {
    const { USAGE } = await import("../../src/cli/run-cli.js");
    const block = /<!-- example: cli:commands -->\n```sh\n([\s\S]*?)\n```/.exec(GUIDE)![1]!;
    for (const line of block.split("\n")) expect(USAGE).toContain(`parallel-agents ${line.split(" ")[1]}`);
  });

  it("the batch example submits, lists the run as waiting, and `wait` collects every answer at half price", {
    timeout: 60_000,
  }, async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const { packageRoot } = await import("../../src/paths.js");
    const { startScriptedBatchServer } = await import("../../testing/scripted-batch-server.js");
    const { loadBuiltins } = await import("../helpers/registry.js");
    const { types } = await loadBuiltins();
    const yaml = /<!-- example: cli:calls.yaml -->\n```yaml\n([\s\S]*?)\n```/.exec(GUIDE)![1]!;
    const block = /<!-- example: cli:batch -->\n```sh\n([\s\S]*?)\n```/.exec(GUIDE)![1]!;
    const batch = await startScriptedBatchServer({
      script: (r) => ({ json: SAMPLE_OUTPUTS[identifyType(r.system, types) ?? "none"] ?? {} }),
    });
    try {
      const dir = await tempDir("pa-batch-guide-");
      fs.writeFileSync(path.join(dir, "calls.yaml"), yaml);
      const env = {
        PATH: process.env.PATH!,
        HOME: dir,
        OPENAI_API_KEY: "sk-guide-0123456789",
        PARALLEL_AGENTS_BATCH_POLL_MS: "15",
      };
      let runId = "";
      const outputs: string[] = [];
      for (const line of block.split("\n")) {
        const [, command, ...rest] = line.replace("RUN_ID", runId).split(" ");
        const endpoint = command === "runs" ? [] : ["--base-url", batch.url];
        const { stdout } = await promisify(execFile)(
          process.execPath,
          [path.join(packageRoot(), "dist", "cli.js"), command!, ...rest, ...endpoint, "--runs-dir", dir],
          { cwd: dir, env },
        );
        runId ||= /parallel-agents wait (\S+)/.exec(stdout)?.[1] ?? "";
        outputs.push(stdout);
      }
      expect(outputs[0]).toMatch(/2 agents submitted to openai in 1 batch/);
      expect(outputs[1]).toMatch(new RegExp(`${runId} .* waiting on batch: batch_\\d+ validating, 2 requests`));
      expect(outputs[2]).toMatch(/2 agents, 2 ok .*\$\d/);
      expect(batch.count("batches.create")).toBe(1);
      batch.assertNoUnexpected();
    } finally {
      await batch.close();
    }
  });
});

describe("USAGE-GUIDE.md endpoints example", () => {
  it("the endpoints file is accepted, each key read from the variable it names", async () => {
    const { parse } = await import("yaml");
    const { parseEndpointsConfig } = await import("../../src/cli/endpoints-file.js");
    const yaml = /<!-- example: cli:endpoints.yaml -->\n```yaml\n([\s\S]*?)\n```/.exec(GUIDE)![1]!;
    const env = { LITELLM_MASTER_KEY: "sk-litellm-test", OPENROUTER_API_KEY: "sk-or-test" };
    const endpoints = parseEndpointsConfig(parse(yaml), { env });
    expect(endpoints.map((e) => [e.name, e.apiKey, e.maxConcurrent])).toEqual([
      ["litellm", "sk-litellm-test", 16],
      ["openrouter", "sk-or-test", 8],
    ]);
    expect(endpoints[1]!.models).toEqual({ "gpt-4o-mini": "openai/gpt-4o-mini", "gpt-4o": "openai/gpt-4o" });
    // the command under it uses only flags the CLI knows, with prices it accepts
    const { COMMAND_SPECS } = await import("../../src/cli/command-specs.js");
    const { priceTableOf } = await import("../../src/runs/prices.js");
    const at = GUIDE.indexOf("<!-- example: cli:endpoints.yaml -->");
    const command = /```sh\n(?:export .*\n)?(parallel-agents run .*)\n```/.exec(GUIDE.slice(at))![1]!;
    for (const flag of command.match(/--[a-z-]+/g)!)
      expect(Object.keys(COMMAND_SPECS.run.flags)).toContain(flag.slice(2));
    expect(priceTableOf([...command.matchAll(/--price (\S+)/g)].map((m) => m[1]!)).size).toBe(2);
  });
});
