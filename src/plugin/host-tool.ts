// One wrapper for every tool inside OpenClaw: config checked, the catalogue and an OpenClaw port bound to the calling
// agent, progress through onUpdate, refusals as clear errors, and child sessions cleaned up before the call returns.
import type { OpenClawPluginApi, OpenClawPluginToolContext } from "openclaw/plugin-sdk/core";
import path from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import type { SessionPort } from "../engine/port.js";
import { createModelGate, type ModelGate } from "../host/model-gate.js";
import { createOpenClawLlmPort } from "../host/openclaw-llm-port.js";
import { createOpenClawPort, type OpenClawPort } from "../host/openclaw-port.js";
import { userAgentsDir } from "../registry/catalogue-roots.js";
import type { Registry } from "../registry/create-registry.js";
import { sharedRegistry } from "./shared-registry.js";
import { refusal } from "./tool-errors.js";

export type ToolFactoryContext = { api: OpenClawPluginApi; config: unknown; toolContext: OpenClawPluginToolContext };

type Progress = { content: []; details: unknown; progress: { text: string; visibility: "channel"; privacy: "public"; id: string } };

export type HostToolRun<P, D> = (
  params: P,
  env: { config: ResolvedConfig; registry: Registry; userDir: string; journalDir: string; signal?: AbortSignal; onProgress: (text: string) => void; port: (cleanup: "delete" | "keep") => SessionPort },
) => Promise<{ text: string; details: D }>;

// One gate per gateway process: every call of every tool shares the per-model cap.
let modelGate: { perModel: number; gate: ModelGate } | undefined;
function sharedModelGate(perModel: number): ModelGate {
  if (modelGate?.perModel !== perModel) modelGate = { perModel, gate: createModelGate({ perModel }) };
  return modelGate.gate;
}

export function createHostTool<P, D>(
  definition: { name: string; label: string; description: string; parameters: TSchema },
  outputSchema: TSchema,
  run: HostToolRun<P, D>,
  { api, config: rawConfig, toolContext }: ToolFactoryContext,
) {
  return {
    ...definition,
    outputSchema,
    async execute(toolCallId: string, params: P, signal?: AbortSignal, onUpdate?: (partial: Progress) => void) {
      let config: ResolvedConfig;
      try {
        config = resolveConfig(rawConfig);
      } catch (error) {
        throw refusal(definition.name, error);
      }
      const stateDir = api.runtime.state.resolveStateDir();
      const ports: OpenClawPort[] = [];
      try {
        const out = await run(params, {
          config,
          registry: sharedRegistry({ promptDirs: config.promptDirs, stateDir }),
          userDir: userAgentsDir(stateDir),
          journalDir: path.join(stateDir, "parallel-agents", "runs"),
          signal,
          onProgress: (text) => onUpdate?.({ content: [], details: null, progress: { text, visibility: "channel", privacy: "public", id: `${definition.name}:${toolCallId}` } }),
          port: (cleanup) => {
            if (config.childRuntime === "completion") return createOpenClawLlmPort({ llm: api.runtime.llm, gate: sharedModelGate(config.maxConcurrentPerModel) });
            const port = createOpenClawPort({ subagent: api.runtime.subagent, agentId: toolContext.agentId ?? "main", cleanup, log: (m) => api.logger.warn(m) });
            ports.push(port);
            return port;
          },
        });
        return { content: [{ type: "text" as const, text: out.text }], details: out.details };
      } catch (error) {
        throw refusal(definition.name, error);
      } finally {
        // Children may only be deleted while this tool call's authority is active (a delete after the call returns
        // fails with "authority expired"): finish the deferred deletes before returning.
        await Promise.all(ports.map((p) => p.flushCleanup()));
      }
    },
  };
}
