// parallel_run's judge against the scripted model over real HTTP: a weak answer is scored, sent a rung up with the
// judge's feedback, and the best-scored answer kept; a strong one is not re-run; a failing judge changes nothing.
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../helpers/harness.js";
import type { Reply, ScriptRequest } from "../../testing/scripted-model-server.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

const LADDER = ["m-fast", "m-standard", "m-premium"];
const isJudge = (r: ScriptRequest) => r.system.includes("You are a strict, fair judge");
const verdict = (score: number | Record<string, number>, feedback = "Add the figures the task asked for.") => {
  const s =
    typeof score === "number" ? { task_fit: score, accuracy: score, completeness: score, clarity: score } : score;
  return {
    json: {
      scores: Object.fromEntries(Object.entries(s).map(([k, v]) => [k, { score: v, note: `${k} is ${v}` }])),
      feedback,
    },
  };
};
/** Agents answer "ANSWER:<model>" (or what `answers` says per model); the judge scores by what it reads. */
function script(answers: Record<string, string>, judge: (answer: string) => Reply) {
  return (r: ScriptRequest): Reply => {
    if (isJudge(r)) return judge(/ANSWER:[\w-]+/.exec(r.user)?.[0] ?? "");
    return { text: answers[r.model] ?? `ANSWER:${r.model}` };
  };
}
const run = (extra: Record<string, unknown> = {}) =>
  h!.run({
    models: LADDER,
    judge: { threshold: 7.5 },
    agents: [{ type: "general", task: "Write the summary" }],
    ...extra,
  });

