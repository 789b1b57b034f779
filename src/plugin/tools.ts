// A tool bundle bound to the host: its host-independent execute behind createHostTool, with the OpenClaw ports.
import type { ToolBundle } from "../runs/tool-bundle.js";
import { parallelRunTool } from "../tools/parallel-run/tool.js";
import { createHostTool, type ToolFactoryContext } from "./host-tool.js";

export function createPluginTool<D>(bundle: ToolBundle<D>, context: ToolFactoryContext) {
  return createHostTool<unknown, D>(
    bundle.definition,
    bundle.resultSchema,
    (params, env) => bundle.execute(params, { ...env, portFor: env.port }),
    context,
  );
}

/** parallel_run bound to the host (the tool tests call most). */
export const createParallelRunTool = (context: ToolFactoryContext) => createPluginTool(parallelRunTool, context);
