// One agent of a known type, run to its final outcome: the steps of refine_agent (creator, reviewer, refiner) and
// orchestrate's planner and synthesizer.
import type { AgentResult } from "../engine/outcome.js";
import { runAgents } from "../engine/scheduler.js";
import type { AgentType } from "../registry/agent-type.js";
import { buildPreparedAgent } from "./prepare-agent.js";
import type { ToolDeps } from "./run-deps.js";
import type { SessionPort } from "../engine/port.js";

export type RunOneOptions = {
  deps: Pick<ToolDeps, "config" | "signal" | "backoff"> & { port: SessionPort };
  type: AgentType;
  input: Record<string, unknown>;
  task: string;
  /** Names the agent in results and progress; also part of its run id. */
  label: string;
  ladder: readonly string[];
  runId: string;
  /** Its place among the tool's steps: the agent's id is `agent-<index + 1>`. @default 0 */
  index?: number;
};

export async function runOneAgent(options: RunOneOptions): Promise<AgentResult> {
  const { deps, type, label } = options;
  const agent = buildPreparedAgent({
    plan: { type: type.def.id, task: options.task, input: options.input, label, field: label },
    type,
    index: options.index ?? 0,
    ladder: options.ladder,
    timeoutSeconds: deps.config.timeoutSeconds,
  });
  const run = await runAgents({
    runId: options.runId,
    port: deps.port,
    agents: [agent],
    maxConcurrent: 1,
    retries: deps.config.retries,
    maxOutputBytes: deps.config.maxOutputBytes,
    signal: deps.signal,
    backoff: deps.backoff,
  });
  return run.agents[0]!;
}
