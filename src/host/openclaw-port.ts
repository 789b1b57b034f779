// SessionPort over OpenClaw's plugin runtime: api.runtime.subagent.run -> waitForRun -> getSessionMessages -> deleteSession,
// bound to the calling agent through the tool context.
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/core";
import { parseUsage } from "./parse-usage.js";
import {
  SessionError,
  addUsage,
  countToolCall,
  capBytes,
  type SessionPort,
  type SessionRequest,
  type SessionResult,
  type ToolCallCounts,
  type Usage,
} from "../engine/port.js";
import type { ModelGate } from "./model-gate.js";
import { type CallOverrides, OVERRIDE_KEYS } from "./host-ladder.js";
import type { SessionLedger } from "./session-ledger.js";

export type SubagentRuntime = Pick<
  OpenClawPluginApi["runtime"]["subagent"],
  "run" | "waitForRun" | "getSessionMessages" | "deleteSession"
>;

export type OpenClawPortOptions = {
  subagent: SubagentRuntime;
  /** The calling agent (toolContext.agentId); children are its sub-agent sessions. Default "main". */
  agentId?: string;
  /** delete: remove each child session once read (deferred off the critical path); keep: leave it for inspection. */
  cleanup: "delete" | "keep";
  /** Delay before deferred deletes. Default 2000 ms (an immediate delete is slow and races persistence). */
  deleteDelayMs?: number;
  /** Lane the children run on. Default "subagent" (the main lane can deadlock waiting for its own children). */
  lane?: string;
  /** Run children with no tools (default true): they answer from their prompt, and cannot start more agents. */
  disableTools?: boolean;
  /**
   * The plugin's share of the host's sub-agent lane, shared by every call in the gateway (key "lane"): children wait
   * here, not in the host's queue, so waiting never counts against an attempt and other conversations keep slots.
   */
  laneGate?: ModelGate;
  /** Where kept children are remembered so later calls sweep the oldest (cleanup "keep"). */
  ledger?: SessionLedger;
  log?: (message: string) => void;
  /** What the host refused about per-run models (this call's view): a refused model's children run on its default. */
  overrides?: CallOverrides;
};

export type OpenClawPort = SessionPort & {
  /** Runs the deferred deletes now and waits for them. */
  flushCleanup: () => Promise<void>;
  pendingCleanup: () => number;
};

export function childSessionKey(agentId: string, attemptKey: string): string {
  const safe = attemptKey.replace(/[^a-zA-Z0-9_-]/g, "-").slice(0, 120);
  return `agent:${agentId.replace(/[^a-zA-Z0-9_-]/g, "-") || "main"}:subagent:parallel-agents-${safe}`;
}

/** Whether a session key names a child this plugin started (see childSessionKey). */
export function isOurChild(sessionKey: string | undefined): boolean {
  return typeof sessionKey === "string" && sessionKey.includes(":subagent:parallel-agents-");
}

/** `provider/model` splits into both; a bare name is a model of the default provider. */
export function splitModelRef(ref: string | undefined): { provider?: string; model?: string } {
  if (!ref) return {};
  const slash = ref.indexOf("/");
  return slash > 0 ? { provider: ref.slice(0, slash), model: ref.slice(slash + 1) } : { model: ref };
}

