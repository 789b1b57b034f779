// Token usage as hosts and endpoints put it on the wire, read into the engine's Usage.
import type { Usage } from "../engine/port.js";

/** Token usage as hosts and endpoints report it: OpenAI (`prompt_tokens`...) or OpenClaw (`input`, `output`...). */
export function parseUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const record = raw as Record<string, unknown>;
  const num = (...keys: string[]) => {
    for (const k of keys) if (typeof record[k] === "number") return record[k] as number;
    return 0;
  };
  const inputTokens = num("input", "inputTokens", "prompt_tokens");
  const outputTokens = num("output", "outputTokens", "completion_tokens");
  const totalTokens = num("totalTokens", "total", "total_tokens") || inputTokens + outputTokens;
  const cost =
    typeof record.costUsd === "number" && Number.isFinite(record.costUsd) && record.costUsd >= 0
      ? record.costUsd
      : undefined;
  return { inputTokens, outputTokens, totalTokens, ...(cost !== undefined ? { costUsd: cost } : {}) };
}
