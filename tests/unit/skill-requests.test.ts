// The requests users make most, mapped to calls in USAGE-GUIDE.md ("From a request to a call") and SKILL.md: every call
// is checked against its tool's schema and prepared with the built-in catalogue exactly as inside OpenClaw (types,
// inputs, output schemas and tools resolved). Nothing is spawned and no model is called.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../src/config.js";
import type { RenderedPrompt } from "../../src/engine/run-types.js";
import { UserInputError, UserInputErrors } from "../../src/errors.js";
import type { AgentType } from "../../src/registry/agent-type.js";
import type { ToolAccess } from "../../src/runs/prepare-agent.js";
import { parseOrchestrateParams } from "../../src/tools/orchestrate/execute.js";
import type { OrchestrateParamsT } from "../../src/tools/orchestrate/params.js";
import { type PreparedRun, prepareParallelRun } from "../../src/tools/parallel-run/prepare.js";
import { BLOG_ANGLES, TEAM_TYPES } from "../../src/tools/parallel-run/teams.js";
import { parseRefineParams } from "../../src/tools/refine-agent/execute.js";
import { type RefinePlan, planRefineRequests } from "../../src/tools/refine-agent/plan-refine-requests.js";
import { loadBuiltins, tempDir } from "../helpers/registry.js";

const ROOT = path.join(import.meta.dirname, "..", "..");
const GUIDE = fs.readFileSync(path.join(ROOT, "USAGE-GUIDE.md"), "utf8");
const SKILL = fs.readFileSync(path.join(ROOT, "skill", "parallel-agents", "SKILL.md"), "utf8");

type GuideRequest = { words: string; tool: string; name: string; call: unknown };

/** The guide's requests: the user's words quoted, then `<!-- request: tool:name -->` and the call as a json block. */
const REQUESTS: GuideRequest[] = [
  ...GUIDE.matchAll(/^> "(.+)"\n\n<!-- request: ([a-z_]+):([a-z0-9-]+) -->\n```json\n([\s\S]*?)\n```/gm),
].map((m) => ({ words: m[1]!, tool: m[2]!, name: m[3]!, call: JSON.parse(m[4]!) }));

const INSIDE_OPENCLAW: ToolAccess = { runtime: true, allowed: true };

let types: ReadonlyMap<string, AgentType>;
let userDir: string;
beforeAll(async () => {
  types = (await loadBuiltins()).types;
  userDir = await tempDir("pa-requests-");
});

const prepare = (call: unknown, tools: ToolAccess = INSIDE_OPENCLAW) =>
  prepareParallelRun(call, { config: CONFIG_DEFAULTS, types, tools });
const planRefine = (call: unknown) => planRefineRequests(parseRefineParams(call), { types, userDir });

/** Each agent as `type`, or `type+tools` when it runs with the host's tools. */
const kinds = (run: PreparedRun) => run.agents.map((a) => (a.tools === "host" ? `${a.type}+tools` : a.type));
const messages = (run: PreparedRun) => run.agents.map((a) => (a.prompt as RenderedPrompt).message);

/** The fields a refused call names, or a failure when it was accepted. */
function refusedFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserInputErrors) return error.errors.map((e) => e.field);
    expect(error).toBeInstanceOf(UserInputError);
    return [(error as UserInputError).field];
  }
  throw new Error("the call was accepted");
}

type Expectation =
  | { tool: "parallel_run"; check: (run: PreparedRun, call: unknown) => void }
  | { tool: "refine_agent"; check: (plans: RefinePlan[]) => void }
  | { tool: "orchestrate"; check: (params: OrchestrateParamsT) => void };