export function createOpenClawPort(options: OpenClawPortOptions): OpenClawPort {
  const { subagent } = options;
  const agentId = options.agentId ?? "main";
  const deleteDelayMs = options.deleteDelayMs ?? 2000;
  const pending = new Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>();
  const log = options.log ?? (() => undefined);

  /** Remembers a child left in the gateway for a later sweep; a ledger that cannot be written never fails an agent. */
  const remember = (sessionKey: string) => {
    try {
      options.ledger?.record(sessionKey);
    } catch (error) {
      log(`parallel-agents: remembering ${sessionKey} failed: ${(error as Error).message}`);
    }
  };
  // Deletes in flight (a cancelled child's): flushCleanup waits for them, since the host refuses them after the call.
  const deleting = new Set<Promise<void>>();
  const active = new Set<Promise<SessionResult>>();
  const deleteNow = (sessionKey: string): Promise<void> => {
    const done = (async () => {
      try {
        // Keep the transcript: deleting it too costs ~0.7 s per child in the host (measured: 5 children 3.4-3.8 s vs 0.3-0.5 s).
        await subagent.deleteSession({ sessionKey, deleteTranscript: false });
      } catch (error) {
        log(`parallel-agents: deleting ${sessionKey} failed: ${(error as Error).message}`);
        remember(sessionKey); // a later call's sweep tries again
      }
    })();
    deleting.add(done);
    void done.finally(() => deleting.delete(done));
    return done;
  };
  const deferDelete = (sessionKey: string) => {
    if (options.cleanup !== "delete" || pending.has(sessionKey)) return;
    const run = async () => {
      pending.delete(sessionKey);
      await deleteNow(sessionKey);
    };
    const timer = setTimeout(() => void run(), deleteDelayMs);
    timer.unref?.();
    pending.set(sessionKey, { timer, run });
  };

  // Sessions left by earlier calls are swept while this one runs, and awaited by flushCleanup (inside the call).
  let sweep: Promise<number> | undefined;
  const startSweep = () => {
    if (options.ledger && !sweep)
      sweep = options.ledger
        .sweep((key) => subagent.deleteSession({ sessionKey: key, deleteTranscript: false }))
        .catch((error: unknown) => {
          log(`parallel-agents: sweeping earlier child sessions failed: ${(error as Error).message}`);
          return 0;
        });
  };

  return {
    name: options.disableTools === false ? "openclaw-session-tools" : "openclaw-session",
    queues: true,
    pendingCleanup: () => pending.size,
    flushCleanup: async () => {
      const runs = [...pending.values()];
      for (const p of runs) clearTimeout(p.timer);
      // Children still starting when the run was cancelled are deleted as soon as the host names them: wait for that
      // too (at most 10 s), then for every delete.
      await Promise.race([Promise.allSettled([...active]), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await Promise.all([...runs.map((p) => p.run()), ...deleting, sweep?.catch(() => 0)]);
    },
    async run(request: SessionRequest): Promise<SessionResult> {
      if (request.signal.aborted) throw new SessionError("aborted", "cancelled before start");
      startSweep();
      const release = options.laneGate ? await options.laneGate.acquire("lane", request.signal) : () => undefined;
      const child = runChild(request);
      active.add(child);
      try {
        return await child;
      } finally {
        active.delete(child);
        release();
      }
    },
  };

  async function runChild(request: SessionRequest): Promise<SessionResult> {
    request.onStarted?.();
    const calledAt = Date.now();
    // After the host refused a per-run model (options.overrides), children run on its default model.
    let model = options.overrides ? options.overrides.modelFor(request.model) : request.model;
    let attemptKey = request.attemptKey;
    const start = () =>
      subagent.run({
        sessionKey: childSessionKey(agentId, attemptKey),
        message: request.message,
        extraSystemPrompt: request.system,
        promptMode: "minimal",
        deliver: false,
        lane: options.lane ?? "subagent",
        idempotencyKey: attemptKey,
        // A child without tools needs none of the workspace files the host injects (AGENTS.md): lightContext drops them.
        // A child with tools keeps them: they carry the user's rules for working in the workspace.
        ...(options.disableTools === false ? {} : { disableTools: true, lightContext: true }),
        ...splitModelRef(model),
      });
    let started: Awaited<ReturnType<SubagentRuntime["run"]>>;
    try {
      started = await start();
    } catch (error) {
      // The host does not let this plugin pick this model: remember it for every call, run this child on its default.
      if (
        !model ||
        !options.overrides ||
        request.signal.aborted ||
        !options.overrides.refuse(model, (error as Error)?.message ?? String(error))
      )
        throw classifyStartError(error);
      model = undefined;
      attemptKey = `${request.attemptKey}-d`; // a child of its own: the refused start may have left a key behind
      try {
        started = await start();
      } catch (second) {
        throw classifyStartError(second);
      }
    }
    const key = started.sessionKey?.trim() || childSessionKey(agentId, attemptKey);
    // Cancelling a child = deleting its session: the host aborts its in-flight model request. An abort that came
    // while the host was starting it is acted on now that its key is known.
    if (request.signal.aborted) {
      await deleteNow(key);
      throw new SessionError("aborted", "cancelled while the sub-agent was starting");
    }
    const onAbort = () => void deleteNow(key);
    request.signal.addEventListener("abort", onAbort, { once: true });
    try {
      const deadline = calledAt + request.timeoutMs;
      let wait: Awaited<ReturnType<SubagentRuntime["waitForRun"]>>;
      for (;;) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          void deleteNow(key); // the host's wait does not stop the run: deleting it does
          throw new SessionError("timeout", `no answer within ${request.timeoutMs} ms`);
        }
        wait = await subagent.waitForRun({ runId: started.runId, timeoutMs: remaining });
        if (request.signal.aborted) throw new SessionError("aborted", "cancelled");
        if (wait.status !== "pending") break; // pending is not a failure: keep waiting within the time limit
      }
      if (wait.status === "timeout") {
        void deleteNow(key);
        throw new SessionError("timeout", wait.error ?? `the host timed the run out after ${request.timeoutMs} ms`);
      }
      if (wait.status === "error") {
        const message = wait.error ?? "the sub-agent run failed";
        throw new SessionError(/aborted/i.test(message) ? "aborted" : "transient", `sub-agent error: ${message}`);
      }
      // A child with tools has a call and a result per tool use before its answer: read up to the host's own cap of
      // 1000 messages (a child with more than ~500 tool calls has its earliest ones uncounted).
      const withTools = options.disableTools === false;
      const { messages } = await subagent.getSessionMessages({ sessionKey: key, limit: withTools ? 1000 : 50 });
      const answer = withTools ? finalAnswerWithTools(messages) : lastAssistant(messages);
      const toolCalls = withTools ? countToolCalls(messages) : undefined;
      const cut = capBytes(answer.text, request.maxOutputBytes);
      const queuedMs = typeof wait.startedAt === "number" ? Math.max(0, wait.startedAt - calledAt) : undefined;
      return {
        text: cut.text,
        truncated: cut.truncated,
        usage: answer.usage,
        model: started.runtime ? `${started.runtime.provider}/${started.runtime.model}` : model,
        ...(queuedMs !== undefined ? { queuedMs } : {}),
        ...(toolCalls ? { toolCalls } : {}),
      };
    } finally {
      request.signal.removeEventListener("abort", onAbort);
      if (!request.signal.aborted) {
        if (options.cleanup === "delete") deferDelete(key);
        else remember(key);
      }
    }
  }
}

