import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_DEFAULTS } from "../../src/config.js";
import type { SessionPort, SessionRequest } from "../../src/engine/port.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { createRegistry } from "../../src/registry/create-registry.js";
import { executeOrchestrate } from "../../src/tools/orchestrate/execute.js";
import { executeParallelRun } from "../../src/tools/parallel-run/execute.js";
import { executeRefineAgent } from "../../src/tools/refine-agent/execute.js";
import { FIXTURES, tempDir } from "../helpers/registry.js";
import { SAMPLE_OUTPUTS, designReview } from "../../testing/sample-outputs.js";

const CALLS = 200;
// the meta tools run several agents a call: fewer calls keep the test quick, and one leak a call would still show
const META_CALLS = 50;
const openFds = () => fs.readdirSync("/proc/self/fd").length;

/** An in-process port (no sockets, so the descriptor count sees only the journals) answering as each agent type asks. */
const port: SessionPort = {
  name: "in-memory",
  run: async (request: SessionRequest) => {
    const is = (text: string) => request.system.includes(text);
    const answer = is("You are a planner for a team")
      ? { tasks: [{ id: "a", type: "echo_agent", task: "x", dependsOn: [] }], rationale: "r" }
      : is("You are the editor who turns")
        ? { synthesis: "done", failed_lanes: [], confidence: 1 }
        : is("You are an expert designer of AI agents")
          ? SAMPLE_OUTPUTS.agent_creator
          : is("You are a strict reviewer")
            ? designReview(9)
            : { summary: "done" };
    return { text: JSON.stringify(answer), usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } };
  },
};

async function setup() {
  const registry = createRegistry({ roots: catalogueRoots({ promptDirs: [path.join(FIXTURES, "agents")] }) });
  return { config: CONFIG_DEFAULTS, registry, port, journalDir: await tempDir("pa-journal-") };
}

/** The descriptors open after `calls` calls of `call`, less those open before (after a warm-up call). */
async function fdGrowth(call: (i: number) => Promise<unknown>, calls = CALLS): Promise<number> {
  await call(-1);
  const before = openFds();
  for (let i = 0; i < calls; i++) await call(i);
  return openFds() - before;
}

describe("journal file descriptors in a long-lived process", () => {
  it(`stay flat over ${CALLS} parallel_run calls`, async () => {
    const deps = await setup();
    const growth = await fdGrowth((i) =>
      executeParallelRun({ agents: [{ type: "echo_agent", task: `task ${i}` }] }, deps),
    );
    expect(growth).toBe(0);
    expect(fs.readdirSync(deps.journalDir)).toHaveLength(CALLS + 1);
  });

  it(`stay flat over ${CALLS} parallel_run calls that throw after the journal is open`, async () => {
    const deps = await setup();
    const failing = (i: number) =>
      executeParallelRun(
        { agents: [{ type: "echo_agent", task: `task ${i}` }] },
        {
          ...deps,
          onPrepared: () => {
            throw new Error("the live view broke");
          },
        },
      ).catch((error: Error) => expect(error.message).toBe("the live view broke"));
    expect(await fdGrowth(failing)).toBe(0);
  });

  it(`stay flat over ${META_CALLS} orchestrate calls`, async () => {
    const deps = { ...(await setup()), userDir: "/nonexistent/pa-user" };
    const growth = await fdGrowth(
      async () => expect((await executeOrchestrate({ goal: "x" }, deps)).details.synthesis?.outcome).toBe("ok"),
      META_CALLS,
    );
    expect(growth).toBe(0);
  });

  it(`stay flat over ${META_CALLS} refine_agent calls`, async () => {
    const deps = { ...(await setup()), userDir: "/nonexistent/pa-user" };
    const growth = await fdGrowth(
      async () =>
        expect(
          (await executeRefineAgent({ agents: [{ name: "x_agent", purpose: "x" }], save: false }, deps)).details
            .agents[0]!.reachedTarget,
        ).toBe(true),
      META_CALLS,
    );
    expect(growth).toBe(0);
  });
});
