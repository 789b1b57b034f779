// The plugin entry: wiring only. Each tool is registered here once it works end to end.
import { defineToolPlugin } from "openclaw/plugin-sdk/tool-plugin";
import { PluginConfigSchema } from "./config.js";
import { createOrchestrateTool, createParallelRunTool, createRefineAgentTool } from "./plugin/tools.js";
import { orchestrateDefinition } from "./tools/orchestrate/definition.js";
import { parallelRunDefinition } from "./tools/parallel-run/definition.js";
import { refineAgentDefinition } from "./tools/refine-agent/definition.js";

export default defineToolPlugin({
  id: "parallel-agents",
  name: "Parallel Agents",
  description: "Run many specialised AI sub-agents at once and get back every result, checked and structured.",
  configSchema: PluginConfigSchema,
  tools: (tool) => [
    tool({ ...parallelRunDefinition, factory: (context) => createParallelRunTool(context) }),
    tool({ ...refineAgentDefinition, factory: (context) => createRefineAgentTool(context) }),
    tool({ ...orchestrateDefinition, factory: (context) => createOrchestrateTool(context) }),
  ],
});
