// The three tools bound to the host: each is its host-independent execute function behind createHostTool.
import { orchestrateDefinition } from "../tools/orchestrate/definition.js";
import { executeOrchestrate } from "../tools/orchestrate/execute.js";
import type { OrchestrateParamsT } from "../tools/orchestrate/params.js";
import { OrchestrateResultSchema } from "../tools/orchestrate/result-schema.js";
import { parallelRunDefinition } from "../tools/parallel-run/definition.js";
import { executeParallelRun, type ParallelRunOutput } from "../tools/parallel-run/execute.js";
import type { ParallelRunParamsT } from "../tools/parallel-run/params.js";
import { ParallelRunResultSchema } from "../tools/parallel-run/result-schema.js";
import { refineAgentDefinition } from "../tools/refine-agent/definition.js";
import { executeRefineAgent } from "../tools/refine-agent/execute.js";
import type { RefineAgentParamsT } from "../tools/refine-agent/params.js";
import { RefineAgentResultSchema } from "../tools/refine-agent/result-schema.js";
import { createHostTool, type ToolFactoryContext } from "./host-tool.js";

export const createParallelRunTool = (context: ToolFactoryContext) =>
  createHostTool<ParallelRunParamsT, ParallelRunOutput["details"]>(parallelRunDefinition, ParallelRunResultSchema, async (params, env) => {
    const out = await executeParallelRun(params, { ...env, port: (prepared) => env.port(prepared.cleanup) });
    return { text: out.text, details: out.details };
  }, context);

export const createRefineAgentTool = (context: ToolFactoryContext) =>
  createHostTool<RefineAgentParamsT, Awaited<ReturnType<typeof executeRefineAgent>>["details"]>(refineAgentDefinition, RefineAgentResultSchema, (params, env) => executeRefineAgent(params, { ...env, port: env.port(env.config.cleanup) }), context);

export const createOrchestrateTool = (context: ToolFactoryContext) =>
  createHostTool<OrchestrateParamsT, Awaited<ReturnType<typeof executeOrchestrate>>["details"]>(orchestrateDefinition, OrchestrateResultSchema, (params, env) => executeOrchestrate(params, { ...env, port: env.port(env.config.cleanup) }), context);
