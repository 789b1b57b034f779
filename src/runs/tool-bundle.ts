// What each tool folder exports: the tool as the host sees it (definition with parameters, result schema) and its
// host-independent execute. The plugin entry, its wiring and the manifest builder loop over the list of bundles.
import type { TSchema } from "@sinclair/typebox";
import type { SessionPort } from "../engine/port.js";
import type { ToolDeps } from "./run-deps.js";

/** What a bundle's execute is given: the run layer's inputs, a port for the call's cleanup mode, and journals. */
export type BundleDeps = ToolDeps & { portFor: (cleanup: "delete" | "keep") => SessionPort; journalDir?: string };

export type ToolBundle<Details = unknown> = {
  definition: { name: string; label: string; description: string; parameters: TSchema };
  resultSchema: TSchema;
  execute: (params: unknown, deps: BundleDeps) => Promise<{ text: string; details: Details }>;
};
