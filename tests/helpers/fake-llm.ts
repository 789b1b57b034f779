// A typed fake of api.runtime.llm for unit tests of the completion port and the plugin tool (the real host runs in e2e).
import { vi } from "vitest";
import type { LlmRuntime } from "../../src/host/openclaw-llm-port.js";

type CompleteParams = Parameters<LlmRuntime["complete"]>[0];
type CompleteResult = Awaited<ReturnType<LlmRuntime["complete"]>>;

/** What one completion does: answer (after delayMs), stop with a reason, or throw an error with a host code. */
export type LlmBehaviour = {
  text?: string;
  stopReason?: CompleteResult["stopReason"];
  delayMs?: number;
  throwCode?: string;
  /** The thrown error's message (default "failed with <code>"). */
  throwMessage?: string;
  costUsd?: number;
};

export function fakeLlm(behave: (params: CompleteParams, call: number) => LlmBehaviour) {
  let calls = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const complete = vi.fn<LlmRuntime["complete"]>(async (params) => {
    const behaviour = behave(params, ++calls);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      if (behaviour.delayMs) await abortableDelay(behaviour.delayMs, params.signal);
      if (params.signal?.aborted)
        throw Object.assign(new Error("Plugin LLM completion was aborted."), { code: "LLM_COMPLETION_ABORTED" });
      if (behaviour.throwCode)
        throw Object.assign(new Error(behaviour.throwMessage ?? `failed with ${behaviour.throwCode}`), {
          code: behaviour.throwCode,
        });
      const [provider, model] = (params.model ?? "scripted/model-a").split("/");
      return {
        text: behaviour.text ?? "",
        provider: provider!,
        model: model!,
        stopReason: behaviour.stopReason ?? "stop",
        agentId: "main",
        usage: {
          inputTokens: 10,
          outputTokens: 5,
          totalTokens: 15,
          ...(behaviour.costUsd !== undefined ? { costUsd: behaviour.costUsd } : {}),
        },
        execution: { mode: "direct-provider", owner: { kind: "provider", id: provider! } },
        audit: { caller: { kind: "plugin", id: "parallel-agents" } },
      };
    } finally {
      inFlight--;
    }
  });
  return { llm: { complete } satisfies LlmRuntime, maxInFlight: () => maxInFlight };
}

function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
