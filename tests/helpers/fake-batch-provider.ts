// A typed fake batch provider for unit tests of the batch port: it records every submission and poll, ends a batch
// after `pollsToEnd` polls, and answers each request from a script (the real APIs run in tests/integration).
import { SessionError } from "../../src/engine/port.js";
import type { BatchItem, BatchLimits, BatchProvider, BatchRequest } from "../../src/batch/batch-provider.js";

export type FakeAnswer = { text: string } | { error: SessionError } | "missing";

export function fakeBatchProvider(options: {
  answer: (request: BatchRequest) => FakeAnswer;
  limits?: Partial<BatchLimits>;
  pollsToEnd?: number;
  /** The end status of every batch. @default "completed" */
  endStatus?: string;
  /** Polls that throw (a network fault) before any answers. */
  failingPolls?: number;
  /** The HTTP status the failing polls answer with. @default none (a network fault) */
  failingStatus?: number;
  /** What each submit throws, in turn, before submits succeed (nothing is created by a failed one). */
  submitErrors?: unknown[];
  /** The provider's lookup by key; absent: the provider has none (as Anthropic). */
  findByKey?: BatchProvider["findByKey"];
}) {
  const submitted: Array<{ batchId: string; requests: BatchRequest[]; key: string }> = [];
  const polls = new Map<string, number>();
  let failing = options.failingPolls ?? 0;
  const submitErrors = [...(options.submitErrors ?? [])];
  const provider: BatchProvider = {
    name: "openai",
    limits: { maxRequests: 1000, maxBytes: 1_000_000, ...options.limits },
    encode: (request) => JSON.stringify(request),
    async submit(lines, meta) {
      if (submitErrors.length > 0) throw submitErrors.shift();
      const batchId = `batch_${submitted.length + 1}`;
      submitted.push({ batchId, key: meta.key, requests: lines.map((l) => JSON.parse(l) as BatchRequest) });
      return { batchId, status: "validating" };
    },
    async retrieve(batchId) {
      if (failing > 0) {
        failing--;
        if (options.failingStatus)
          throw new SessionError("fatal", `HTTP ${options.failingStatus}: no such batch`, {
            status: options.failingStatus,
          });
        throw new SessionError("transient", "network error: ECONNRESET");
      }
      const n = (polls.get(batchId) ?? 0) + 1;
      polls.set(batchId, n);
      const done = n >= (options.pollsToEnd ?? 1);
      return { status: done ? (options.endStatus ?? "completed") : "in_progress", done };
    },
    async *results(batchId): AsyncIterable<BatchItem> {
      const batch = submitted.find((b) => b.batchId === batchId);
      for (const request of batch?.requests ?? []) {
        const answer = options.answer(request);
        if (answer === "missing") continue;
        yield "text" in answer
          ? { customId: request.customId, result: { text: answer.text } }
          : { customId: request.customId, error: answer.error };
      }
    },
  };
  if (options.findByKey) provider.findByKey = options.findByKey;
  return { provider, submitted, polls };
}
