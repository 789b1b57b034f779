// The three tools, in the order the host lists them; orchestrate creates missing types with refine_agent.
import type { ToolBundle } from "../runs/tool-bundle.js";
import { createOrchestrateTool } from "./orchestrate/tool.js";
import type { CreateAgentTypes } from "./orchestrate/execute.js";
import { parallelRunTool } from "./parallel-run/tool.js";
import { executeRefineAgent } from "./refine-agent/execute.js";
import { refineAgentTool } from "./refine-agent/tool.js";

/** refine_agent behind orchestrate's allowCreateTypes. */
export const createTypesWithRefine: CreateAgentTypes = (requests, deps) => executeRefineAgent(requests, deps);

export const ALL_TOOLS: readonly ToolBundle[] = [
  parallelRunTool,
  refineAgentTool,
  createOrchestrateTool(createTypesWithRefine),
];
