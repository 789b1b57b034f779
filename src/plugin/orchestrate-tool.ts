// orchestrate inside OpenClaw: same engine and port; children run without tools, so they cannot start agents of their own.
import { resolveConfig } from "../config.js";
import { createOpenClawPort } from "../host/openclaw-port.js";
import { userAgentsDir } from "../registry/catalogue-roots.js";
import { orchestrateDefinition } from "../tools/orchestrate/definition.js";
import { executeOrchestrate } from "../tools/orchestrate/execute.js";
import type { OrchestrateParamsT } from "../tools/orchestrate/params.js";
import { OrchestrateResultSchema } from "../tools/orchestrate/result-schema.js";
import type { ToolFactoryContext } from "./parallel-run-tool.js";
import { sharedRegistry } from "./shared-registry.js";
import { refusal } from "./tool-errors.js";

export function createOrchestrateTool({ api, config: rawConfig, toolContext }: ToolFactoryContext) {
  return {
    ...orchestrateDefinition,
    outputSchema: OrchestrateResultSchema,
    async execute(toolCallId: string, params: OrchestrateParamsT, signal?: AbortSignal, onUpdate?: (partial: { content: []; details: unknown; progress: { text: string; visibility: "channel"; privacy: "public"; id: string } }) => void) {
      let config;
      try {
        config = resolveConfig(rawConfig);
      } catch (error) {
        throw refusal("orchestrate", error);
      }
      const stateDir = api.runtime.state.resolveStateDir();
      const port = createOpenClawPort({ subagent: api.runtime.subagent, agentId: toolContext.agentId ?? "main", cleanup: config.cleanup, log: (m) => api.logger.warn(m) });
      try {
        const out = await executeOrchestrate(params, {
          config,
          registry: sharedRegistry({ promptDirs: config.promptDirs, stateDir }),
          port,
          userDir: userAgentsDir(stateDir),
          signal,
          onProgress: (text) => onUpdate?.({ content: [], details: null, progress: { text, visibility: "channel", privacy: "public", id: `orchestrate:${toolCallId}` } }),
        });
        return { content: [{ type: "text" as const, text: out.text }], details: out.details };
      } catch (error) {
        throw refusal("orchestrate", error);
      } finally {
        await port.flushCleanup();
      }
    },
  };
}
