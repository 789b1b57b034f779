// The refine_agent tool as the host sees it.
import { RefineAgentParams } from "./params.js";

export const refineAgentDefinition = {
  name: "refine_agent",
  label: "Refine agents",
  description:
    "Design new specialised agents, or improve existing agent types, by rounds of creator -> reviewer -> refiner until " +
    "the review score (computed from six dimensions) reaches the target (default 8.5, at most maxRounds, default 3). " +
    "The best design is saved as a new agent type, usable at once by parallel_run. Give `agents: [{ name, purpose, " +
    "domain?, capabilities? }]` or `[{ type }]`; many agents are refined concurrently. `save: false` returns the YAML only.",
  parameters: RefineAgentParams,
} as const;
