// refine_agent as one bundle: definition, result schema, execute.
import type { ToolBundle } from "../../runs/tool-bundle.js";
import { refineAgentDefinition } from "./definition.js";
import { executeRefineAgent } from "./execute.js";
import { RefineAgentResultSchema } from "./result-schema.js";

export const refineAgentTool = {
  definition: refineAgentDefinition,
  resultSchema: RefineAgentResultSchema,
  execute: (params, deps) => executeRefineAgent(params, { ...deps, port: deps.portFor(deps.config.cleanup) }),
} satisfies ToolBundle;
