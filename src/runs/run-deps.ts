// What every tool's host-independent execute function is given (the run layer's inputs).
import type { ResolvedConfig } from "../config.js";
import type { Registry } from "../registry/create-registry.js";
import type { ToolAccess } from "./prepare-agent.js";

export type ToolDeps = {
  config: ResolvedConfig;
  registry: Registry;
  /** The user's drop-in folder, where generated agent types are saved. */
  userDir: string;
  signal?: AbortSignal;
  /** Called with short public progress lines. */
  onProgress?: (text: string) => void;
  runId?: string;
  /** The calling agent (inside OpenClaw): recorded in the journal, so `resume: "latest"` finds its own runs. */
  owner?: string;
  /** Secret values (e.g. the API key in use) kept out of run journals. */
  journalSecrets?: ReadonlyArray<string | undefined>;
  /** True where the runtime can give agents the host's tools (inside OpenClaw); the terminal's endpoint cannot. */
  hostTools?: boolean;
  /** Engine backoff of same-model retries (tests shorten it). */
  backoff?: { baseMs: number; maxMs: number };
  /** The ladder when neither the call nor the plugin config names models (inside OpenClaw: from the host's config). */
  defaultLadder?: CallLadder;
  /**
   * Lines the host model should read about this call's runtime (e.g. the setting that allows per-run models), given
   * the ladder the call ran: asked once the agents have run.
   */
  hostNotes?: (ladder?: CallLadder) => string[];
};

/** A call's model ladder (empty: the runtime's default model only) and where it came from, as the result says it. */
export type CallLadder = { models: readonly string[]; source: string };

/** The call's ladder: its own `models`, else the plugin config's, else the runtime's default ladder. */
export function resolveCallLadder(
  models: readonly string[] | undefined,
  deps: Pick<ToolDeps, "config" | "defaultLadder">,
): CallLadder {
  if (models) return { models, source: "the call's models" };
  if (deps.config.models.length > 0) return { models: deps.config.models, source: "the plugin config's models" };
  if (deps.defaultLadder && deps.defaultLadder.models.length > 0) return deps.defaultLadder;
  return { models: [], source: "the host's default model" };
}

/** Whether this call's agents may use the host's tools: the runtime must offer them and the config allow them. */
export function toolAccess(deps: Pick<ToolDeps, "config" | "hostTools">): ToolAccess {
  return { runtime: deps.hostTools === true, allowed: deps.config.allowTools };
}
