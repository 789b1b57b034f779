// A typed fake of api.runtime.subagent for unit tests of the OpenClaw adapter and the plugin tool (the real host runs in e2e).
import { vi } from "vitest";
import type { SubagentRuntime } from "../../src/host/openclaw-port.js";

export type Behaviour = {
  status: "ok" | "error" | "timeout" | "pending" | "hang";
  text?: string;
  error?: string /** subagent.run takes this long to return (a slow start). */;
  startDelayMs?: number;
  /** Tool calls the child makes before its answer, recorded in its transcript as the host does. */
  toolCalls?: Array<{ name: string; arguments?: unknown }>;
};

/** A typed fake of api.runtime.subagent: records every call; each run behaves as `behave(message)` says. */
export function fakeSubagent(behave: (message: string, attempt: number) => Behaviour) {
  const sessions = new Map<
    string,
    { runId: string; message: string; behaviour: Behaviour; deleted: boolean; release?: () => void }
  >();
  let runs = 0;
  const subagent = {
    run: vi.fn<SubagentRuntime["run"]>(async (params) => {
      runs++;
      const behaviour = behave(params.message, runs);
      if (behaviour.startDelayMs) await new Promise((r) => setTimeout(r, behaviour.startDelayMs));
      sessions.set(params.sessionKey, {
        runId: params.idempotencyKey ?? `run-${runs}`,
        message: params.message,
        behaviour,
        deleted: false,
      });
      return { runId: params.idempotencyKey ?? `run-${runs}`, sessionKey: params.sessionKey };
    }),
    waitForRun: vi.fn<SubagentRuntime["waitForRun"]>(async ({ runId }) => {
      const session = [...sessions.values()].find((s) => s.runId === runId)!;
      if (session.behaviour.status === "hang") {
        await new Promise<void>((resolve) => (session.release = resolve));
        return { status: "error", error: "aborted" };
      }
      if (session.behaviour.status === "pending") {
        session.behaviour = { status: "ok", text: session.behaviour.text };
        return { status: "pending" };
      }
      return {
        status: session.behaviour.status,
        error: session.behaviour.error,
        startedAt: Date.now(),
        endedAt: Date.now(),
      };
    }),
    getSessionMessages: vi.fn<SubagentRuntime["getSessionMessages"]>(async ({ sessionKey }) => ({
      messages: [
        { role: "user", content: "task" },
        ...(sessions.get(sessionKey)?.behaviour.toolCalls ?? []).flatMap((call, i) => [
          {
            role: "assistant",
            content: [{ type: "toolCall", id: `call-${i}`, name: call.name, arguments: call.arguments ?? {} }],
            stopReason: "toolUse",
          },
          { role: "toolResult", toolCallId: `call-${i}`, toolName: call.name, content: [{ type: "text", text: "r" }] },
        ]),
        {
          role: "assistant",
          content: [{ type: "text", text: sessions.get(sessionKey)?.behaviour.text ?? "" }],
          usage: { input: 10, output: 5, totalTokens: 15 },
        },
      ],
    })),
    deleteSession: vi.fn<SubagentRuntime["deleteSession"]>(async ({ sessionKey }) => {
      const session = sessions.get(sessionKey);
      if (session) {
        session.deleted = true;
        session.release?.();
      }
    }),
  } satisfies SubagentRuntime;
  return { subagent, sessions };
}
