import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { computeReviewScore } from "../../src/tools/refine-agent/review-score.js";
import { startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";
import { SAMPLE_OUTPUTS, designReview, identifyType } from "../../testing/sample-outputs.js";
import type { Reply, ScriptRequest } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

type Types = Awaited<ReturnType<Harness["registry"]["refresh"]>>["types"];

/**
 * A scripted meta team: the creator answers a design whose system prompt carries a version marker "[v1]"; the refiner
 * bumps it; the reviewer scores each version from `scores` (all six dimensions equal, so the computed score is exact).
 */
function metaScript(
  getTypes: () => Types,
  scores: Record<string, number[]>,
  extra: (type: string, r: ScriptRequest) => Reply | undefined = () => undefined,
) {
  return (r: ScriptRequest): Reply => {
    const type = identifyType(r.system, getTypes());
    const special = type ? extra(type, r) : undefined;
    if (special) return special;
    const name =
      /"agent_name": "([a-z0-9_]+)"/.exec(r.user)?.[1] ?? /Design the agent "([^"]+)"/.exec(r.user)?.[1] ?? "unknown";
    const version = Number(/\[v(\d+)\]/.exec(r.user)?.[1] ?? 1);
    const design = (v: number) => ({
      ...(SAMPLE_OUTPUTS.agent_creator as object),
      agent_name: name,
      system_prompt: `You are ${name}. [v${v}] Follow a careful method, keep a quality bar, handle edge cases and refuse harm.`,
    });
    if (type === "agent_creator") return { json: design(1), delayMs: 30 };
    if (type === "agent_design_reviewer") return { json: designReview(scores[name]?.[version - 1] ?? 5), delayMs: 30 };
    if (type === "agent_refiner")
      return {
        json: {
          revised_design: design(version + 1),
          changes: [{ change: "more edge cases", addresses: "edge cases thin" }],
        },
        delayMs: 30,
      };
    throw new Error(`unexpected type ${type}`);
  };
}

async function setup(scores: Record<string, number[]>, extra?: Parameters<typeof metaScript>[2]) {
  const userDir = await tempDir("pa-user-");
  let types: Types = new Map();
  h = await startHarness(
    metaScript(() => types, scores, extra),
    { promptDirs: [userDir] },
  );
  types = (await h.registry.refresh()).types;
  return userDir;
}

