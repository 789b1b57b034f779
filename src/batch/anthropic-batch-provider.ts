// Anthropic's Message Batches through the official `@anthropic-ai/sdk`: the requests sent in one create call, the
// batch polled until it has ended, its results read as JSONL (succeeded, errored, canceled, expired per request).
import type Anthropic from "@anthropic-ai/sdk";
import { SessionError, type SessionResult } from "../engine/port.js";
import {
  capMessage,
  providerCallError,
  TERMINAL_STATUSES,
  type BatchItem,
  type BatchLimits,
  type BatchProvider,
} from "./batch-provider.js";
import { DEFAULT_MAX_LINE_BYTES, overLongError, parseLine, readLines } from "./read-lines.js";

/** Anthropic's ceiling per batch: 100,000 requests and 256 MB (taken as 256,000,000 bytes). */
export const ANTHROPIC_BATCH_LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 256_000_000 };

/** Anthropic requires max_tokens on every request. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 8192;

export type AnthropicBatchProviderOptions = {
  /** Base URL without /v1. @default the SDK's (ANTHROPIC_BASE_URL, else https://api.anthropic.com) */
  baseUrl?: string;
  apiKey: string;
  /** @default ANTHROPIC_DEFAULT_MAX_TOKENS */
  maxTokens?: number;
  /** Lower ceilings (tests). @default ANTHROPIC_BATCH_LIMITS */
  limits?: Partial<BatchLimits>;
  /** Longest result line read; a longer one fails its request unread. @default DEFAULT_MAX_LINE_BYTES */
  maxLineBytes?: number;
};

export function createAnthropicBatchProvider(options: AnthropicBatchProviderOptions): BatchProvider {
  let client: Promise<Anthropic> | undefined;
  const api = () =>
    (client ??= import("@anthropic-ai/sdk").then(
      ({ default: Anthropic }) =>
        new Anthropic({
          apiKey: options.apiKey,
          ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
          maxRetries: 2,
        }),
    ));
  return {
    name: "anthropic",
    limits: { ...ANTHROPIC_BATCH_LIMITS, ...options.limits },
    encode: (request) =>
      JSON.stringify({
        custom_id: request.customId,
        params: {
          model: request.model,
          max_tokens: options.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
          system: request.system,
          messages: [{ role: "user", content: request.message }],
        },
      }),
    async submit(lines) {
      const anthropic = await api();
      const requests = lines.map((line) => JSON.parse(line) as Anthropic.Messages.Batches.BatchCreateParams.Request);
      try {
        const batch = await anthropic.messages.batches.create({ requests }, { maxRetries: 0 });
        return { batchId: batch.id, status: batch.processing_status };
      } catch (error) {
        throw providerCallError(error, "creating the message batch");
      }
    },
    async retrieve(batchId) {
      const anthropic = await api();
      let batch: Anthropic.Messages.Batches.MessageBatch;
      try {
        batch = await anthropic.messages.batches.retrieve(batchId);
      } catch (error) {
        throw providerCallError(error, `reading message batch ${batchId}`);
      }
      const c = batch.request_counts;
      return {
        status: batch.processing_status,
        done: TERMINAL_STATUSES.has(batch.processing_status),
        counts: {
          completed: c.succeeded,
          failed: c.errored + c.expired + c.canceled,
          total: c.processing + c.succeeded + c.errored + c.expired + c.canceled,
        },
      };
    },
    async *results(batchId) {
      const anthropic = await api();
      // the raw JSONL through the capped line reader (not the SDK's decoder): one bad or huge line costs only its request
      let response: Response;
      try {
        const batch = await anthropic.messages.batches.retrieve(batchId);
        if (!batch.results_url)
          throw new Error(`message batch ${batchId} has no results_url (${batch.processing_status})`);
        response = await anthropic.get<Response>(batch.results_url, {
          headers: { Accept: "application/binary" },
          __binaryResponse: true,
        });
      } catch (error) {
        throw providerCallError(error, `downloading the results of message batch ${batchId}`);
      }
      if (!response.body) return;
      const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
      for await (const line of readLines(response.body, maxBytes)) {
        if (typeof line !== "string") {
          const item = overLongError(line, batchId, maxBytes);
          if (item) yield item;
          continue;
        }
        const item = parseLine(line) as Anthropic.Messages.Batches.MessageBatchIndividualResponse | undefined;
        if (typeof item?.custom_id !== "string") continue;
        yield readResult(item, batchId);
      }
    },
  };
}

/** One request's result: its message as a session result, or why there is none as a SessionError. */
export function readResult(
  item: Anthropic.Messages.Batches.MessageBatchIndividualResponse,
  batchId: string,
): BatchItem {
  const { custom_id: customId, result } = item;
  switch (result?.type) {
    case "succeeded":
      return { customId, result: readMessage(result.message) };
    case "errored": {
      const error = result.error?.error;
      const detail = `batch ${batchId}: ${error?.type ?? "error"}: ${capMessage(error?.message ?? "no message")}`;
      const kind =
        error?.type === "rate_limit_error"
          ? "rate_limited"
          : error?.type === "overloaded_error" || error?.type === "api_error" || error?.type === "timeout_error"
            ? "transient"
            : "fatal";
      return { customId, error: new SessionError(kind, detail) };
    }
    case "expired":
      return { customId, error: new SessionError("fatal", `batch ${batchId} expired before this request ran`) };
    case "canceled":
      return { customId, error: new SessionError("fatal", `batch ${batchId} was cancelled before this request ran`) };
    default:
      return { customId, error: new SessionError("fatal", `batch ${batchId}: a result of an unknown type`) };
  }
}

function readMessage(message: Anthropic.Messages.Message): SessionResult {
  const text = (message.content ?? []).map((block) => (block.type === "text" ? block.text : "")).join("");
  const input = message.usage?.input_tokens ?? 0;
  const output = message.usage?.output_tokens ?? 0;
  return {
    text,
    usage: { inputTokens: input, outputTokens: output, totalTokens: input + output },
    model: message.model,
    // the engine reads "length" as an answer cut at the token limit, as OpenAI's finish_reason says it
    ...(message.stop_reason
      ? { stopReason: message.stop_reason === "max_tokens" ? "length" : message.stop_reason }
      : {}),
  };
}
