// Dependency bookkeeping in O(edges): how many dependencies each agent still waits for, and who waits on whom.
import type { PreparedAgent } from "./run-types.js";

export type DependencyGraph = {
  /** Agents with nothing left to wait for, in order, once the done ones are marked. */
  initiallyReady: (isDone: (index: number) => boolean) => number[];
  /** The dependents of `index`, for the scheduler to ready (when it ended ok) or skip (when it did not). */
  dependentsOf: (index: number) => readonly number[];
  /** One dependency of `index` ended ok; true when it now waits for nothing. */
  satisfy: (index: number) => boolean;
  dependenciesOf: (index: number) => readonly number[];
};

export function createDependencyGraph(agents: readonly PreparedAgent[]): DependencyGraph {
  const waitingOn = agents.map((a) => new Set(a.dependsOn ?? []).size);
  const dependents: number[][] = agents.map(() => []);
  agents.forEach((a, i) => {
    for (const d of new Set(a.dependsOn ?? [])) dependents[d]?.push(i);
  });
  return {
    initiallyReady: (isDone) => agents.flatMap((_, i) => (!isDone(i) && waitingOn[i] === 0 ? [i] : [])),
    dependentsOf: (index) => dependents[index] ?? [],
    satisfy: (index) => --waitingOn[index]! === 0,
    dependenciesOf: (index) => agents[index]!.dependsOn ?? [],
  };
}
