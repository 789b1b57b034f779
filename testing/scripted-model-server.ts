// A real HTTP server on 127.0.0.1 speaking the Chat Completions protocol (JSON and SSE with usage), answering from a
// script chosen by the test, with latency and fault injection, logging every request with start and end times.
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Reply = {
  /** Assistant text to return. */
  text?: string;
  /** Returned as JSON text (JSON.stringify). */
  json?: unknown;
  /** Answer with this HTTP error status instead. */
  status?: number;
  /** Seconds, sent as `retry-after` (with a 429). */
  retryAfter?: number;
  /** Broken JSON body (non-streaming) or a broken chunk (streaming). */
  malformed?: boolean;
  /** Stream half the answer, then close without finish_reason or [DONE]. */
  truncate?: boolean;
  /** Never answer; the request stays open until the client goes away. */
  hang?: boolean;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Stream in small chunks with this delay between them. */
  dripMs?: number;
  usage?: { prompt: number; completion: number };
  /** Answer with tool calls (function calling) instead of text. */
  toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>;
  /** finish_reason of a text answer (default "stop"); "length" says the answer hit the token limit. */
  finishReason?: string;
};

export type ScriptRequest = {
  index: number;
  model: string;
  stream: boolean;
  system: string;
  /** The last user message, without OpenClaw's internal-context block. */
  user: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
};

export type Script = (request: ScriptRequest) => Reply | Promise<Reply>;

export type LogEntry = {
  index: number;
  model: string;
  stream: boolean;
  system: string;
  user: string;
  authorization?: string;
  startedAt: number;
  endedAt?: number;
  /** The client closed the connection before the answer was complete. */
  closedEarly: boolean;
  status: number;
  inFlightAtStart: number;
  /** Size of the request body in bytes: what the client sent for this completion. */
  bytes: number;
  /** Names of the tools the request offered the model. */
  tools: string[];
  /** The request's response_format, when it set one. */
  responseFormat?: unknown;
  /** Refused with 429 by the server's own rate limit (`rateLimit` option), not by the script. */
  rateLimited?: boolean;
};

/**
 * A rate limit the server applies before the script sees a request: a refused request is logged (status 429,
 * `rateLimited: true`) and answered 429 with `retry-after-ms`.
 */
export type RateLimit = {
  /** Refuse a request that arrives while this many are already in flight (the server's real capacity). */
  maxInFlight?: number;
  /** Refuse every n-th request (1-based: `every: 4` refuses the 4th, 8th, ...). */
  every?: number;
  /** Sent as `retry-after-ms` with each refusal. Default 100. */
  retryAfterMs?: number;
};

export type ScriptedServerOptions = {
  /** Default none: every request reaches the script. */
  rateLimit?: RateLimit;
};

export class UnexpectedRequest extends Error {
  override name = "UnexpectedRequest";
}

