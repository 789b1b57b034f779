// The scripted model behind a real gateway: plays the host model (calls parallel_run, then answers with the tool's
// result) and every sub-agent (answers with a valid output for its agent type, or what the test says).
import type { AgentType } from "../../src/registry/agent-type.js";
import { SAMPLE_OUTPUTS, identifyType } from "../helpers/sample-outputs.js";
import type { Reply, Script, ScriptRequest } from "../helpers/scripted-model-server.js";

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

function toolResultText(message: { content?: unknown }): string {
  if (typeof message.content === "string") return message.content;
  if (Array.isArray(message.content)) return (message.content as Array<{ text?: string }>).map((p) => p.text ?? "").join("");
  return "";
}

export function hostScript(options: HostScriptOptions): Script {
  return (request) => {
    if (isHostRequest(request)) {
      const messages = request.body.messages as Array<{ role: string; content?: unknown }>;
      // OpenClaw appends an internal-context user block after the conversation: look past it.
      const last = [...messages].reverse().find((m) => !(m.role === "user" && toolResultText(m).trimStart().startsWith("<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT")))!;
      if (last.role === "tool") return { text: `Here is what the agents produced:\n${toolResultText(last)}` };
      const tools = (request.body.tools as Array<{ function?: { name?: string } }>).map((t) => t.function?.name);
      if (tools.includes("parallel_run")) return { toolCalls: [{ name: "parallel_run", arguments: options.toolArgs }] };
      if (tools.includes("tool_call")) return { toolCalls: [{ name: "tool_call", arguments: { id: "parallel_run", args: options.toolArgs } }] };
      throw new Error(`host request without parallel_run or tool_call among ${tools.length} tools`);
    }
    const type = identifyType(request.system, options.types);
    if (!type) throw new Error("a sub-agent request whose agent type cannot be identified");
    const reply = options.child ? options.child(type, request) : { json: SAMPLE_OUTPUTS[type] };
    return { delayMs: options.childDelayMs, ...reply };
  };
}
