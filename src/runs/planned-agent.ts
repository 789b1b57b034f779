// One agent a tool plans to run, before it is checked and rendered: what parallel_run's agents and teams, refine_agent's
// steps and orchestrate's tasks all become.
import type { AgentResult } from "../engine/outcome.js";
import type { OutputFormatName, ToolsSettingName } from "../registry/agent-type-schema.js";

export type PlannedAgent = {
  type: string;
  task: string;
  input?: Record<string, unknown>;
  label?: string;
  model?: string;
  timeoutSeconds?: number;
  /** A JSON Schema for this agent's answer (from the call), replacing the type's output contract. */
  outputSchema?: Record<string, unknown>;
  /** The answer's format (from the call); json when outputSchema is given. */
  outputFormat?: OutputFormatName;
  /** Candidates to run and judge, keeping the best (parallel_run's bestOf). */
  bestOf?: number;
  /** Whether the agent runs with the host's tools (from the call); default: its type's setting, else none. */
  tools?: ToolsSettingName;
  /** Indexes (in the planned list) of agents whose ok result this one needs. */
  dependsOn?: number[];
  /** Builds the input from the dependencies' results, once they are ok (merged over `input`). */
  inputFrom?: (dependencies: AgentResult[]) => Record<string, unknown>;
  /** Parameter path for error messages, e.g. `agents[2]` or `team.agents[0]`. */
  field: string;
};
