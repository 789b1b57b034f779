// parallel_run as one bundle: definition, result schema, execute.
import type { ToolBundle } from "../../runs/tool-bundle.js";
import { parallelRunDefinition } from "./definition.js";
import { executeParallelRun } from "./execute.js";
import { ParallelRunResultSchema } from "./result-schema.js";

export const parallelRunTool = {
  definition: parallelRunDefinition,
  resultSchema: ParallelRunResultSchema,
  execute: async (params, deps) => {
    const out = await executeParallelRun(params, { ...deps, port: (prepared) => deps.portFor(prepared.cleanup) });
    return { text: out.text, details: out.details };
  },
} satisfies ToolBundle;