function classifyStartError(error: unknown): SessionError {
  const message = (error as Error)?.message ?? String(error);
  // "Plugin model override configuration changed before admission. Retry the run." is worth a retry
  if (/override/i.test(message) && !/retry the run/i.test(message))
    return new SessionError(
      "fatal",
      `starting the sub-agent failed: ${message} Fix: set ${OVERRIDE_KEYS.subagent}: true in the OpenClaw config, or remove "models" from the call and the plugin config.`,
      { cause: error },
    );
  if (/not allowed|forbidden|unknown model|not found/i.test(message))
    return new SessionError("fatal", `starting the sub-agent failed: ${message}`, { cause: error });
  return new SessionError("transient", `starting the sub-agent failed: ${message}`, { cause: error });
}

type Message = { role?: string; content?: unknown; usage?: Record<string, unknown> };

/** The final assistant text and its usage from a transcript (content as a string or as text parts). */
export function lastAssistant(messages: unknown[]): { text: string; usage?: Usage } {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i] as Message;
    if (m?.role !== "assistant") continue;
    const text = assistantText(m);
    if (text.trim() === "" && i > 0) continue;
    return { text, usage: parseUsage(m.usage) };
  }
  return { text: "" };
}

/**
 * The answer of a child with tools: its final assistant message only (an earlier one is a step between tool calls,
 * e.g. "I'll read the file first", never the answer; an empty final one is an empty answer), and the usage of every
 * assistant turn of the transcript (each tool round trip is a model request of its own).
 */
export function finalAnswerWithTools(messages: unknown[]): { text: string; usage?: Usage } {
  let usage: Usage | undefined;
  let last: Message | undefined;
  for (const raw of messages) {
    const m = raw as Message;
    if (m?.role !== "assistant") continue;
    usage = addUsage(usage, parseUsage(m.usage));
    last = m;
  }
  const endedOnTool = (last as { stopReason?: unknown } | undefined)?.stopReason === "toolUse";
  return { text: last && !endedOnTool ? assistantText(last) : "", ...(usage ? { usage } : {}) };
}

function assistantText(m: Message): string {
  return typeof m.content === "string"
    ? m.content
    : Array.isArray(m.content)
      ? m.content
          .map((p) =>
            p && typeof p === "object" && (p as { type?: string }).type === "text"
              ? String((p as { text?: unknown }).text ?? "")
              : "",
          )
          .join("")
      : "";
}

const TOOL_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A tool called through the host's Tool Search bridge (`tool_call { id, args }`) is counted under its own name. */
function bridgedName(args: unknown): unknown {
  const id = (args as { id?: unknown } | null)?.id;
  return typeof id === "string" && id !== "" ? id : "tool_call";
}

/**
 * How many times the child called each tool, from its transcript: assistant content parts of type `toolCall` (the host's
 * own), `tool_use` or `toolUse`, or OpenAI-style `tool_calls`. Names only (at most 50; a name that is not a plain tool
 * name of at most 64 characters counts as "other"); undefined when there were none.
 */
export function countToolCalls(messages: unknown[]): ToolCallCounts | undefined {
  const counts: ToolCallCounts = Object.create(null);
  const add = (name: unknown) => {
    if (typeof name !== "string" || name === "") return;
    // The name a bridged call gives is the model's own text: anything but a plain tool name is counted as "other".
    countToolCall(counts, TOOL_NAME.test(name) ? name : "other");
  };
  for (const raw of messages) {
    const m = raw as Message & { tool_calls?: unknown };
    if (m?.role !== "assistant") continue;
    if (Array.isArray(m.content))
      for (const part of m.content) {
        const p = part as { type?: unknown; name?: unknown; arguments?: unknown } | null;
        if (p && (p.type === "toolCall" || p.type === "tool_use" || p.type === "toolUse"))
          add(p.name === "tool_call" ? bridgedName(p.arguments) : p.name);
      }
    if (Array.isArray(m.tool_calls))
      for (const call of m.tool_calls) add((call as { function?: { name?: unknown } } | null)?.function?.name);
  }
  return Object.keys(counts).length > 0 ? { ...counts } : undefined;
}
