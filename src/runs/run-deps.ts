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
};

/** Whether this call's agents may use the host's tools: the runtime must offer them and the config allow them. */
export function toolAccess(deps: Pick<ToolDeps, "config" | "hostTools">): ToolAccess {
  return { runtime: deps.hostTools === true, allowed: deps.config.allowTools };
}
