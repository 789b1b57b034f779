// A general agent with a per-call outputSchema against the scripted model over real HTTP: validated, repaired and
// escalated exactly like a catalogue type; a refused schema starts nothing.
import { afterEach, describe, expect, it } from "vitest";
import { byMarker, startHarness, type Harness } from "../helpers/harness.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

const SCHEMA = {
  type: "object",
  required: ["competitor", "strengths"],
  properties: {
    competitor: { type: "string", minLength: 1 },
    strengths: { type: "array", minItems: 1, items: { type: "string" } },
  },
  additionalProperties: false,
};
const GOOD = { competitor: "Acme", strengths: ["price"] };
const LADDER = ["model-fast", "model-standard", "model-premium"];

describe("general with a per-call outputSchema", () => {
  it("a valid answer is ok and parsed, and the model reads that schema as its output contract", async () => {
    h = await startHarness(byMarker({ valid: () => ({ json: GOOD }) }));
    const out = await h.run({ agents: [{ type: "general", task: "[case:valid] Acme", outputSchema: SCHEMA }] });
    expect(out.run.agents[0]!.outcome).toBe("ok");
    expect(out.run.agents[0]!.output).toEqual(GOOD);
    const [request] = h.server.log;
    expect(request!.system).toContain('"additionalProperties":false');
  });

  it("an invalid answer is repaired on its model, then escalated to the next model of the ladder", async () => {
    h = await startHarness(
      byMarker({
        fix: (r) => (r.model === "model-premium" ? { json: GOOD } : { json: { competitor: "Acme", extra: 1 } }),
      }),
    );
    const out = await h.run({
      models: LADDER,
      agents: [{ type: "general", task: "[case:fix] Acme", outputSchema: SCHEMA }],
    });
    const agent = out.run.agents[0]!;
    expect(agent.outcome).toBe("ok");
    expect(agent.output).toEqual(GOOD);
    expect(agent.attempts.map((a) => [a.kind, a.model, a.outcome])).toEqual([
      ["first", "model-standard", "invalid"],
      ["repair", "model-standard", "invalid"],
      ["escalation", "model-premium", "ok"],
    ]);
    expect(h.server.log[1]!.user).toContain("Your previous answer was rejected");
    expect(h.server.log[1]!.user).toContain("strengths");
  });

  it("an answer that never fits ends invalid with its text kept", async () => {
    h = await startHarness(byMarker({ never: () => ({ text: "Acme is strong on price." }) }));
    const out = await h.run({ agents: [{ type: "general", task: "[case:never] Acme", outputSchema: SCHEMA }] });
    expect(out.run.agents[0]!.outcome).toBe("invalid");
    expect(out.run.agents[0]!.text).toBe("Acme is strong on price.");
  });

  it("a refused schema is reported with its field and nothing is sent to the model", async () => {
    h = await startHarness(byMarker({}));
    await expect(
      h.run({
        agents: [
          { type: "general", task: "[case:x] a", outputSchema: { type: "object" } },
          { type: "general", task: "[case:x] b", outputSchema: { type: "array" } },
        ],
      }),
    ).rejects.toThrow(/agents\[1\]\.outputSchema.*root must have type "object"/s);
    expect(h.server.log).toHaveLength(0);
  });
});
