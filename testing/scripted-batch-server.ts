// A real HTTP server on 127.0.0.1 speaking OpenAI's Files and Batch APIs (/v1/files upload and download, /v1/batches
// create, retrieve, cancel, list), Anthropic's Message Batches (/v1/messages/batches create, retrieve, results), and
// live /v1/chat/completions from the same script (JSON or SSE).
// Each batch moves one state per poll (validating -> in_progress -> finalizing -> completed), or ends failed
// (a request refused at validation), expired (a request the script says never ran) or cancelled; every request line
// is answered by the test's script, with the same replies as the scripted model server. Every call is logged, so a
// test can count uploads and creations.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { userText, type Reply, type ScriptRequest } from "./scripted-model-server.js";

export type BatchReply = Reply & {
  /** The request never ran before the batch's window passed: the batch ends expired, this line in its error file. */
  expire?: boolean;
  /** The request's input line is refused at validation with this message: the whole batch fails. */
  invalid?: string;
  /** Anthropic: this request's results line is torn (not JSON): a client must skip it and read on. */
  torn?: boolean;
};

export type BatchScriptRequest = ScriptRequest & { customId: string; batchId: string };
export type BatchScript = (request: BatchScriptRequest) => BatchReply | Promise<BatchReply>;

export type BatchCallKind =
  | "files.create"
  | "files.retrieve"
  | "files.content"
  | "batches.create"
  | "batches.retrieve"
  | "batches.cancel"
  | "batches.list"
  | "messages.batches.create"
  | "messages.batches.retrieve"
  | "messages.batches.results"
  | "chat.completions";

export type BatchCall = { kind: BatchCallKind; method: string; path: string; at: number; batchId?: string };

/** A request line as the server answered it (batchId "" for a live chat completion). */
export type AnsweredLine = { batchId: string; customId: string; model: string; system: string; user: string };

type StoredFile = { id: string; filename: string; purpose: string; content: Buffer; createdAt: number };

type StoredBatch = {
  id: string;
  api: "openai" | "anthropic";
  inputFileId?: string;
  lines: Array<{ customId: string; body: Record<string, unknown> }>;
  status: string;
  polls: number;
  createdAt: number;
  metadata?: Record<string, string>;
  output: string[];
  errors: string[];
  /** Anthropic: one results line per request. */
  results: string[];
  completed: number;
  failed: number;
  validationErrors: Array<{ code: string; message: string; line: number }>;
  /** A request expired: the batch ends expired after finalizing. */
  expiredAtEnd?: boolean;
  outputFileId?: string;
  errorFileId?: string;
};

export type ScriptedBatchServerOptions = {
  script: BatchScript;
  /** Polls a batch spends in each of validating, in_progress and finalizing. @default 1 */
  pollsPerState?: number;
  /** Delay before answering a batch create (the batch already exists then): lets a test kill the client mid-call. */
  createDelayMs?: number;
  /** The first `times` batch creates (OpenAI): "refuse" answers 400 and creates nothing; "lose" creates the batch, then
   * drops the connection without an answer. */
  failCreate?: { mode: "refuse" | "lose"; times: number };
  /** The first `n` batch list calls (the lookup by key) answer 500. */
  failingLists?: number;
};

export type ScriptedBatchServer = {
  /** Base URL including /v1 (OpenAI clients). */
  url: string;
  /** Base URL without /v1 (Anthropic clients). */
  root: string;
  calls: BatchCall[];
  /** How many calls of a kind arrived. */
  count: (kind: BatchCallKind) => number;
  answered: AnsweredLine[];
  batches: () => Array<{ id: string; status: string; requests: number }>;
  /** While held, batches stay in_progress (and Anthropic's in_progress) however often they are polled. */
  hold: (held: boolean) => void;
  setScript: (script: BatchScript) => void;
  unexpected: string[];
  assertNoUnexpected: () => void;
  close: () => Promise<void>;
};

