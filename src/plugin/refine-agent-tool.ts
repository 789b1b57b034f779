// refine_agent inside OpenClaw: the same engine and port as parallel_run; saves into the user's drop-in folder.
import { resolveConfig } from "../config.js";
import { createOpenClawPort } from "../host/openclaw-port.js";
import { userAgentsDir } from "../registry/catalogue-roots.js";
import { refineAgentDefinition } from "../tools/refine-agent/definition.js";
import { executeRefineAgent } from "../tools/refine-agent/execute.js";
import type { RefineAgentParamsT } from "../tools/refine-agent/params.js";
import { RefineAgentResultSchema } from "../tools/refine-agent/result-schema.js";
import type { ToolFactoryContext } from "./parallel-run-tool.js";
import { sharedRegistry } from "./shared-registry.js";
import { refusal } from "./tool-errors.js";

export function createRefineAgentTool({ api, config: rawConfig, toolContext }: ToolFactoryContext) {
  return {
    ...refineAgentDefinition,
    outputSchema: RefineAgentResultSchema,
    async execute(toolCallId: string, params: RefineAgentParamsT, signal?: AbortSignal, onUpdate?: (partial: { content: []; details: unknown; progress: { text: string; visibility: "channel"; privacy: "public"; id: string } }) => void) {
      let config;
      try {
        config = resolveConfig(rawConfig);
      } catch (error) {
        throw refusal("refine_agent", error);
      }
      const stateDir = api.runtime.state.resolveStateDir();
      const port = createOpenClawPort({ subagent: api.runtime.subagent, agentId: toolContext.agentId ?? "main", cleanup: config.cleanup, log: (m) => api.logger.warn(m) });
      try {
        const out = await executeRefineAgent(params, {
          config,
          registry: sharedRegistry({ promptDirs: config.promptDirs, stateDir }),
          port,
          userDir: userAgentsDir(stateDir),
          signal,
          onProgress: (text) => onUpdate?.({ content: [], details: null, progress: { text, visibility: "channel", privacy: "public", id: `refine_agent:${toolCallId}` } }),
        });
        return { content: [{ type: "text" as const, text: out.text }], details: out.details };
      } catch (error) {
        throw refusal("refine_agent", error);
      } finally {
        await port.flushCleanup();
      }
    },
  };
}