/** The old system's example requests, as the user says them, and what their calls must start. */
const EXPECTED: Record<string, Expectation> = {
  "Research Savannah's bars, restaurants and photo spots in parallel": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual(Array(3).fill("researcher+tools"));
      expect(run.agents.map((a) => a.label)).toEqual(["bars", "restaurants", "photo spots"]);
      expect(run.agents.every((a) => a.format === "json" && a.outputSchema)).toBe(true);
    },
  },
  "Research these 4 competitors: Plausible, Fathom, Matomo and Simple Analytics": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual(Array(4).fill("researcher+tools"));
      expect(messages(run)).toEqual(run.agents.map((a) => expect.stringContaining(a.label)));
    },
  },
  "Read these files and summarise each: a.md, b.md, c.md": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual(Array(3).fill("general+tools"));
      expect(run.agents.map((a) => a.format)).toEqual(["markdown", "markdown", "markdown"]);
      expect(messages(run)).toEqual(["a.md", "b.md", "c.md"].map((file) => expect.stringContaining(file)));
    },
  },
  "Write 5 blog posts about home espresso": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual(Array(5).fill("blog_post_writer"));
      // five different angles, so the posts do not overlap
      expect(messages(run)).toEqual(BLOG_ANGLES.slice(0, 5).map((angle) => expect.stringContaining(angle)));
    },
  },
  "Write blog posts on these 4 topics: choosing a grinder, dialling in a shot, steaming milk, cleaning the machine": {
    tool: "parallel_run",
    check: (run, call) => {
      expect(kinds(run)).toEqual(Array(4).fill("blog_post_writer"));
      const { topics } = (call as { team: { topics: string[] } }).team;
      expect(messages(run)).toEqual(topics.map((topic) => expect.stringContaining(topic)));
    },
  },
  "Give me 5 Instagram captions about morning coffee in different styles": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual([...TEAM_TYPES.content]);
      for (const message of messages(run)) expect(message).toContain("instagram");
    },
  },
  "Review this code for security, performance and accessibility": {
    tool: "parallel_run",
    check: (run) => {
      expect(kinds(run)).toEqual(
        expect.arrayContaining(["security_reviewer", "performance_reviewer", "accessibility_reviewer"]),
      );
      for (const message of messages(run)) expect(message).toContain("dangerouslySetInnerHTML");
    },
  },
  "Build the parts of a todo app": {
    tool: "parallel_run",
    check: (run) => expect(kinds(run)).toEqual([...TEAM_TYPES.dev]),
  },
  "Make me an agent that reviews SQL migrations": {
    tool: "refine_agent",
    check: (plans) => expect(plans).toMatchObject([{ mode: "new", name: "sql_migration_reviewer", target: 8.5 }]),
  },
  "Improve the code reviewer": {
    tool: "refine_agent",
    // in place: the user's override of the same id, never the built-in file
    check: (plans) =>
      expect(plans).toMatchObject([
        {
          mode: "inPlace",
          name: "code_reviewer",
          target: 9,
          override: { file: path.join(userDir, "code_reviewer.yaml") },
        },
      ]),
  },
  "Plan and write a launch post, then review it": {
    tool: "orchestrate",
    check: (params) => {
      expect(params.goal).toMatch(/launch post.*review/);
      expect(params.context).toBeTruthy();
    },
  },
};

describe("USAGE-GUIDE.md: from a request to a call", () => {
  it("every request tag is read (none is malformed), and each request's words appear once", () => {
    expect(REQUESTS).toHaveLength(GUIDE.split("<!-- request: ").length - 1);
    expect(new Set(REQUESTS.map((r) => r.words)).size).toBe(REQUESTS.length);
  });

  it("maps each of the old system's example requests to a call of the right tool", () => {
    for (const [words, expected] of Object.entries(EXPECTED))
      expect(REQUESTS.find((r) => r.words === words)?.tool, `"${words}" missing from the guide`).toBe(expected.tool);
  });

  it.each(REQUESTS.map((r) => [r.words, r] as const))(
    '"%s" is a valid call, prepared as inside OpenClaw',
    async (_words, request) => {
      const expected = EXPECTED[request.words];
      switch (request.tool) {
        case "parallel_run": {
          const run = prepare(request.call);
          expect(run.agents.length).toBeGreaterThan(0);
          if (expected?.tool === "parallel_run") expected.check(run, request.call);
          break;
        }
        case "refine_agent": {
          const plans = await planRefine(request.call);
          if (expected?.tool === "refine_agent") expected.check(plans);
          break;
        }
        case "orchestrate": {
          const params = parseOrchestrateParams(request.call);
          if (expected?.tool === "orchestrate") expected.check(params);
          break;
        }
        default:
          throw new Error(`unknown tool "${request.tool}" in <!-- request: ${request.tool}:${request.name} -->`);
      }
    },
  );

  const parallel = REQUESTS.filter((r) => r.tool === "parallel_run");
  const askingForTools = (call: unknown) =>
    ((call as { agents?: Array<{ tools?: string }> }).agents ?? []).flatMap((a, i) =>
      a.tools === "host" ? [`agents[${i}].tools`] : [],
    );

  it.each([
    ["the terminal's endpoint", { runtime: false, allowed: true }],
    ["OpenClaw with allowTools: false", { runtime: true, allowed: false }],
  ] as const)(
    "where tools cannot be had (%s), calls that ask for them are refused naming each agent; others run without",
    (_where, access) => {
      for (const request of parallel) {
        const asked = askingForTools(request.call);
        if (asked.length > 0) expect(refusedFields(() => prepare(request.call, access))).toEqual(asked);
        else expect(prepare(request.call, access).agents.every((a) => a.tools === undefined)).toBe(true);
      }
    },
  );
});

describe("SKILL.md", () => {
  const blocks = [...SKILL.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => m[1]!);

  it("every JSON example is a parallel_run call accepted inside OpenClaw", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) expect(prepare(JSON.parse(block)).agents.length).toBeGreaterThan(0);
  });

  it("names every built-in agent type the host may call (the synthesizer and the judge are the tools' own steps)", () => {
    for (const id of types.keys())
      if (id !== "synthesizer" && id !== "output_judge") expect(SKILL).toContain(`\`${id}\``);
  });
});