export async function startScriptedBatchServer(options: ScriptedBatchServerOptions): Promise<ScriptedBatchServer> {
  let script = options.script;
  const pollsPerState = options.pollsPerState ?? 1;
  const calls: BatchCall[] = [];
  const answered: AnsweredLine[] = [];
  const unexpected: string[] = [];
  const files = new Map<string, StoredFile>();
  const batches = new Map<string, StoredBatch>();
  const sockets = new Set<import("node:net").Socket>();
  let held = false;
  let nextId = 1;
  let createFailures = 0;
  let listFailures = 0;
  let root = "";

  const json = (res: http.ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  const notFound = (res: http.ServerResponse, what: string) =>
    json(res, 404, { error: { message: `No such ${what}`, type: "invalid_request_error" } });
  const log = (kind: BatchCallKind, req: http.IncomingMessage, batchId?: string) =>
    calls.push({
      kind,
      method: req.method ?? "",
      path: req.url ?? "",
      at: Date.now(),
      ...(batchId ? { batchId } : {}),
    });

  /** Answers every line of a batch with the script, into output and error lines (or Anthropic results). */
  async function answerLines(batch: StoredBatch) {
    let expired = false;
    for (const [index, line] of batch.lines.entries()) {
      const request = { ...scriptRequestOf(batch, line, index), index: answered.length };
      const { system } = request;
      answered.push({ batchId: batch.id, customId: line.customId, model: request.model, system, user: request.user });
      let reply: BatchReply;
      try {
        reply = await script(request);
      } catch (error) {
        unexpected.push(`batch ${batch.id} line ${index + 1}: ${(error as Error).message}`);
        reply = { status: 500 };
      }
      if (reply.expire) expired = true;
      record(batch, line.customId, reply, request.model, index);
    }
    return expired;
  }

  function record(batch: StoredBatch, customId: string, reply: BatchReply, model: string, index: number) {
    const ok = !reply.expire && !(reply.status && reply.status >= 400);
    if (ok) batch.completed++;
    else batch.failed++;
    if (batch.api === "anthropic") {
      const result = reply.expire
        ? { type: "expired" }
        : reply.status && reply.status >= 400
          ? {
              type: "errored",
              error: {
                type: "error",
                error: {
                  type: reply.status >= 500 ? "api_error" : "invalid_request_error",
                  message: `scripted ${reply.status}`,
                },
              },
            }
          : { type: "succeeded", message: anthropicMessage(reply, model, index) };
      batch.results.push(
        reply.torn
          ? `{"custom_id":"${customId}","result":{"type":"succ`
          : JSON.stringify({ custom_id: customId, result }),
      );
      return;
    }
    const id = `batch_req_${batch.id}_${index}`;
    if (reply.expire)
      batch.errors.push(
        JSON.stringify({
          id,
          custom_id: customId,
          response: null,
          error: {
            code: "batch_expired",
            message: "This request could not be executed before the completion window expired.",
          },
        }),
      );
    else if (reply.status && reply.status >= 400)
      batch.errors.push(
        JSON.stringify({
          id,
          custom_id: customId,
          response: {
            status_code: reply.status,
            request_id: `req_${index}`,
            body: { error: { message: `scripted HTTP ${reply.status}`, type: "server_error" } },
          },
          error: null,
        }),
      );
    else if (reply.malformed) batch.output.push(`{"id": "${id}", "custom_id": "${customId}", "response": {`);
    else
      batch.output.push(
        JSON.stringify({
          id,
          custom_id: customId,
          response: { status_code: 200, request_id: `req_${index}`, body: chatCompletion(reply, model, index) },
          error: null,
        }),
      );
  }

  /** One poll of an OpenAI batch: it moves one state after `pollsPerState` polls in the current one. */
  async function advance(batch: StoredBatch) {
    batch.polls++;
    if (batch.polls < pollsPerState) return;
    const move = (status: string) => {
      batch.status = status;
      batch.polls = 0;
    };
    switch (batch.status) {
      case "validating": {
        for (const [index, line] of batch.lines.entries()) {
          const reply = await script(scriptRequestOf(batch, line, index));
          if (reply.invalid)
            batch.validationErrors.push({ code: "invalid_request", message: reply.invalid, line: index + 1 });
        }
        move(batch.validationErrors.length > 0 ? "failed" : "in_progress");
        return;
      }
      case "in_progress":
        if (held) return;
        batch.expiredAtEnd = await answerLines(batch);
        move("finalizing");
        return;
      case "finalizing":
        writeFiles(batch);
        move(batch.expiredAtEnd ? "expired" : "completed");
        return;
      case "cancelling":
        batch.failed = batch.lines.length - batch.completed;
        for (const [index, line] of batch.lines.entries())
          batch.errors.push(
            JSON.stringify({
              id: `batch_req_${batch.id}_${index}`,
              custom_id: line.customId,
              response: null,
              error: { code: "batch_cancelled", message: "This request was cancelled before it ran." },
            }),
          );
        writeFiles(batch);
        move("cancelled");
        return;
    }
  }

  const scriptRequestOf = (
    batch: StoredBatch,
    line: { customId: string; body: Record<string, unknown> },
    index: number,
  ): BatchScriptRequest => {
    const messages = (line.body.messages ?? []) as Array<{ role?: string; content?: unknown }>;
    return {
      index,
      model: String(line.body.model),
      stream: false,
      // OpenAI puts the system prompt in the messages, Anthropic beside them
      system:
        typeof line.body.system === "string"
          ? line.body.system
          : messages
              .filter((m) => m.role === "system")
              .map((m) => String(m.content))
              .join("\n"),
      user: userText(messages),
      body: line.body,
      headers: {},
      customId: line.customId,
      batchId: batch.id,
    };
  };

  function writeFiles(batch: StoredBatch) {
    const store = (lines: string[]) => {
      if (lines.length === 0) return undefined;
      const id = `file-out-${nextId++}`;
      files.set(id, {
        id,
        filename: `${batch.id}.jsonl`,
        purpose: "batch_output",
        content: Buffer.from(`${lines.join("\n")}\n`),
        createdAt: Date.now(),
      });
      return id;
    };
    batch.outputFileId = store(batch.output);
    batch.errorFileId = store(batch.errors);
  }

  const openAiBatch = (b: StoredBatch) => ({
    id: b.id,
    object: "batch",
    endpoint: "/v1/chat/completions",
    errors: b.validationErrors.length > 0 ? { object: "list", data: b.validationErrors } : null,
    input_file_id: b.inputFileId,
    completion_window: "24h",
    status: b.status,
    output_file_id: b.outputFileId ?? null,
    error_file_id: b.errorFileId ?? null,
    created_at: Math.floor(b.createdAt / 1000),
    request_counts: {
      total: b.lines.length,
      completed: ["finalizing", "completed", "expired", "cancelled"].includes(b.status) ? b.completed : 0,
      failed: ["finalizing", "completed", "expired", "cancelled"].includes(b.status) ? b.failed : 0,
    },
    metadata: b.metadata ?? null,
  });

  const anthropicBatch = (b: StoredBatch) => {
    const ended = b.status === "ended";
    const count = (type: string) => (ended ? b.results.filter((r) => r.includes(`"type":"${type}"`)).length : 0);
    return {
      id: b.id,
      type: "message_batch",
      processing_status: b.status,
      request_counts: {
        processing: ended ? 0 : b.lines.length,
        succeeded: count("succeeded"),
        errored: count("errored"),
        canceled: count("canceled"),
        expired: count("expired"),
      },
      ended_at: ended ? new Date().toISOString() : null,
      created_at: new Date(b.createdAt).toISOString(),
      expires_at: new Date(b.createdAt + 24 * 3600_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${root}/v1/messages/batches/${b.id}/results` : null,
    };
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const path = url.pathname;
    const raw = await readBody(req);
    try {
      if (req.method === "POST" && path === "/v1/chat/completions") {
        // the same endpoint answers live too (what `--repair-live` uses), from the same script
        log("chat.completions", req);
        const body = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
        const line = { customId: `live-${calls.length}`, body };
        const request = { ...scriptRequestOf({ id: "live" } as StoredBatch, line, answered.length), batchId: "" };
        answered.push({
          batchId: "",
          customId: line.customId,
          model: request.model,
          system: request.system,
          user: request.user,
        });
        const reply = await script(request);
        if (reply.status && reply.status >= 400)
          return json(res, reply.status, { error: { message: `scripted HTTP ${reply.status}` } });
        const completion = chatCompletion(reply, request.model, answered.length);
        if (body.stream !== true) return json(res, 200, completion);
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ ...completion, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }], usage: undefined })}\n\n`;
        res.write(chunk({ role: "assistant", content: completion.choices[0]!.message.content }, null));
        res.write(chunk({}, completion.choices[0]!.finish_reason));
        res.write(`data: ${JSON.stringify({ ...completion, object: "chat.completion.chunk", choices: [] })}\n\n`);
        return res.end("data: [DONE]\n\n");
      }
      if (req.method === "POST" && path === "/v1/files") {
        log("files.create", req);
        const form = parseMultipart(raw, req.headers["content-type"] ?? "");
        const file = form.get("file");
        if (!file) return json(res, 400, { error: { message: "file is required" } });
        const id = `file-${nextId++}`;
        const stored: StoredFile = {
          id,
          filename: file.filename ?? "upload.jsonl",
          purpose: form.get("purpose")?.content.toString() ?? "",
          content: file.content,
          createdAt: Date.now(),
        };
        files.set(id, stored);
        return json(res, 200, fileObject(stored));
      }
      let m = /^\/v1\/files\/([^/]+)(\/content)?$/.exec(path);
      if (req.method === "GET" && m) {
        const file = files.get(m[1]!);
        log(m[2] ? "files.content" : "files.retrieve", req);
        if (!file) return notFound(res, "file");
        if (!m[2]) return json(res, 200, fileObject(file));
        return res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.content);
      }
      if (req.method === "POST" && path === "/v1/batches") {
        const body = JSON.parse(raw.toString("utf8")) as {
          input_file_id?: string;
          endpoint?: string;
          completion_window?: string;
          metadata?: Record<string, string>;
        };
        const input = files.get(body.input_file_id ?? "");
        if (!input) return notFound(res, "file");
        const failing =
          options.failCreate && createFailures < options.failCreate.times ? options.failCreate : undefined;
        if (failing) createFailures++;
        if (failing?.mode === "refuse") {
          log("batches.create", req);
          return json(res, 400, { error: { message: "scripted refusal: too many batches" } });
        }
        if (body.endpoint !== "/v1/chat/completions" || body.completion_window !== "24h")
          return json(res, 400, { error: { message: "endpoint must be /v1/chat/completions, window 24h" } });
        const batch = newBatch("openai", `batch_${nextId++}`);
        batch.inputFileId = input.id;
        if (body.metadata) batch.metadata = body.metadata;
        batch.lines = input.content
          .toString("utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => {
            const line = JSON.parse(l) as { custom_id: string; body: Record<string, unknown> };
            return { customId: line.custom_id, body: line.body };
          });
        batches.set(batch.id, batch);
        log("batches.create", req, batch.id);
        if (options.createDelayMs) await new Promise((r) => setTimeout(r, options.createDelayMs));
        if (failing?.mode === "lose") return void req.socket.destroy();
        return json(res, 200, openAiBatch(batch));
      }
      if (req.method === "GET" && path === "/v1/batches") {
        log("batches.list", req);
        if (listFailures < (options.failingLists ?? 0)) {
          listFailures++;
          return json(res, 500, { error: { message: "scripted list failure" } });
        }
        const all = [...batches.values()].filter((b) => b.api === "openai").reverse();
        const after = url.searchParams.get("after");
        const from = after ? all.findIndex((b) => b.id === after) + 1 : 0;
        const limit = Number(url.searchParams.get("limit") ?? 20);
        const page = all.slice(from, from + limit);
        return json(res, 200, {
          object: "list",
          data: page.map(openAiBatch),
          first_id: page[0]?.id ?? null,
          last_id: page.at(-1)?.id ?? null,
          has_more: from + limit < all.length,
        });
      }
      m = /^\/v1\/batches\/([^/]+)(\/cancel)?$/.exec(path);
      if (m) {
        const batch = batches.get(m[1]!);
        log(m[2] ? "batches.cancel" : "batches.retrieve", req, m[1]);
        if (batch?.api !== "openai") return notFound(res, "batch");
        if (m[2] && req.method === "POST") {
          if (!["completed", "failed", "expired", "cancelled"].includes(batch.status)) {
            batch.status = "cancelling";
            batch.polls = 0;
          }
        } else await advance(batch);
        return json(res, 200, openAiBatch(batch));
      }
      if (req.method === "POST" && path === "/v1/messages/batches") {
        const body = JSON.parse(raw.toString("utf8")) as {
          requests?: Array<{ custom_id: string; params: Record<string, unknown> }>;
        };
        const batch = newBatch("anthropic", `msgbatch_${nextId++}`);
        batch.status = "in_progress";
        batch.lines = (body.requests ?? []).map((r) => ({ customId: r.custom_id, body: r.params }));
        batches.set(batch.id, batch);
        log("messages.batches.create", req, batch.id);
        if (options.createDelayMs) await new Promise((r) => setTimeout(r, options.createDelayMs));
        return json(res, 200, anthropicBatch(batch));
      }
      m = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
      if (req.method === "GET" && m) {
        const batch = batches.get(m[1]!);
        log(m[2] ? "messages.batches.results" : "messages.batches.retrieve", req, m[1]);
        if (batch?.api !== "anthropic") return notFound(res, "message batch");
        if (m[2]) {
          if (batch.status !== "ended") return json(res, 400, { error: { message: "batch has not ended" } });
          return res.writeHead(200, { "content-type": "application/binary" }).end(`${batch.results.join("\n")}\n`);
        }
        batch.polls++;
        if (batch.status === "in_progress" && !held && batch.polls >= pollsPerState) {
          await answerLines(batch);
          batch.status = "ended";
        }
        return json(res, 200, anthropicBatch(batch));
      }
      unexpected.push(`${req.method} ${path}`);
      return notFound(res, "route");
    } catch (error) {
      unexpected.push(`${req.method} ${path}: ${(error as Error).message}`);
      return json(res, 500, { error: { message: `scripted batch server: ${(error as Error).message}` } });
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  root = `http://127.0.0.1:${port}`;

  function newBatch(api: "openai" | "anthropic", id: string): StoredBatch {
    return {
      id,
      api,
      lines: [],
      status: "validating",
      polls: 0,
      createdAt: Date.now(),
      output: [],
      errors: [],
      results: [],
      completed: 0,
      failed: 0,
      validationErrors: [],
    };
  }

  return {
    url: `${root}/v1`,
    root,
    calls,
    count: (kind) => calls.filter((c) => c.kind === kind).length,
    answered,
    batches: () => [...batches.values()].map((b) => ({ id: b.id, status: b.status, requests: b.lines.length })),
    hold: (on) => {
      held = on;
    },
    setScript: (next) => {
      script = next;
    },
    unexpected,
    assertNoUnexpected: () => {
      if (unexpected.length > 0)
        throw new Error(`scripted batch server got unexpected calls:\n${unexpected.join("\n")}`);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const fileObject = (f: StoredFile) => ({
  id: f.id,
  object: "file",
  bytes: f.content.length,
  created_at: Math.floor(f.createdAt / 1000),
  filename: f.filename,
  purpose: f.purpose,
  status: "processed",
});

/** The parts of a multipart/form-data body by field name. */
function parseMultipart(body: Buffer, contentType: string): Map<string, { filename?: string; content: Buffer }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const parts = new Map<string, { filename?: string; content: Buffer }>();
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2); // past CRLF, before CRLF
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString("utf8");
      const name = /name="([^"]*)"/.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/.exec(headers)?.[1];
      if (name) parts.set(name, { ...(filename ? { filename } : {}), content: part.subarray(headerEnd + 4) });
    }
    start = next;
  }
  return parts;
}

/** The text a reply answers with. */
const replyText = (reply: Reply) => (reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? ""));

function usageOf(reply: Reply, text: string) {
  return {
    prompt: reply.usage?.prompt ?? 100,
    completion: reply.usage?.completion ?? Math.max(1, Math.ceil(text.length / 4)),
  };
}

function chatCompletion(reply: Reply, model: string, index: number) {
  const text = replyText(reply);
  const usage = usageOf(reply, text);
  return {
    id: `chatcmpl-batch-${index}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: reply.finishReason ?? "stop" }],
    usage: {
      prompt_tokens: usage.prompt,
      completion_tokens: usage.completion,
      total_tokens: usage.prompt + usage.completion,
    },
  };
}

function anthropicMessage(reply: Reply, model: string, index: number) {
  const text = replyText(reply);
  const usage = usageOf(reply, text);
  return {
    id: `msg_batch_${index}`,
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text }],
    stop_reason: reply.finishReason === "length" ? "max_tokens" : "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.prompt, output_tokens: usage.completion },
  };
}
