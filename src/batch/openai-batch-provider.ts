// OpenAI's Batch API through the official `openai` package: the requests uploaded as a JSONL file (purpose "batch"),
// one batch per file on /v1/chat/completions with a 24 h window, its output and error files read line by line.
// Works with any endpoint that speaks these routes (OpenAI, Azure-style proxies, LiteLLM's proxy).
import type OpenAI from "openai";
import { SessionError, type SessionResult } from "../engine/port.js";
import { parseUsage } from "../host/parse-usage.js";
import {
  BatchNotCreatedError,
  capMessage,
  joinMessages,
  providerCallError,
  statusError,
  TERMINAL_STATUSES,
  type BatchItem,
  type BatchLimits,
  type BatchProvider,
  type BatchState,
} from "./batch-provider.js";
import { DEFAULT_MAX_LINE_BYTES, overLongError, parseLine, readLines } from "./read-lines.js";

/** OpenAI's ceiling per batch file: 50,000 requests and 200 MB (taken as 200,000,000 bytes). */
export const OPENAI_BATCH_LIMITS: BatchLimits = { maxRequests: 50_000, maxBytes: 200_000_000 };

export type OpenAiBatchProviderOptions = {
  /** Base URL including /v1. @default the `openai` package's (OPENAI_BASE_URL, else https://api.openai.com/v1) */
  baseUrl?: string;
  apiKey: string;
  /** `max_tokens` of every request, when set. */
  maxTokens?: number;
  /** Lower ceilings (tests split small batches). @default OPENAI_BATCH_LIMITS */
  limits?: Partial<BatchLimits>;
  /** Longest result line read; a longer one fails its request unread. @default DEFAULT_MAX_LINE_BYTES */
  maxLineBytes?: number;
};

/** Answers a request never gets in a completed batch are settled by the port; this reads what the files hold. */
export function createOpenAiBatchProvider(options: OpenAiBatchProviderOptions): BatchProvider {
  let client: Promise<OpenAI> | undefined;
  // the package is loaded on first use: `parallel-agents run` without --batch never pays for it
  const api = () =>
    (client ??= import("openai").then(
      ({ default: OpenAI }) =>
        new OpenAI({ apiKey: options.apiKey, ...(options.baseUrl ? { baseURL: options.baseUrl } : {}), maxRetries: 2 }),
    ));
  const seen = new Map<string, OpenAI.Batches.Batch>(); // the last state of each batch, for its file ids
  return {
    name: "openai",
    limits: { ...OPENAI_BATCH_LIMITS, ...options.limits },
    encode: (request) =>
      JSON.stringify({
        custom_id: request.customId,
        method: "POST",
        url: "/v1/chat/completions",
        body: {
          model: request.model,
          messages: [
            { role: "system", content: request.system },
            { role: "user", content: request.message },
          ],
          ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
        },
      }),
    async submit(lines, meta) {
      const openai = await api();
      const { toFile } = await import("openai");
      let fileId: string;
      try {
        const file = await openai.files.create({
          file: await toFile(Buffer.from(`${lines.join("\n")}\n`), `parallel-agents-${meta.key}.jsonl`, {
            type: "application/jsonl",
          }),
          purpose: "batch",
        });
        fileId = file.id;
      } catch (error) {
        // no file, no batch: nothing exists that a second submission would pay for twice
        throw new BatchNotCreatedError(providerCallError(error, "uploading the batch input"));
      }
      try {
        // never retried blindly: a create whose answer was lost may have made a batch (the port looks it up by key)
        const batch = await openai.batches.create(
          {
            input_file_id: fileId,
            endpoint: "/v1/chat/completions",
            completion_window: "24h",
            metadata: { parallel_agents_key: meta.key, parallel_agents_run: meta.runId },
          },
          { maxRetries: 0 },
        );
        seen.set(batch.id, batch);
        return { batchId: batch.id, inputFileId: fileId, status: batch.status };
      } catch (error) {
        throw providerCallError(error, "creating the batch");
      }
    },
    async retrieve(batchId) {
      const openai = await api();
      let batch: OpenAI.Batches.Batch;
      try {
        batch = await openai.batches.retrieve(batchId);
      } catch (error) {
        throw providerCallError(error, `reading batch ${batchId}`);
      }
      seen.set(batchId, batch);
      return stateOf(batch);
    },
    async *results(batchId) {
      const openai = await api();
      const batch = seen.get(batchId) ?? (await openai.batches.retrieve(batchId));
      for (const fileId of [batch.output_file_id, batch.error_file_id]) {
        if (!fileId) continue;
        let response: Response;
        try {
          response = await openai.files.content(fileId);
        } catch (error) {
          throw providerCallError(error, `downloading file ${fileId} of batch ${batchId}`);
        }
        if (!response.body) continue;
        const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
        for await (const line of readLines(response.body, maxBytes)) {
          const item =
            typeof line === "string" ? readResultLine(line, batchId) : overLongError(line, batchId, maxBytes);
          if (item) yield item;
        }
      }
    },
    async findByKey(key, since) {
      const openai = await api();
      for await (const batch of openai.batches.list({ limit: 100 })) {
        if (batch.metadata?.parallel_agents_key === key) return batch.id;
        if (batch.created_at * 1000 < since - 60_000) return undefined; // listed newest first: older ones cannot be it
      }
      return undefined;
    },
  };
}

