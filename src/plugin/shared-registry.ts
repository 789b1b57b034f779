// One registry per set of folders for the plugin process, so every tool call sees the same (re-scanned) catalogue.
import { createRegistry, type Registry } from "../registry/create-registry.js";
import { catalogueRoots } from "../registry/catalogue-roots.js";

const registries = new Map<string, Registry>();

export function sharedRegistry(options: { promptDirs: readonly string[]; stateDir?: string }): Registry {
  const key = JSON.stringify([options.promptDirs, options.stateDir ?? null]);
  let registry = registries.get(key);
  if (!registry) {
    registry = createRegistry({ roots: catalogueRoots(options) });
    registries.set(key, registry);
  }
  return registry;
}
