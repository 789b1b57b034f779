// parallel_run inside OpenClaw: binds the engine to the calling session's sub-agent runtime and reports progress.
import type { OpenClawPluginApi, OpenClawPluginToolContext } from "openclaw/plugin-sdk/core";
import { resolveConfig } from "../config.js";
import { createOpenClawPort, type OpenClawPort } from "../host/openclaw-port.js";
import { parallelRunDefinition } from "../tools/parallel-run/definition.js";
import { executeParallelRun } from "../tools/parallel-run/execute.js";
import { ParallelRunResultSchema } from "../tools/parallel-run/result-schema.js";
import type { ParallelRunParamsT } from "../tools/parallel-run/params.js";
import { sharedRegistry } from "./shared-registry.js";
import { refusal } from "./tool-errors.js";

export type ToolFactoryContext = { api: OpenClawPluginApi; config: unknown; toolContext: OpenClawPluginToolContext };

export function createParallelRunTool({ api, config: rawConfig, toolContext }: ToolFactoryContext) {
  return {
    ...parallelRunDefinition,
    outputSchema: ParallelRunResultSchema,
    async execute(toolCallId: string, params: ParallelRunParamsT, signal?: AbortSignal, onUpdate?: (partial: { content: []; details: unknown; progress: { text: string; visibility: "channel"; privacy: "public"; id: string } }) => void) {
      let config;
      try {
        config = resolveConfig(rawConfig);
      } catch (error) {
        throw refusal("parallel_run", error);
      }
      const registry = sharedRegistry({ promptDirs: config.promptDirs, stateDir: api.runtime.state.resolveStateDir() });
      const progressId = `parallel_run:${toolCallId}`;
      let port: OpenClawPort | undefined;
      try {
        const out = await executeParallelRun(params, {
          config,
          registry,
          signal,
          port: (prepared) => (port = createOpenClawPort({ subagent: api.runtime.subagent, agentId: toolContext.agentId ?? "main", cleanup: prepared.cleanup, log: (m) => api.logger.warn(m) })),
          onProgress: (text) => onUpdate?.({ content: [], details: null, progress: { text, visibility: "channel", privacy: "public", id: progressId } }),
        });
        return { content: [{ type: "text" as const, text: out.text }], details: out.details };
      } catch (error) {
        throw refusal("parallel_run", error);
      } finally {
        // Children may only be deleted while this tool call's authority is active (a delete after the call returns
        // fails with "authority expired"): finish the deferred deletes before returning.
        await port?.flushCleanup();
      }
    },
  };
}
