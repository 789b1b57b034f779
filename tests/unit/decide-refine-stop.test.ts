import { describe, expect, it } from "vitest";
import { decideRefineStop, type RefineStopInput } from "../../src/tools/refine-agent/decide-refine-stop.js";

const base: RefineStopInput = { round: 1, maxRounds: 3, score: 6, target: 8.5 };

describe("decideRefineStop: refine_agent's stop rules as a pure decision", () => {
  it.each<[string, Partial<RefineStopInput>, ReturnType<typeof decideRefineStop>]>([
    ["refines again below the target in round 1", {}, { stop: false }],
    ["stops when the target is reached", { score: 8.5 }, { stop: true, because: "target reached" }],
    [
      "reaching the target wins over every other rule",
      { round: 3, score: 9, previous: 9.5 },
      { stop: true, because: "target reached" },
    ],
    [
      "stops when the score fell, keeping the better earlier design",
      { round: 2, score: 6, previous: 7 },
      { stop: true, because: "the score fell from 7 to 6; kept the better earlier design" },
    ],
    [
      "stops on a plateau (a gain under 0.25)",
      { round: 2, score: 7.2, previous: 7 },
      { stop: true, because: "the score plateaued (7 -> 7.2)" },
    ],
    ["refines again after a real gain", { round: 2, score: 7.5, previous: 7 }, { stop: false }],
    [
      "stops at maxRounds below the target",
      { round: 3, score: 8, previous: 7 },
      { stop: true, because: "maxRounds (3) reached below the target" },
    ],
  ])("%s", (_name, input, expected) => {
    expect(decideRefineStop({ ...base, ...input })).toEqual(expected);
  });
});
