// The orchestrate tool as the host sees it.
import { OrchestrateParams } from "./params.js";

export const orchestrateDefinition = {
  name: "orchestrate",
  label: "Orchestrate agents",
  description:
    "Turn a goal into a plan of specialised agent tasks with dependencies (checked before anything runs), run the tasks " +
    "in parallel waves, each receiving the outputs it depends on, and close with a synthesis that names what failed. " +
    "A plan still invalid after three planner attempts comes back refused (details.orchestrate.refused), nothing run. " +
    "Give `goal` (and `context`); `dryRun: true` returns only the plan; `maxTasks` (default 8, at most 20).",
  parameters: OrchestrateParams,
} as const;
