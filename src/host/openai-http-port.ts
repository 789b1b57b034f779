// SessionPort over any OpenAI-compatible `/chat/completions` endpoint (OpenAI, Ollama, vLLM, llama.cpp, LiteLLM):
// one chat completion per session, streamed (SSE with usage) or not.
// Transport is node:http(s) with a keep-alive agent: fetch (undici) added ~10% to a 300 ms call at 100 in flight
// (bench/parallel), node:http about 3%.
import http from "node:http";
import https from "node:https";
import type { IncomingMessage } from "node:http";
import { parseUsage } from "./parse-usage.js";
import {
  SessionError,
  capBytes,
  type SessionPort,
  type SessionRequest,
  type SessionResult,
  type Usage,
} from "../engine/port.js";

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
  /** Sockets kept per endpoint. Default 256. */
  maxSockets?: number;
};

export function createOpenAiHttpPort(options: OpenAiHttpPortOptions): SessionPort {
  const url = new URL(`${options.baseUrl.replace(/\/+$/, "")}/chat/completions`);
  const secure = url.protocol === "https:";
  const agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const stream = options.stream ?? true;
  return {
    name: "openai-http",
    async run(request: SessionRequest): Promise<SessionResult> {
      const model = request.model ?? options.defaultModel;
      const body = JSON.stringify({
        model,
        messages: [
          { role: "system", content: request.system },
          { role: "user", content: request.message },
        ],
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      });
      const headers = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        accept: stream ? "text/event-stream" : "application/json",
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        ...options.headers,
      };
      let response: IncomingMessage;
      try {
        response = await post({ url, secure, agent, headers, body, signal: request.signal });
      } catch (error) {
        throw networkError(error, request.signal);
      }
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) throw await httpError(response, status);
      try {
        const result =
          stream && isEventStream(response)
            ? await readStream(response, request.maxOutputBytes)
            : await readJson(response, request.maxOutputBytes);
        return { ...result, model: result.model ?? model };
      } catch (error) {
        if (error instanceof SessionError) throw error;
        throw networkError(error, request.signal);
      } finally {
        if (!response.complete) response.destroy(); // a fully read response goes back to the keep-alive pool
      }
    },
  };
}

function post(options: {
  url: URL;
  secure: boolean;
  agent: http.Agent;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (options.secure ? https : http).request(
      options.url,
      { method: "POST", headers: options.headers, agent: options.agent, signal: options.signal },
      resolve,
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

function isEventStream(response: IncomingMessage): boolean {
  return (response.headers["content-type"] ?? "").includes("text/event-stream");
}

async function readAll(response: IncomingMessage, limit = 8 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new SessionError("transient", `response body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function networkError(error: unknown, signal: AbortSignal): SessionError {
  if (signal.aborted) return new SessionError("aborted", "the request was aborted", { cause: error });
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new SessionError("transient", `network error: ${detail}`, { cause: error });
}

async function httpError(response: IncomingMessage, status: number): Promise<SessionError> {
  const text = (await readAll(response, 64 * 1024).catch(() => "")).slice(0, 500);
  const detail = `HTTP ${status}${text ? `: ${text}` : ""}`;
  if (status === 429)
    return new SessionError("rate_limited", detail, { status, retryAfterMs: parseRetryAfter(response.headers) });
  if (status === 408 || status === 409 || status >= 500) return new SessionError("transient", detail, { status });
  return new SessionError("fatal", detail, { status });
}

/** `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. Capped at 60 s. */
export function parseRetryAfter(headers: http.IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = Number(headers["retry-after-ms"]);
  if (Number.isFinite(ms) && ms > 0) return Math.min(ms, 60_000);
  const raw = headers["retry-after"];
  if (!raw) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.min(Math.max(0, seconds * 1000), 60_000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), 60_000);
}

async function readJson(response: IncomingMessage, maxBytes: number): Promise<SessionResult> {
  const raw = await readAll(response);
  let parsed: {
    choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }>;
    usage?: unknown;
    model?: string;
  };
  try {
    parsed = JSON.parse(raw) as typeof parsed;
  } catch {
    throw new SessionError("transient", `malformed JSON response: ${raw.slice(0, 120)}`);
  }
  const content = parsed.choices?.[0]?.message?.content;
  const text = typeof content === "string" ? content : "";
  const cut = capBytes(text, maxBytes);
  return {
    text: cut.text,
    truncated: cut.truncated,
    usage: parseUsage(parsed.usage),
    model: parsed.model,
    ...stopReasonOf(parsed.choices?.[0]?.finish_reason),
  };
}

async function readStream(response: IncomingMessage, maxBytes: number): Promise<SessionResult> {
  const decoder = new TextDecoder();
  let buffer = "";
  let text = "";
  let bytes = 0;
  let usage: Usage | undefined;
  let model: string | undefined;
  let finished = false;
  let truncated = false;
  let finishReason: unknown;
  for await (const value of response) {
    buffer += decoder.decode(value as Buffer, { stream: true });
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
      let chunk: {
        choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }>;
        usage?: unknown;
        model?: string;
        error?: { message?: string };
      };
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
      if (chunk.choices?.[0]?.finish_reason) {
        finished = true;
        finishReason = chunk.choices[0].finish_reason;
      }
      if (chunk.usage) usage = parseUsage(chunk.usage);
    }
    if (truncated) break; // stop reading past the output cap
  }
  if (!finished && !truncated)
    throw new SessionError("transient", `the stream ended before the answer was complete (${bytes} bytes received)`, {
      usage,
    });
  const cut = capBytes(text, maxBytes);
  return { text: cut.text, truncated: truncated || cut.truncated, usage, model, ...stopReasonOf(finishReason) };
}

/** OpenAI's finish_reason as the engine reads it: "length" marks an answer cut at the token limit. */
function stopReasonOf(finishReason: unknown): { stopReason?: string } {
  return typeof finishReason === "string" ? { stopReason: finishReason } : {};
}
