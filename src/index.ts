// The plugin entry: wiring only. Tools are registered here once they work end to end.
import { defineToolPlugin } from "openclaw/plugin-sdk/tool-plugin";
import { PluginConfigSchema } from "./config.js";

export default defineToolPlugin({
  id: "parallel-agents",
  name: "Parallel Agents",
  description: "Run many specialised AI sub-agents at once and get back every result, checked and structured.",
  configSchema: PluginConfigSchema,
  tools: () => [],
});
