import { describe, expect, it } from "vitest";
import { SessionError, type SessionPort } from "../../src/engine/port.js";
import { createOverrideGuard, deriveHostLadder, hostModels, overrideRefusal } from "../../src/host/host-ladder.js";
import { hostPriceTable, parsePriceSpec, priceOf, priceTableOf, withPrices } from "../../src/runs/prices.js";

const request = {
  system: "s",
  message: "m",
  label: "l",
  attemptKey: "k",
  timeoutMs: 1000,
  signal: new AbortController().signal,
  maxOutputBytes: 1000,
};
const usage = { inputTokens: 1_000_000, outputTokens: 500_000, totalTokens: 1_500_000 };

describe("prices", () => {
  it("reads the host catalogue's costs per million tokens, leaving out models without both rates", () => {
    const table = hostPriceTable({
      models: {
        providers: {
          p: {
            models: [
              { id: "a", cost: { input: 0.5, output: 2 } },
              { id: "b", cost: { input: 1 } },
              { id: "c" },
              { id: "d", cost: { input: -1, output: 1 } },
            ],
          },
          q: "not an object",
        },
      },
    });
    expect([...table.keys()]).toEqual(["p/a"]);
    expect(hostPriceTable(undefined).size).toBe(0);
  });

  it("parses --price MODEL=IN/OUT and refuses anything else with the field, the value and the fix", () => {
    expect(parsePriceSpec("openrouter/openai/gpt-4o-mini=0.15/0.6")).toEqual([
      "openrouter/openai/gpt-4o-mini",
      { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    ]);
    for (const bad of ["gpt", "=1/2", "gpt=1", "gpt=1/2/3", "gpt=a/2", "gpt=-1/2", "gpt=1/", "gpt=1/99999"])
      expect(() => parsePriceSpec(bad), bad).toThrow(/--price: ".*" is not MODEL=INPUT\/OUTPUT.*Fix: write e\.g\./);
    expect(priceTableOf(["m=1/2", "m=3/4"]).get("m")).toEqual({ inputPerMTok: 3, outputPerMTok: 4 });
  });

  it("finds a price by the exact name, or by the name without its provider, either way round", () => {
    const table = priceTableOf(["openai/gpt-4o=2.5/10", "llama=0/0"]);
    expect(priceOf(table, "openai/gpt-4o")?.inputPerMTok).toBe(2.5);
    expect(priceOf(table, "gpt-4o")?.inputPerMTok).toBe(2.5);
    expect(priceOf(table, "local/llama")?.inputPerMTok).toBe(0);
    expect(priceOf(table, "gpt-4")).toBeUndefined();
  });

  it("prices what the runtime left unpriced (by the answering model, then the asked one, then the default), keeps a runtime's own price", async () => {
    const answers: Array<{ model?: string; costUsd?: number }> = [{ model: "x/cheap" }, {}, { costUsd: 9 }, {}];
    let n = 0;
    const port: SessionPort = {
      name: "t",
      run: async () => {
        const a = answers[n++]!;
        return {
          text: "",
          model: a.model,
          usage: { ...usage, ...(a.costUsd !== undefined ? { costUsd: a.costUsd } : {}) },
        };
      },
    };
    const priced = withPrices(port, priceTableOf(["cheap=1/2", "asked=10/20", "dflt=100/200"]), {
      defaultModel: "dflt",
    });
    expect((await priced.run(request)).usage?.costUsd).toBe(1 + 1);
    expect((await priced.run({ ...request, model: "asked" })).usage?.costUsd).toBe(10 + 10);
    expect((await priced.run(request)).usage?.costUsd).toBe(9);
    expect((await priced.run(request)).usage?.costUsd).toBe(100 + 100);
    const half = withPrices(port, priceTableOf(["cheap=1/2"]), { discount: 0.5 });
    n = 0;
    expect((await half.run(request)).usage?.costUsd).toBe(1);
  });

  it("prices the usage a failed attempt carries, keeping its kind and retry-after", async () => {
    const port: SessionPort = {
      name: "t",
      run: async () => {
        throw new SessionError("rate_limited", "429", { retryAfterMs: 5, usage });
      },
      withTools: { name: "tools", run: async () => ({ text: "", usage }) },
    };
    const priced = withPrices(port, priceTableOf(["m=2/4"]));
    const error = await priced.run({ ...request, model: "m" }).catch((e: SessionError) => e);
    expect(error).toMatchObject({ kind: "rate_limited", retryAfterMs: 5, usage: { costUsd: 4 } });
    expect((await priced.withTools!.run({ ...request, model: "m" })).usage?.costUsd).toBe(4);
  });
});

describe("the ladder from the host's configuration", () => {
  const prices = priceTableOf(["p/big=15/75", "p/small=0.1/0.4"]);
  const allowed = { plugins: { entries: { "parallel-agents": { llm: { allowModelOverride: true } } } } };

  it("is the agent's own model setting when it has one (a string is a strict primary), else the defaults'", () => {
    const config = {
      agents: {
        defaults: { model: { primary: "p/big", fallbacks: ["p/small", "p/big", " "] } },
        entries: { coder: { model: "p/code" }, writer: { model: { primary: "p/w", fallbacks: ["p/small"] } } },
      },
    };
    expect(hostModels(config, "main")).toEqual(["p/big", "p/small"]);
    expect(hostModels(config, "coder")).toEqual(["p/code"]);
    expect(hostModels(config, "writer")).toEqual(["p/w", "p/small"]);
    expect(hostModels({ agents: { defaults: { model: "p/only" } } }, "main")).toEqual(["p/only"]);
    expect(hostModels(undefined, "main")).toEqual([]);
  });

  it("puts the models cheapest first when the host prices every one, else keeps its order", () => {
    const config = {
      ...allowed,
      agents: { defaults: { model: { primary: "p/big", fallbacks: ["p/unknown", "p/small"] } } },
    };
    // one unpriced model (e.g. from OpenClaw's built-in catalogue) may be the cheapest: the host's order is kept
    expect(deriveHostLadder({ hostConfig: config, agentId: "main", prices, runtimes: ["llm"] })).toEqual({
      models: ["p/big", "p/unknown", "p/small"],
      source: "your OpenClaw config (primary and fallbacks)",
    });
    const priced = { ...allowed, agents: { defaults: { model: { primary: "p/big", fallbacks: ["p/small"] } } } };
    expect(deriveHostLadder({ hostConfig: priced, agentId: "main", prices, runtimes: ["llm"] })).toEqual({
      models: ["p/small", "p/big"],
      source: "your OpenClaw config (primary and fallbacks, cheapest first)",
    });
  });

  it("is not used where the host refuses per-run models for a runtime in use: the note names that setting", () => {
    const config = { ...allowed, agents: { defaults: { model: { primary: "p/big", fallbacks: ["p/small"] } } } };
    const ladder = deriveHostLadder({ hostConfig: config, agentId: "main", prices, runtimes: ["llm", "subagent"] });
    expect(ladder.models).toEqual([]);
    expect(ladder.note).toContain("plugins.entries.parallel-agents.subagent.allowModelOverride: true");
    expect(ladder.note).not.toContain("llm.allowModelOverride");
    // one model is no ladder, and nothing to say
    expect(
      deriveHostLadder({
        hostConfig: { agents: { defaults: { model: "p/x" } } },
        agentId: "main",
        prices,
        runtimes: ["llm"],
      }),
    ).toEqual({
      models: [],
      source: "host default",
    });
  });

  it("remembers a refusal until the plugin's entry in the config changes, explaining it in full once", () => {
    const guard = createOverrideGuard("llm");
    guard.sync({});
    const call = guard.forCall();
    expect(call.note()).toBeUndefined();
    expect(call.refuse("p/big", "Plugin LLM completion cannot override the target model.")).toBe(true);
    expect(call.modelFor("p/small")).toBeUndefined(); // overrides are off: every model runs on the default
    expect(call.note()).toContain('The host refused model "p/big", "p/small"');
    expect(call.note()).toMatch(/^Ran on the host's default model instead of "p\/big", "p\/small"/);
    const untouched = guard.forCall();
    expect(untouched.note()).toBeUndefined(); // a call that asked for no refused model says nothing
    guard.sync(allowed);
    expect(guard.forCall().modelFor("p/big")).toBe("p/big");
  });

  it("an allow-list refusal drops only that model; a message that is no refusal of the model is not remembered", () => {
    const guard = createOverrideGuard("llm");
    const call = guard.forCall();
    expect(
      call.refuse("p/big", 'Plugin LLM completion model override "p/big" is not allowlisted for plugin "x".'),
    ).toBe(true);
    expect(call.modelFor("p/big")).toBeUndefined();
    expect(call.modelFor("p/small")).toBe("p/small");
    expect(call.note()).toContain("plugins.entries.parallel-agents.llm.allowedModels");
    expect(call.refuse("p/mid", "Plugin model override configuration changed before admission. Retry the run.")).toBe(
      false,
    );
    expect(call.modelFor("p/mid")).toBe("p/mid");
    expect(overrideRefusal("Plugin LLM completion denied: capability denied")).toBeUndefined();
    expect(overrideRefusal("provider/model override is not authorized for this plugin subagent run.")).toBe("off");
  });
});
