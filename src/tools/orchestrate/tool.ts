// orchestrate as one bundle: definition, result schema, execute (types a plan needs are created by whatever the wiring
// passes as createAgentTypes).
import type { ToolBundle } from "../../runs/tool-bundle.js";
import { orchestrateDefinition } from "./definition.js";
import { executeOrchestrate, type CreateAgentTypes } from "./execute.js";
import { OrchestrateResultSchema } from "./result-schema.js";

export function createOrchestrateTool(createAgentTypes?: CreateAgentTypes) {
  return {
    definition: orchestrateDefinition,
    resultSchema: OrchestrateResultSchema,
    execute: (params, deps) =>
      executeOrchestrate(params, {
        ...deps,
        port: deps.portFor(deps.config.cleanup),
        ...(createAgentTypes ? { createAgentTypes } : {}),
      }),
  } satisfies ToolBundle;
}