describe("judge", () => {
  it("an answer scored 5 against 7.5 is tried on the next model with the feedback, and the 9 is kept", async () => {
    h = await startHarness(
      script({}, (answer) => (answer === "ANSWER:m-standard" ? verdict(5, "Name the three causes.") : verdict(9))),
    );
    const { run: result, details } = await run();
    const agent = result.agents[0]!;
    expect(agent.outcome).toBe("ok");
    expect(agent.output).toBe("ANSWER:m-premium");
    expect(agent.model).toBe("m-premium");
    expect(agent.judged).toMatchObject({ score: 9, dimensions: { task_fit: 9, accuracy: 9 } });
    expect(agent.attempts.map((a) => [a.kind, a.model, a.outcome])).toEqual([
      ["first", "m-standard", "ok"],
      ["judge", "m-fast", "ok"],
      ["escalation", "m-premium", "ok"],
      ["judge", "m-fast", "ok"],
    ]);
    const retry = h.server.log.find((e) => !isJudge({ system: e.system } as ScriptRequest) && e.model === "m-premium")!;
    expect(h.server.log.filter((e) => e.model === "m-fast")).toHaveLength(2); // both judgements, on the cheapest rung
    expect(retry.user).toContain("A previous answer to this task scored 5/10; 7.5 is needed");
    expect(retry.user).toContain("Name the three causes.");
    expect(retry.user).not.toContain("ANSWER:m-standard"); // the weak answer is not sent again, only the feedback
    expect(details.agents[0]!.attempts.map((a: { kind: string }) => a.kind)).toContain("judge");
  });

  it("an answer scored 9 the first time is not run again", async () => {
    h = await startHarness(script({}, () => verdict(9)));
    const { run: result } = await run();
    expect(result.agents[0]!.attempts.map((a) => a.kind)).toEqual(["first", "judge"]);
    expect(result.agents[0]!.judged?.score).toBe(9);
    expect(h.server.log).toHaveLength(2);
  });

  it("the score is the engine's weighted mean of the dimensions (35/30/20/15), never a total the judge gives", async () => {
    h = await startHarness(script({}, () => verdict({ task_fit: 10, accuracy: 5, completeness: 5, clarity: 5 })));
    const { run: result } = await run({ models: ["m-only"] });
    expect(result.agents[0]!.judged?.score).toBe(6.75);
  });

  it("a later, worse answer never replaces a better one", async () => {
    h = await startHarness(script({}, (answer) => (answer === "ANSWER:m-standard" ? verdict(6) : verdict(4))));
    const { run: result } = await run();
    const agent = result.agents[0]!;
    expect(agent.output).toBe("ANSWER:m-standard");
    expect(agent.text).toBe("ANSWER:m-standard");
    expect(agent.model).toBe("m-standard");
    expect(agent.judged?.score).toBe(6);
  });

  it("an escalated attempt that fails keeps the judged answer ok", async () => {
    h = await startHarness((r) => {
      if (isJudge(r)) return verdict(5);
      return r.model === "m-premium" ? { status: 400 } : { text: "ANSWER:m-standard" };
    });
    const { run: result } = await run({ retries: 0 });
    expect(result.agents[0]!.outcome).toBe("ok");
    expect(result.agents[0]!.output).toBe("ANSWER:m-standard");
    expect(result.agents[0]!.judged?.score).toBe(5);
  });

  it("judge.model picks the model that judges", async () => {
    h = await startHarness(script({}, () => verdict(9)));
    await run({ judge: { threshold: 7, model: "m-premium" } });
    expect(h.server.log.find((e) => e.system.includes("You are a strict, fair judge"))!.model).toBe("m-premium");
  });

  it("a judge that fails or answers invalid leaves the answer ok, marked unjudged with the reason", async () => {
    h = await startHarness(script({}, () => ({ text: "I think it's great, 10/10" })));
    const { run: result } = await run({ retries: 0 });
    const agent = result.agents[0]!;
    expect(agent.outcome).toBe("ok");
    expect(agent.output).toBe("ANSWER:m-standard");
    expect(agent.judged).toBeUndefined();
    expect(agent.unjudged).toMatch(/the judge's attempt ended invalid/);
  });

  it("the judge reads the task, the call's criteria and the answer as data", async () => {
    h = await startHarness(script({}, () => verdict(9)));
    await run({ judge: { threshold: 7, rubric: "Mentions the year 1929." } });
    const judgeRequest = h.server.log.find((e) => e.system.includes("You are a strict, fair judge"))!;
    expect(judgeRequest.model).toBe("m-fast"); // by default the cheapest rung judges
    expect(judgeRequest.user).toContain("Write the summary");
    expect(judgeRequest.user).toContain("Mentions the year 1929.");
    expect(judgeRequest.user).toMatch(/```[^\n]*\nANSWER:m-standard\n```/);
  });
});

describe("bestOf", () => {
  it("runs 3 candidates at once, on successive models, and returns the highest-scored with the others' scores", async () => {
    let n = 0;
    const scores: Record<string, number> = { "ANSWER:a": 6, "ANSWER:b": 9, "ANSWER:c": 7 };
    h = await startHarness((r) => {
      if (isJudge(r)) return verdict(scores[/ANSWER:[a-c]/.exec(r.user)?.[0] ?? ""] ?? 0);
      return { text: `ANSWER:${"abc"[n++]}`, delayMs: 100 };
    });
    const {
      run: result,
      details,
      text,
    } = await h.run({
      models: LADDER,
      judge: { threshold: 9.5 },
      agents: [{ type: "general", task: "Write the summary", bestOf: 3, label: "summary" }],
    });
    expect(result.agents).toHaveLength(1);
    const agent = result.agents[0]!;
    expect(agent).toMatchObject({ outcome: "ok", output: "ANSWER:b", label: "summary", id: "agent-1" });
    expect(agent.judged?.score).toBe(9);
    expect(agent.candidates!.map((c) => c.score).sort()).toEqual([6, 7, 9]);
    expect(agent.candidates!.map((c) => c.model)).toEqual(["m-standard", "m-premium", "m-premium"]);
    // the candidates ran together, and none was retried although all were below 9.5: the best of them is the answer
    const answers = h.server.log.filter((e) => !e.system.includes("You are a strict, fair judge"));
    expect(answers).toHaveLength(3);
    expect(Math.max(...answers.map((e) => e.startedAt))).toBeLessThan(Math.min(...answers.map((e) => e.endedAt!)));
    expect(details.counts.ok).toBe(1);
    expect(text).toContain("ANSWER:b");
  });

  it("is refused without a judge, and when it would exceed the agents per call", async () => {
    h = await startHarness(() => ({ text: "x" }));
    await expect(h.run({ agents: [{ type: "general", task: "x", bestOf: 2 }] })).rejects.toThrow(
      /agents\[0\]\.bestOf.*needs a judge/s,
    );
    await expect(
      h.run({
        judge: { threshold: 5 },
        bestOf: 5,
        agents: Array.from({ length: 11 }, () => ({ type: "general", task: "x" })),
      }),
    ).rejects.toThrow(/bestOf makes 55 agents, more than the limit of 50/);
    expect(h.server.log).toHaveLength(0);
  });
});
