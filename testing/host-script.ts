// The scripted model behind a real gateway: plays the host model (calls parallel_run, then answers with the tool's
// result) and every sub-agent (answers with a valid output for its agent type, or what the test says).
import type { AgentType } from "../src/registry/agent-type.js";
import { SAMPLE_OUTPUTS, identifyType } from "./sample-outputs.js";
import type { Reply, Script, ScriptRequest } from "./scripted-model-server.js";

export type HostScriptOptions = {
  types: ReadonlyMap<string, AgentType>;
  /** Arguments the host model passes to parallel_run. */
  toolArgs: unknown;
  /** Answer of a sub-agent; default: a valid sample output for its type. */
  child?: (type: string, request: ScriptRequest) => Reply;
  /** Latency of every sub-agent answer. */
  childDelayMs?: number;
};

export function isHostRequest(request: ScriptRequest): boolean {
  return Array.isArray(request.body.tools) && (request.body.tools as unknown[]).length > 0;
}

/** A chat message's text, whether its content is a string or text parts. */
export function messageText(message: { content?: unknown }): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content))
    return (message.content as Array<{ text?: string }>).map((p) => p.text ?? "").join("");
  return "";
}

export function hostScript(options: HostScriptOptions): Script {
  return (request) => {
    if (isHostRequest(request)) {
      const last = lastConversationMessage(request);
      if (last.role === "tool") return { text: `Here is what the agents produced:\n${messageText(last)}` };
      const tools = (request.body.tools as Array<{ function?: { name?: string } }>).map((t) => t.function?.name);
      if (tools.includes("parallel_run")) return { toolCalls: [{ name: "parallel_run", arguments: options.toolArgs }] };
      if (tools.includes("tool_call"))
        return { toolCalls: [{ name: "tool_call", arguments: { id: "parallel_run", args: options.toolArgs } }] };
      throw new Error(`host request without parallel_run or tool_call among ${tools.length} tools`);
    }
    const type = identifyType(request.system, options.types);
    if (!type) throw new Error("a sub-agent request whose agent type cannot be identified");
    const reply = options.child ? options.child(type, request) : { json: SAMPLE_OUTPUTS[type] };
    return { delayMs: options.childDelayMs, ...reply };
  };
}

/** The last message of the conversation, looking past the internal-context user block OpenClaw appends. */
export function lastConversationMessage(request: ScriptRequest): { role: string; content?: unknown } {
  const messages = request.body.messages as Array<{ role: string; content?: unknown }>;
  return [...messages]
    .reverse()
    .find((m) => !(m.role === "user" && messageText(m).trimStart().startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT")))!;
}
