// SessionPort over any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, vLLM, llama.cpp, LiteLLM):
// one chat completion per session, streamed (SSE with usage) or not.
import { capBytes } from "../engine/check-output.js";
import { SessionError, type SessionPort, type SessionRequest, type SessionResult, type Usage } from "../engine/port.js";

export type OpenAiHttpPortOptions = {
  /** Base URL including the version segment, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  /** Sent as a bearer token when set. Never logged. */
  apiKey?: string;
  /** Model used when a request names none. */
  defaultModel: string;
  /** Stream the answer as server-sent events. Default true. */
  stream?: boolean;
  /** Extra request headers (e.g. for a proxy). Never logged. */
  headers?: Record<string, string>;
  /** `max_tokens` sent with every request, when set. */
  maxTokens?: number;
  temperature?: number;
  fetch?: typeof fetch;
};

export function createOpenAiHttpPort(options: OpenAiHttpPortOptions): SessionPort {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const doFetch = options.fetch ?? fetch;
  const stream = options.stream ?? true;
  return {
    name: "openai-http",
    async run(request: SessionRequest): Promise<SessionResult> {
      const model = request.model ?? options.defaultModel;
      const body = {
        model,
        messages: [
          { role: "system", content: request.system },
          { role: "user", content: request.message },
        ],
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      };
      let response: Response;
      try {
        response = await doFetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: stream ? "text/event-stream" : "application/json",
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
            ...options.headers,
          },
          body: JSON.stringify(body),
          signal: request.signal,
        });
      } catch (error) {
        throw networkError(error, request.signal);
      }
      if (!response.ok) throw await httpError(response);
      try {
        const result = stream && isEventStream(response) ? await readStream(response, request.maxOutputBytes) : await readJson(response, request.maxOutputBytes);
        return { ...result, model: result.model ?? model };
      } catch (error) {
        if (error instanceof SessionError) throw error;
        throw networkError(error, request.signal);
      }
    },
  };
}

function isEventStream(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").includes("text/event-stream");
}

function networkError(error: unknown, signal: AbortSignal): SessionError {
  if (signal.aborted) return new SessionError("aborted", "the request was aborted", { cause: error });
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new SessionError("transient", `network error: ${detail}`, { cause: error });
}

async function httpError(response: Response): Promise<SessionError> {
  const text = (await response.text().catch(() => "")).slice(0, 500);
  const detail = `HTTP ${response.status}${text ? `: ${text}` : ""}`;
  if (response.status === 429) return new SessionError("rate_limited", detail, { status: 429, retryAfterMs: parseRetryAfter(response.headers) });
  if (response.status === 408 || response.status === 409 || response.status >= 500) return new SessionError("transient", detail, { status: response.status });
  return new SessionError("fatal", detail, { status: response.status });
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. Capped at 60 s. */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, 60_000);
  const raw = headers.get("retry-after");
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.min(Math.max(0, seconds * 1000), 60_000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), 60_000);
}

function toUsage(raw: unknown): Usage | undefined {
  const u = raw as { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined;
  if (!u || typeof u !== "object") return undefined;
  const inputTokens = Number(u.prompt_tokens ?? 0);
  const outputTokens = Number(u.completion_tokens ?? 0);
  return { inputTokens, outputTokens, totalTokens: Number(u.total_tokens ?? inputTokens + outputTokens) };
}

async function readJson(response: Response, maxBytes: number): Promise<SessionResult> {
  const raw = await response.text();
  let parsed: { choices?: Array<{ message?: { content?: unknown } }>; usage?: unknown; model?: string };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw new SessionError("transient", `malformed JSON response: ${raw.slice(0, 120)}`);
  }
  const content = parsed.choices?.[0]?.message?.content;
  const text = typeof content === "string" ? content : "";
  const cut = capBytes(text, maxBytes);
  return { text: cut.text, truncated: cut.truncated, usage: toUsage(parsed.usage), model: parsed.model };
}

async function readStream(response: Response, maxBytes: number): Promise<SessionResult> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let bytes = 0;
  let usage: Usage | undefined;
  let model: string | undefined;
  let finished = false;
  let truncated = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.indexOf("\n")) !== -1) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") {
          finished = true;
          continue;
        }
        let chunk: { choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>; usage?: unknown; model?: string; error?: { message?: string } };
        try {
          chunk = JSON.parse(data) as typeof chunk;
        } catch {
          throw new SessionError("transient", `malformed stream chunk: ${data.slice(0, 120)}`);
        }
        if (chunk.error) throw new SessionError("transient", `stream error: ${chunk.error.message ?? "unknown"}`);
        model ??= chunk.model;
        const piece = chunk.choices?.[0]?.delta?.content;
        if (typeof piece === "string" && !truncated) {
          bytes += Buffer.byteLength(piece, "utf8");
          text += piece;
          if (bytes > maxBytes) truncated = true;
        }
        if (chunk.choices?.[0]?.finish_reason) finished = true;
        if (chunk.usage) usage = toUsage(chunk.usage);
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!finished) throw new SessionError("transient", `the stream ended before the answer was complete (${bytes} bytes received)`, { usage });
  const cut = capBytes(text, maxBytes);
  return { text: cut.text, truncated: truncated || cut.truncated, usage, model };
}
