// How parallel_run turns any-task requests into prepared agents: tools resolved (config, type default, call), per-call
// output contracts, the blog preset; every refusal before anything starts.
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS, type ResolvedConfig } from "../../src/config.js";
import { UserInputError, UserInputErrors } from "../../src/errors.js";
import type { AgentType } from "../../src/registry/agent-type.js";
import type { RenderedPrompt } from "../../src/engine/run-types.js";
import type { ToolAccess } from "../../src/runs/prepare-agent.js";
import { prepareParallelRun } from "../../src/tools/parallel-run/prepare.js";
import { BLOG_ANGLES } from "../../src/tools/parallel-run/teams.js";
import { loadBuiltins } from "../helpers/registry.js";

let types: ReadonlyMap<string, AgentType>;
beforeAll(async () => {
  types = (await loadBuiltins()).types;
});

const INSIDE_OPENCLAW: ToolAccess = { runtime: true, allowed: true };
const prepare = (raw: unknown, tools?: ToolAccess, config: Partial<ResolvedConfig> = {}) =>
  prepareParallelRun(raw, { config: { ...CONFIG_DEFAULTS, ...config }, types, tools });
const refusalOf = (fn: () => unknown): UserInputError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserInputErrors) return error.errors[0]!;
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error("the call was accepted");
};
const promptOf = (agent: { prompt: unknown }) => agent.prompt as RenderedPrompt;

describe("tools per agent", () => {
  it("a call can give an agent the host's tools inside OpenClaw; by default agents have none", () => {
    const { agents } = prepare(
      {
        agents: [
          { type: "general", task: "Read notes.txt and summarise it", tools: "host" },
          { type: "general", task: "Summarise this" },
        ],
      },
      INSIDE_OPENCLAW,
    );
    expect(agents.map((a) => a.tools)).toEqual(["host", undefined]);
  });

  it("a type's default applies (researcher: host), and a call can override it", () => {
    const { agents } = prepare(
      {
        agents: [
          { type: "researcher", task: "Who makes the best bagels in Savannah?" },
          { type: "researcher", task: "Same, without tools", tools: "none" },
        ],
      },
      INSIDE_OPENCLAW,
    );
    expect(agents.map((a) => a.tools)).toEqual(["host", undefined]);
  });

  it("config allowTools: false refuses a call that asks for tools, naming the field and the setting", () => {
    const e = refusalOf(() =>
      prepare({ agents: [{ type: "general", task: "x", tools: "host" }] }, { runtime: true, allowed: false }),
    );
    expect(e.field).toBe("agents[0].tools");
    expect(e.message).toContain("allowTools: false");
    expect(e.message).toContain("plugins.entries.parallel-agents.config.allowTools: true");
  });

  it("where tools cannot be had, a type that defaults to them runs without them instead", () => {
    const forbidden = prepare({ agents: [{ type: "researcher", task: "q" }] }, { runtime: true, allowed: false });
    expect(forbidden.agents[0]!.tools).toBeUndefined();
    const terminal = prepare({ agents: [{ type: "researcher", task: "q" }] });
    expect(terminal.agents[0]!.tools).toBeUndefined();
  });

  it("outside OpenClaw (the terminal's endpoint) a call asking for tools is refused with the fix", () => {
    const e = refusalOf(() => prepare({ agents: [{ type: "general", task: "x", tools: "host" }] }));
    expect(e.field).toBe("agents[0].tools");
    expect(e.message).toContain("only OpenClaw's sub-agent sessions can");
    expect(e.message).toContain('tools: "none"');
  });
});