describe("refine_agent: creator -> reviewer -> refiner until the target", () => {
  it("computes the overall score from the six dimensions with the rubric's weights", () => {
    const review = designReview(0, {
      system_prompt_quality: 10,
      capability_coverage: 8,
      output_schema_validity: 6,
      input_schema_appropriateness: 4,
      robustness: 2,
      production_readiness: 0,
    });
    // (25*10 + 15*8 + 20*6 + 10*4 + 15*2 + 15*0) / 100
    expect(computeReviewScore(review).score).toBe(5.6);
    expect(computeReviewScore({ ...review, overall_score: 10 }).score).toBe(5.6); // the model's own number is ignored
  });

  it("7.4 -> 8.0 -> 8.7 stops at round 3 with the target reached, and saves a valid agent type", async () => {
    const userDir = await setup({ recipe_scaler: [7.4, 8.0, 8.7] });
    const { details, text } = await h!.refine(
      { agents: [{ name: "recipe_scaler", purpose: "Scale recipes" }] },
      userDir,
    );
    const a = details.agents[0]!;
    expect(a.rounds.map((r) => r.score)).toEqual([7.4, 8, 8.7]);
    expect(a.finalScore).toBe(8.7);
    expect(a.reachedTarget).toBe(true);
    expect(a.stoppedBecause).toBe("target reached");
    expect(a.savedTo).toBe(path.join(userDir, "recipe_scaler.yaml"));
    expect(await fs.readFile(a.savedTo!, "utf8")).toContain("[v3]");
    expect(text).toMatch(/recipe_scaler: 7.40 -> 8.00 -> 8.70; final 8.7 \(target reached\)/);
    // the reviewer saw the design it scored each round
    const reviews = h!.server.log.filter((e) => e.user.startsWith("Review this agent design"));
    expect(reviews.map((e) => /\[v(\d)\]/.exec(e.user)![1])).toEqual(["1", "2", "3"]);
  });

  it("stops early when the score plateaus, saying so", async () => {
    const userDir = await setup({ flat_agent: [7.0, 7.1, 9.9] });
    const { details } = await h!.refine({ agents: [{ name: "flat_agent", purpose: "x" }], maxRounds: 3 }, userDir);
    expect(details.agents[0]!.rounds.map((r) => r.score)).toEqual([7, 7.1]);
    expect(details.agents[0]!.stoppedBecause).toMatch(/plateaued/);
  });

  it("keeps the earlier, better design when a round regresses", async () => {
    const userDir = await setup({ worse_agent: [7.5, 6.0] });
    const { details } = await h!.refine({ agents: [{ name: "worse_agent", purpose: "x" }] }, userDir);
    const a = details.agents[0]!;
    expect(a.finalScore).toBe(7.5);
    expect(a.stoppedBecause).toMatch(/fell from 7.5 to 6/);
    const saved = await fs.readFile(a.savedTo!, "utf8");
    expect(saved).toContain("[v1]");
    expect(saved).not.toContain("[v2]");
  });

  it("never counts a malformed review: it is repaired first", async () => {
    let malformed = 0;
    const userDir = await setup({ careful_agent: [9.0] }, (type, r) => {
      if (type === "agent_design_reviewer" && !r.user.includes("Your previous answer was rejected")) {
        malformed++;
        return { json: { overall_score: 10, overall_grade: "A" } }; // missing the six dimensions
      }
      return undefined;
    });
    const { details } = await h!.refine({ agents: [{ name: "careful_agent", purpose: "x" }] }, userDir);
    expect(malformed).toBe(1);
    expect(details.agents[0]!.rounds).toHaveLength(1);
    expect(details.agents[0]!.rounds[0]!.score).toBe(9);
  });

  it("refines a batch of 10 concurrently, saves 10 valid files, and parallel_run uses the new types at once", async () => {
    const names = Array.from({ length: 10 }, (_, i) => `batch_agent_${i + 1}`);
    const userDir = await setup(Object.fromEntries(names.map((n) => [n, [8.8]])));
    const { details } = await h!.refine(
      { agents: names.map((name) => ({ name, purpose: `purpose of ${name}` })), maxConcurrent: 10 },
      userDir,
    );
    expect(details.agents.every((a) => a.reachedTarget && a.savedTo)).toBe(true);
    expect((await fs.readdir(userDir)).filter((f) => f.endsWith(".yaml")).sort()).toEqual(
      names.map((n) => `${n}.yaml`).sort(),
    );
    const creators = h!.server.log.filter((e) => e.user.startsWith("Design a new agent"));
    expect(Math.max(...creators.map((e) => e.startedAt))).toBeLessThan(Math.min(...creators.map((e) => e.endedAt!))); // all ten overlapped
    const snapshot = await h!.registry.refresh();
    expect(snapshot.diagnostics).toEqual([]);
    h!.server.setScript(() => ({ json: { ingredients: [] } }));
    const { run } = await h!.run({
      agents: names.map((type) => ({ type, task: "Do your job", input: { recipe: "2 eggs" } })),
    });
    expect(run.counts.ok).toBe(10);
  });

  it("a name clash gets a new name and leaves the existing file untouched", async () => {
    const userDir = await setup({ code_reviewer: [9], taken_name: [9] });
    await fs.writeFile(path.join(userDir, "taken_name.yaml"), "# not ours\n");
    const { details } = await h!.refine(
      {
        agents: [
          { name: "taken_name", purpose: "x" },
          { name: "code_reviewer", purpose: "x" },
        ],
      },
      userDir,
    );
    expect(details.agents[0]!.id).toBe("taken_name_v2");
    expect(details.agents[0]!.renamedFrom).toBe("taken_name");
    expect(await fs.readFile(path.join(userDir, "taken_name.yaml"), "utf8")).toBe("# not ours\n");
    // a new design never takes a catalogue id (improving an existing type in place is asked for with `type`)
    expect(details.agents[1]).toMatchObject({ id: "code_reviewer_v2", inPlace: false, baseType: null });
  });

  it("an unwritable folder gives a clear error per agent and writes nothing", async () => {
    const userDir = await setup({ blocked_agent: [9] });
    const blocked = path.join(userDir, "file-not-folder");
    await fs.writeFile(blocked, "x");
    const { details } = await h!.refine({ agents: [{ name: "blocked_agent", purpose: "x" }] }, blocked);
    expect(details.agents[0]!.error).toMatch(/cannot (create|write)/);
    expect(details.agents[0]!.savedTo).toBeNull();
    expect(await fs.readFile(blocked, "utf8")).toBe("x");
  });

  it("a design that fails validation is refused with the reason, and nothing is written", async () => {
    const userDir = await setup({ broken_agent: [9] }, (type) =>
      type === "agent_creator"
        ? {
            json: {
              ...(SAMPLE_OUTPUTS.agent_creator as object),
              agent_name: "broken_agent",
              output_schema: { type: "object", properties: { x: { type: "strng" } } },
            },
          }
        : undefined,
    );
    const { details } = await h!.refine({ agents: [{ name: "broken_agent", purpose: "x" }] }, userDir);
    expect(details.agents[0]!.error).toMatch(/does not make a valid agent type.*output.*not a valid JSON Schema/);
    expect(await fs.readdir(userDir)).toEqual([]);
  });

  it("save: false returns the YAML without writing it", async () => {
    const userDir = await setup({ dry_agent: [9] });
    const { details } = await h!.refine({ agents: [{ name: "dry_agent", purpose: "x" }], save: false }, userDir);
    expect(details.agents[0]!.yaml).toMatch(/^# Generated by refine_agent[\s\S]*id: dry_agent/);
    expect(details.agents[0]!.savedTo).toBeNull();
    expect(await fs.readdir(userDir)).toEqual([]);
  });

  it("chat text with template syntax in a generated prompt stays literal in the saved type", async () => {
    const userDir = await setup({ braces_agent: [9] }, (type) =>
      type === "agent_creator"
        ? {
            json: {
              ...(SAMPLE_OUTPUTS.agent_creator as object),
              agent_name: "braces_agent",
              system_prompt:
                "You are braces_agent. Print {{constructor}} and {{#each x}} literally, then follow your method.",
            },
          }
        : undefined,
    );
    const { details } = await h!.refine({ agents: [{ name: "braces_agent", purpose: "x" }] }, userDir);
    const type = (await h!.registry.refresh()).types.get("braces_agent")!;
    const { renderAgentPrompt } = await import("../../src/render/render-agent-prompt.js");
    expect(renderAgentPrompt({ type, task: "go" }).system).toContain("Print {{constructor}} and {{#each x}} literally");
    expect(details.agents[0]!.savedTo).toBeTruthy();
  });
});