export type ScriptedModelServer = {
  /** Base URL including /v1. */
  url: string;
  port: number;
  log: LogEntry[];
  unexpected: string[];
  maxInFlight: () => number;
  inFlight: () => number;
  setScript: (script: Script) => void;
  /** Throws when a request arrived that the script did not expect. */
  assertNoUnexpected: () => void;
  /** Resolves once `n` requests are in flight at the same time. */
  waitForInFlight: (n: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function userText(messages: Array<{ role?: string; content?: unknown }>): string {
  const text = (m: { content?: unknown } | undefined) =>
    typeof m?.content === "string"
      ? m.content
      : Array.isArray(m?.content)
        ? (m.content as Array<{ text?: string }>).map((p) => p.text ?? "").join("")
        : "";
  // The last user message, looking past a trailing block that is only OpenClaw's internal context.
  const last = [...messages]
    .reverse()
    .find((m) => m.role === "user" && !text(m).trimStart().startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT"));
  const content = text(last);
  const cut = content.indexOf("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT");
  return (cut === -1 ? content : content.slice(0, cut)).trim();
}

export async function startScriptedModelServer(
  initial: Script,
  options: ScriptedServerOptions = {},
): Promise<ScriptedModelServer> {
  let script = initial;
  const log: LogEntry[] = [];
  const unexpected: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<import("node:net").Socket>();

  const server = http.createServer(async (req, res) => {
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      unexpected.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    const messages = (body.messages ?? []) as Array<{ role?: string; content?: unknown }>;
    const system = messages
      .filter((m) => m.role === "system" || m.role === "developer")
      .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
      .join("\n");
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    for (const w of waiters.filter((w) => inFlight >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    const entry: LogEntry = {
      index: log.length,
      model: String(body.model),
      stream: body.stream === true,
      system,
      user: userText(messages),
      authorization: req.headers.authorization,
      startedAt: Date.now(),
      closedEarly: false,
      status: 200,
      inFlightAtStart: inFlight,
      bytes: raw.length,
      tools: toolNames(body.tools),
      ...(body.response_format !== undefined ? { responseFormat: body.response_format } : {}),
    };
    const limit = options.rateLimit;
    if (
      limit &&
      ((limit.maxInFlight !== undefined && inFlight > limit.maxInFlight) ||
        (limit.every !== undefined && (entry.index + 1) % limit.every === 0))
    ) {
      entry.status = 429;
      entry.rateLimited = true;
    }
    log.push(entry);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      inFlight--;
      entry.endedAt = Date.now();
    };
    res.on("close", () => {
      if (!res.writableFinished) entry.closedEarly = true;
      end();
    });
    if (entry.rateLimited) {
      res
        .writeHead(429, { "content-type": "application/json", "retry-after-ms": String(limit?.retryAfterMs ?? 100) })
        .end(JSON.stringify({ error: { message: "scripted rate limit" } }));
      return;
    }
    let reply: Reply;
    try {
      reply = await script({
        index: entry.index,
        model: entry.model,
        stream: entry.stream,
        system,
        user: entry.user,
        body,
        headers: req.headers,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      unexpected.push(`request ${entry.index} (${entry.model}): ${message}`);
      entry.status = 500;
      res
        .writeHead(500, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: `scripted server: ${message}` } }));
      return;
    }
    await respond(reply, entry, res, () => entry.closedEarly);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    log,
    unexpected,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    setScript: (next) => {
      script = next;
    },
    assertNoUnexpected: () => {
      if (unexpected.length > 0)
        throw new Error(`scripted model server got unexpected requests:\n${unexpected.join("\n")}`);
    },
    waitForInFlight: (n, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (inFlight >= n) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`never reached ${n} requests in flight (now ${inFlight})`)),
          timeoutMs,
        );
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toolNames(tools: unknown): string[] {
  return Array.isArray(tools)
    ? tools.map((t) =>
        String((t as { function?: { name?: unknown } })?.function?.name ?? (t as { name?: unknown })?.name ?? "?"),
      )
    : [];
}

async function respond(reply: Reply, entry: LogEntry, res: http.ServerResponse, closed: () => boolean): Promise<void> {
  if (reply.delayMs) await sleep(reply.delayMs);
  if (closed()) return;
  if (reply.hang) return; // the client's abort closes the connection
  if (reply.status && reply.status >= 400) {
    entry.status = reply.status;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (reply.retryAfter !== undefined) headers["retry-after"] = String(reply.retryAfter);
    res.writeHead(reply.status, headers).end(JSON.stringify({ error: { message: `scripted HTTP ${reply.status}` } }));
    return;
  }
  const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? "");
  const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
    id: c.id ?? `call_${entry.index}_${i}`,
    type: "function",
    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
  }));
  const usage = {
    prompt_tokens: reply.usage?.prompt ?? 100,
    completion_tokens: reply.usage?.completion ?? Math.max(1, Math.ceil(text.length / 4)),
  };
  const usageOut = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
  const id = `chatcmpl-scripted-${entry.index}`;
  const created = Math.floor(Date.now() / 1000);
  if (!entry.stream) {
    res.writeHead(200, { "content-type": "application/json" });
    if (reply.malformed) return void res.end('{"id": "broken", "choices": [ {"message": ');
    const message =
      toolCalls.length > 0
        ? { role: "assistant", content: text || null, tool_calls: toolCalls }
        : { role: "assistant", content: text };
    res.end(
      JSON.stringify({
        id,
        object: "chat.completion",
        created,
        model: entry.model,
        choices: [
          { index: 0, message, finish_reason: toolCalls.length > 0 ? "tool_calls" : (reply.finishReason ?? "stop") },
        ],
        usage: usageOut,
      }),
    );
    return;
  }
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const send = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: entry.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  send(chunk({ role: "assistant", content: "" }));
  const size = reply.dripMs ? 8 : 64;
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  const upTo = reply.truncate || reply.malformed ? Math.floor(pieces.length / 2) : pieces.length;
  for (let i = 0; i < upTo; i++) {
    if (closed()) return;
    send(chunk({ content: pieces[i] }));
    if (reply.dripMs) await sleep(reply.dripMs);
  }
  if (reply.malformed) {
    res.write("data: {not json\n\n");
    res.end();
    return;
  }
  if (reply.truncate) {
    res.end();
    return;
  }
  if (toolCalls.length > 0) {
    send(chunk({ tool_calls: toolCalls.map((c, index) => ({ index, ...c })) }));
    send(chunk({}, "tool_calls"));
  } else {
    send(chunk({}, reply.finishReason ?? "stop"));
  }
  send({ id, object: "chat.completion.chunk", created, model: entry.model, choices: [], usage: usageOut });
  send("[DONE]");
  res.end();
}
