import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserInputError, UserInputErrors } from "../../src/errors.js";
import { startHarness, type Harness } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => {
    throw new Error("no model request may be made for an invalid call");
  });
});
afterAll(async () => {
  expect(h.server.log).toHaveLength(0); // zero sessions started across the whole corpus
  await h.close();
});

const ok = { type: "echo_agent", task: "summarise" };
const many = (n: number) => Array.from({ length: n }, () => ok);
const template = "{{#each this}}{{this}}{{/each}} {{constructor}}";

/** [call, field named in the error, words the message must contain] */
const CORPUS: Array<[string, unknown, string, RegExp]> = [
  [
    "unknown type",
    { agents: [{ type: "code_reviwer", task: "x" }] },
    "agents[0].type",
    /unknown agent type "code_reviwer".*nearest: code_reviewer/,
  ],
  ["path-like type", { agents: [{ type: "../../etc/passwd", task: "x" }] }, "agents[0].type", /looks like a path/],
  ["absolute path type", { agents: [{ type: "/tmp/agent", task: "x" }] }, "agents[0].type", /looks like a path/],
  [
    "template syntax as a type",
    { agents: [{ type: "{{constructor}}", task: "x" }] },
    "agents[0].type",
    /unknown agent type "\{\{constructor\}\}"/,
  ],
  ["template block as a type", { agents: [{ type: template, task: "x" }] }, "agents[0].type", /looks like a path/],
  ["empty task", { agents: [{ type: "echo_agent", task: "   " }] }, "agents[0].task", /task is empty/],
  ["missing task", { agents: [{ type: "echo_agent" }] }, "agents[0]", /missing required property "task"/],
  ["no agents and no team", {}, "agents", /no agents to run/],
  ["empty agents list", { agents: [] }, "agents", /must NOT have fewer than 1 items/],
  [
    "both agents and team",
    { agents: [ok], team: { preset: "content", topic: "x" } },
    "agents",
    /either agents or team/,
  ],
  ["too many agents for the config", { agents: many(51) }, "agents", /51 agents requested, more than the limit of 50/],
  ["too many agents for the schema", { agents: many(201) }, "agents", /must NOT have more than 200 items/],
  ["negative timeout", { agents: [{ ...ok, timeoutSeconds: -5 }] }, "agents[0].timeoutSeconds", /must be >= 5/],
  ["huge timeout", { timeoutSeconds: 999999, agents: [ok] }, "timeoutSeconds", /must be <= 3600/],
  ["zero concurrency", { maxConcurrent: 0, agents: [ok] }, "maxConcurrent", /must be >= 1/],
  ["unknown preset", { team: { preset: "marketing", topic: "x" } }, "team.preset", /must be equal to constant|allowed/],
  [
    "content preset without topic",
    { team: { preset: "content", platform: "x" } },
    "team.topic",
    /content preset needs topic/,
  ],
  [
    "dev preset without features",
    { team: { preset: "dev", appName: "Todo" } },
    "team.features",
    /dev preset needs features/,
  ],
  ["review preset without code", { team: { preset: "review" } }, "team.code", /review preset needs code/],
  [
    "meta preset agent without purpose",
    { team: { preset: "meta", agents: [{ name: "x" }] } },
    "team.agents[0]",
    /missing required property "purpose"/,
  ],
  [
    "input failing the type's schema",
    { agents: [{ type: "training_assistant", task: "x", input: { format: "telepathy" } }] },
    "agents[0].input.format",
    /must be one of/,
  ],
  [
    "input property the type does not declare",
    { agents: [{ type: "code_reviewer", task: "x", input: { code: "x", secret: template } }] },
    "agents[0].input",
    /unknown property "secret"/,
  ],
  ["input that is not an object", { agents: [{ ...ok, input: "topic=x" }] }, "agents[0].input", /must be object/],
  ["wait.first larger than the team", { agents: [ok, ok], wait: { first: 3 } }, "wait.first", /only 2 agents/],
  ["wait.first of zero", { agents: [ok], wait: { first: 0 } }, "wait.first", /must be >= 1/],
  ["negative token budget", { agents: [ok], budget: { tokens: -1 } }, "budget.tokens", /must be >= 1/],
  ["unknown parameter", { agents: [ok], parallel: true }, "(parameters)", /unknown property "parallel"/],
  ["empty model name in the ladder", { agents: [ok], models: [""] }, "models[0]", /fewer than 1 characters/],
  [
    "task over the size limit",
    { agents: [{ type: "echo_agent", task: "x".repeat(100_001) }] },
    "agents[0].task",
    /more than 100000 characters/,
  ],
  ["retries above the cap", { agents: [ok], retries: 50 }, "retries", /must be <= 5/],
];

function errorsOf(error: unknown): UserInputError[] {
  if (error instanceof UserInputErrors) return error.errors;
  if (error instanceof UserInputError) return [error];
  throw error;
}

describe("parallel_run refuses malformed calls before starting anything", () => {
  it("has a corpus of at least 20 malformed calls", () => expect(CORPUS.length).toBeGreaterThanOrEqual(20));

  it.each(CORPUS)("%s: names the field, the problem and the fix", async (_name, params, field, message) => {
    const error = await h.run(params).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, "the call should have been refused").toBeDefined();
    const errors = errorsOf(error);
    const match = errors.find((e) => e.field === field);
    expect(match, `no error for ${field}; got ${errors.map((e) => e.message).join(" | ")}`).toBeDefined();
    expect(match!.message).toMatch(message);
    expect(match!.fix.length).toBeGreaterThan(3);
  });

  it("reports several problems of one call together", async () => {
    const error = await h
      .run({
        agents: [
          { type: "nope", task: "x" },
          { type: "echo_agent", task: "" },
        ],
      })
      .catch((e: unknown) => e);
    expect(errorsOf(error).map((e) => e.field)).toEqual(["agents[0].type", "agents[1].task"]);
  });
});
