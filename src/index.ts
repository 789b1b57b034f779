// The plugin entry: wiring only, one host tool per bundle.
import { defineToolPlugin } from "openclaw/plugin-sdk/tool-plugin";
import { PluginConfigSchema } from "./config.js";
import { createPluginTool } from "./plugin/tools.js";
import { ALL_TOOLS } from "./tools/all-tools.js";

export default defineToolPlugin({
  id: "parallel-agents",
  name: "Parallel Agents",
  description: "Run many specialised AI sub-agents at once and get back every result, checked and structured.",
  configSchema: PluginConfigSchema,
  tools: (tool) =>
    ALL_TOOLS.map((bundle) => tool({ ...bundle.definition, factory: (context) => createPluginTool(bundle, context) })),
});
