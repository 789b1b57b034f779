// The refine_agent tool as the host sees it.
import { RefineAgentParams } from "./params.js";

export const refineAgentDefinition = {
  name: "refine_agent",
  label: "Refine agents",
  description:
    "Design new specialised agents, or improve existing agent types, by rounds of creator -> reviewer -> refiner until " +
    "the review score (computed from six dimensions) reaches the target (default 8.5, per agent `targetScore`; at most " +
    "maxRounds, default 3). The best design is saved as an agent type, usable at once by parallel_run. " +
    "`agents: [{ name, purpose, domain?, capabilities? }]` designs new types; `[{ type }]` improves an existing type " +
    "in place (same id and contract, next minor version, saved as the user's override; built-in files never change); " +
    "`[{ type, name }]` saves the improved type as a new one. Many agents are refined concurrently. `save: false` " +
    "returns the YAML only.",
  parameters: RefineAgentParams,
} as const;