function stateOf(batch: OpenAI.Batches.Batch): BatchState {
  const errors = batch.errors?.data ?? [];
  const lineErrors = new Map<number, string>();
  for (const e of errors)
    if (typeof e.line === "number") lineErrors.set(e.line, capMessage(`${e.code ?? "invalid"}: ${e.message ?? ""}`));
  const reason =
    batch.status === "failed"
      ? joinMessages(errors.map((e) => `${e.line ? `line ${e.line}: ` : ""}${e.message ?? e.code ?? "failed"}`)) ||
        "the provider failed the batch"
      : batch.status === "expired"
        ? "the 24 h completion window passed"
        : undefined;
  return {
    status: batch.status,
    done: TERMINAL_STATUSES.has(batch.status),
    ...(batch.request_counts ? { counts: { ...batch.request_counts } } : {}),
    ...(reason ? { reason } : {}),
    ...(lineErrors.size > 0 ? { lineErrors } : {}),
    // over the organisation's queued-token limit: the requests were fine, they wait for room like a 429
    ...(errors.some((e) => e.code === "token_limit_exceeded") ? { failureKind: "rate_limited" as const } : {}),
  };
}

type OutputLine = {
  custom_id?: unknown;
  response?: { status_code?: unknown; body?: unknown } | null;
  error?: { code?: unknown; message?: unknown } | null;
};

/** One line of an output or error file: an answer, the request's HTTP error, or the batch's own error for it. */
export function readResultLine(line: string, batchId: string): BatchItem | undefined {
  const parsed = parseLine(line) as OutputLine | undefined;
  const customId = parsed?.custom_id;
  if (!parsed || typeof customId !== "string") return undefined;
  const status = typeof parsed.response?.status_code === "number" ? parsed.response.status_code : undefined;
  if (status !== undefined && status >= 200 && status < 300)
    return { customId, result: readCompletion(parsed.response?.body) };
  if (status !== undefined) {
    const body = parsed.response?.body as { error?: { message?: unknown } } | undefined;
    const message = typeof body?.error?.message === "string" ? capMessage(body.error.message) : "";
    return { customId, error: statusError(status, `batch ${batchId}: HTTP ${status}${message ? `: ${message}` : ""}`) };
  }
  const code = typeof parsed.error?.code === "string" ? parsed.error.code : "error";
  const message = typeof parsed.error?.message === "string" ? capMessage(parsed.error.message) : "no answer";
  const what =
    code === "batch_expired"
      ? `batch ${batchId} expired before this request ran`
      : code === "batch_cancelled"
        ? `batch ${batchId} was cancelled before this request ran`
        : `batch ${batchId}: ${code}`;
  return { customId, error: new SessionError("fatal", `${what}: ${message}`) };
}

/** A chat completion body as a session result (the port caps its text). */
function readCompletion(body: unknown): SessionResult {
  const completion = body as
    | {
        choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
        usage?: unknown;
        model?: unknown;
      }
    | undefined;
  const content = completion?.choices?.[0]?.message?.content;
  const finish = completion?.choices?.[0]?.finish_reason;
  return {
    text: typeof content === "string" ? content : "",
    usage: parseUsage(completion?.usage),
    ...(typeof completion?.model === "string" ? { model: completion.model } : {}),
    ...(typeof finish === "string" ? { stopReason: finish } : {}),
  };
}
