// The parallel_run tool as the host sees it: name, description and parameters (one object, spread into metadata and runtime).
import { ParallelRunParams } from "./params.js";

export const parallelRunDefinition = {
  name: "parallel_run",
  label: "Parallel agents",
  description:
    "Run many specialised AI sub-agents at once and get every result back, validated against its agent type's schema. " +
    "Give `agents: [{ type, task, input? }]` (types from the catalogue, e.g. content_writer_funny, code_reviewer, " +
    'backend_developer) or a team preset: `team: { preset: "content", topic, platform }`, `{ preset: "dev", appName, features }`, ' +
    '`{ preset: "review", code }`, `{ preset: "meta", agents: [{ name, purpose }] }`. Returns each agent\'s outcome ' +
    "(ok, invalid, failed, timeout, cancelled, skipped) and output. Use for 3+ independent pieces of work, not for one simple answer.",
  parameters: ParallelRunParams,
} as const;