describe("a call's own output contract", () => {
  const schema = {
    type: "object",
    required: ["title", "score"],
    properties: { title: { type: "string" }, score: { type: "number", minimum: 0, maximum: 10 } },
  };

  it("outputSchema makes a general agent answer in JSON validated against it, and the prompt shows that schema", () => {
    const [agent] = prepare({ agents: [{ type: "general", task: "Rate this", outputSchema: schema }] }).agents;
    expect(agent!.format).toBe("json");
    expect(agent!.outputSchema).toEqual(schema);
    expect(agent!.validateOutput!({ title: "t", score: 5 }).valid).toBe(true);
    expect(agent!.validateOutput!({ title: "t", score: 11 }).valid).toBe(false);
    const { system } = promptOf(agent!);
    expect(system).toContain("Reply with exactly one JSON object");
    expect(system).toContain('"maximum":10');
  });

  it("general answers in Markdown by default; outputFormat changes it; json without a schema takes any object", () => {
    const { agents } = prepare({
      agents: [
        { type: "general", task: "a" },
        { type: "general", task: "b", outputFormat: "code" },
        { type: "general", task: "c", outputFormat: "json" },
      ],
    });
    expect(agents.map((a) => a.format)).toEqual(["markdown", "code", "json"]);
    expect(promptOf(agents[0]!).system).toContain("Reply in Markdown only");
    expect(promptOf(agents[1]!).system).toContain("single fenced code block");
    expect(agents[2]!.validateOutput!({ any: ["thing"] }).valid).toBe(true);
    expect(agents[2]!.validateOutput!([1, 2]).valid).toBe(false);
  });

  it("is refused for a type that already answers in JSON, and when outputFormat contradicts outputSchema", () => {
    const json = refusalOf(() =>
      prepare({ agents: [{ type: "code_reviewer", task: "x", input: { code: "x" }, outputSchema: schema }] }),
    );
    expect(json.field).toBe("agents[0].outputSchema");
    expect(json.message).toContain('use type "general" with outputSchema');
    const clash = refusalOf(() =>
      prepare({ agents: [{ type: "general", task: "x", outputSchema: schema, outputFormat: "markdown" }] }),
    );
    expect(clash.field).toBe("agents[0].outputFormat");
  });

  it("a bad schema is refused before anything starts, with every other problem of the call", () => {
    try {
      prepare({
        agents: [
          { type: "general", task: "x", outputSchema: { type: "object", properties: { a: { pattern: "(a+)+" } } } },
          { type: "nope", task: "y" },
        ],
      });
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(UserInputErrors);
      const fields = (error as UserInputErrors).errors.map((e) => e.field);
      expect(fields).toEqual(["agents[0].outputSchema", "agents[1].type"]);
    }
  });
});

describe("rubrics reach the model", () => {
  it("a type that scores work sees its rubric, dimension by dimension, with weights", () => {
    const [agent] = prepare({
      agents: [{ type: "code_reviewer", task: "Review", input: { code: "let x = 1" } }],
    }).agents;
    const { system } = promptOf(agent!);
    expect(system).toContain("## Rubric");
    for (const item of types.get("code_reviewer")!.def.rubric!) expect(system).toContain(`- ${item.dimension} (`);
    expect(system).toContain("- correctness (40%)");
    expect(system.indexOf("## Rubric")).toBeLessThan(system.indexOf("## Output contract"));
  });
});

describe("the blog preset", () => {
  it("writes one post per topic", () => {
    const { agents } = prepare({ team: { preset: "blog", topics: ["a", "b", "c"], words: 1200 } });
    expect(agents.map((a) => a.type)).toEqual(["blog_post_writer", "blog_post_writer", "blog_post_writer"]);
    expect(promptOf(agents[1]!).message).toContain("b");
  });

  it("writes count posts on one topic from distinct angles (5 by default), or one per given angle", () => {
    const byCount = prepare({ team: { preset: "blog", topic: "home espresso" } }).agents;
    expect(byCount).toHaveLength(5);
    for (const [i, a] of byCount.entries()) expect(promptOf(a).message).toContain(BLOG_ANGLES[i]!);
    const byAngle = prepare({ team: { preset: "blog", topic: "tea", angles: ["history", "chemistry"] } }).agents;
    expect(byAngle.map((a) => promptOf(a).message.includes("chemistry"))).toEqual([false, true]);
  });

  it("refuses contradictory or missing settings, naming the field", () => {
    expect(refusalOf(() => prepare({ team: { preset: "blog" } })).field).toBe("team.topic");
    expect(refusalOf(() => prepare({ team: { preset: "blog", topics: ["a"], count: 2 } })).field).toBe("team.count");
    expect(
      refusalOf(() => prepare({ team: { preset: "blog", topic: "t", angles: ["x"], count: 3 } })).message,
    ).toContain("count is 3 but 1 angles");
    expect(refusalOf(() => prepare({ team: { preset: "blog", topic: "t", count: 25 } })).message).toContain(
      "need angles",
    );
  });
});
