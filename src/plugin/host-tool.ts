// One wrapper for every tool inside OpenClaw: config checked, the catalogue and an OpenClaw port bound to the calling
// agent, progress through onUpdate, refusals as clear errors, and child sessions cleaned up before the call returns.
import type { OpenClawPluginApi, OpenClawPluginToolContext } from "openclaw/plugin-sdk/core";
import path from "node:path";
import type { TSchema } from "@sinclair/typebox";
import { resolveConfig, type ResolvedConfig } from "../config.js";
import type { SessionPort } from "../engine/port.js";
import { createModelGate, type ModelGate } from "../host/model-gate.js";
import { createOpenClawLlmPort } from "../host/openclaw-llm-port.js";
import { createOpenClawPort, isOurChild, type OpenClawPort } from "../host/openclaw-port.js";
import { UserInputError } from "../errors.js";
import { createSessionLedger, type SessionLedger } from "../host/session-ledger.js";
import { createOverrideGuard, deriveHostLadder, hostModels, type OverrideGuard } from "../host/host-ladder.js";
import { hostPriceTable, withPrices } from "../runs/prices.js";
import type { CallLadder } from "../runs/run-deps.js";
import { userAgentsDir } from "../registry/catalogue-roots.js";
import type { Registry } from "../registry/create-registry.js";
import { sharedRegistry } from "./shared-registry.js";
import { refusal } from "./tool-errors.js";

export type ToolFactoryContext = { api: OpenClawPluginApi; config: unknown; toolContext: OpenClawPluginToolContext };

type Progress = {
  content: [];
  details: unknown;
  progress: { text: string; visibility: "channel"; privacy: "public"; id: string };
};

export type HostToolRun<P, D> = (
  params: P,
  env: {
    config: ResolvedConfig;
    registry: Registry;
    userDir: string;
    journalDir: string;
    owner: string;
    /** Agents can run with the host's tools here (OpenClaw sub-agent sessions). */
    hostTools: true;
    /** The host's primary model and fallbacks as a ladder, where the host allows per-run models. */
    defaultLadder: CallLadder;
    /** What the host model should read about this call's models (a refused override, an unusable ladder). */
    hostNotes: (ladder?: CallLadder) => string[];
    signal?: AbortSignal;
    onProgress: (text: string) => void;
    port: (cleanup: "delete" | "keep") => SessionPort;
  },
) => Promise<{ text: string; details: D }>;

// One of each per gateway process, shared by every call of every tool: the per-model cap of host completions, and the
// plugin's share of the host's sub-agent lane.
const gates = new Map<string, ModelGate>();
function sharedGate(kind: "model" | "lane", size: number): ModelGate {
  const key = `${kind}:${size}`;
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = createModelGate({ perModel: size })));
  return gate;
}
const ledgers = new Map<string, SessionLedger>();
function sharedLedger(stateDir: string, keep: number): SessionLedger {
  const key = `${stateDir}:${keep}`;
  let ledger = ledgers.get(key);
  if (!ledger)
    ledgers.set(
      key,
      (ledger = createSessionLedger({
        file: path.join(stateDir, "parallel-agents", "child-sessions.json"),
        keep,
        maxAgeMs: SESSION_MAX_AGE_MS,
      })),
    );
  return ledger;
}
const SESSION_MAX_AGE_MS = 24 * 3600_000;
// Per plugin registration (its `api`: one per plugin registry of the gateway), remembered across calls: what the host refused about per-run models, per
// runtime (see OverrideGuard), and whether the note about an unusable ladder in the host config was said (once).
type ModelMemory = { guards: Record<"llm" | "subagent", OverrideGuard>; ladderNoteSaid: boolean };
const modelMemories = new WeakMap<object, ModelMemory>();
function modelMemory(api: object): ModelMemory {
  let memory = modelMemories.get(api);
  if (!memory)
    modelMemories.set(
      api,
      (memory = {
        guards: { llm: createOverrideGuard("llm"), subagent: createOverrideGuard("subagent") },
        ladderNoteSaid: false,
      }),
    );
  return memory;
}

/** The host's sub-agent lane cap, `agents.defaults.subagents.maxConcurrent` (OpenClaw's default 8). */
export function hostLaneCap(config: unknown): number {
  const value = (config as { agents?: { defaults?: { subagents?: { maxConcurrent?: unknown } } } } | undefined)?.agents
    ?.defaults?.subagents?.maxConcurrent;
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : 8;
}

export function createHostTool<P, D>(
  definition: { name: string; label: string; description: string; parameters: TSchema },
  outputSchema: TSchema,
  run: HostToolRun<P, D>,
  { api, config: rawConfig, toolContext }: ToolFactoryContext,
) {
  return {
    ...definition,
    outputSchema,
    // Offered directly (never through the Tool Search bridge) when the user chose it: checked leniently here, and
    // strictly with every other key when the tool runs.
    ...((rawConfig as { offerDirectly?: unknown } | undefined)?.offerDirectly === true
      ? { catalogMode: "direct-only" as const }
      : {}),
    async execute(toolCallId: string, params: P, signal?: AbortSignal, onUpdate?: (partial: Progress) => void) {
      let config: ResolvedConfig;
      try {
        config = resolveConfig(rawConfig);
      } catch (error) {
        throw refusal(definition.name, error);
      }
      // A child of ours with the host's tools can reach this plugin's tools (through tool search, or a user's policy
      // that allows them): it may not start agents of its own (no fan-out inside a fan-out; the host does not count
      // these as spawns, so nothing else would bound the depth).
      if (isOurChild(toolContext.sessionKey))
        throw refusal(
          definition.name,
          new UserInputError({
            field: "session",
            value: toolContext.sessionKey,
            message: "this session is an agent started by parallel-agents, and such agents cannot start agents",
            fix: "do the work in this agent, or return and let the calling agent start more",
          }),
        );
      const stateDir = api.runtime.state.resolveStateDir();
      const hostConfig =
        toolContext.getRuntimeConfig?.() ?? toolContext.runtimeConfig ?? toolContext.config ?? api.config;
      const agentId = toolContext.agentId ?? "main";
      const memory = modelMemory(api);
      for (const guard of Object.values(memory.guards)) guard.sync(hostConfig);
      const overrides = { llm: memory.guards.llm.forCall(), subagent: memory.guards.subagent.forCall() };
      const prices = hostPriceTable(hostConfig);
      const leanRuntime = config.childRuntime === "completion" ? "llm" : "subagent";
      const hostLadder = deriveHostLadder({ hostConfig, agentId, prices, runtimes: [leanRuntime] });
      const ports: OpenClawPort[] = [];
      try {
        const out = await run(params, {
          config,
          registry: sharedRegistry({ promptDirs: config.promptDirs, stateDir }),
          userDir: userAgentsDir(stateDir),
          journalDir: path.join(stateDir, "parallel-agents", "runs"),
          owner: toolContext.agentId ?? "main",
          signal,
          onProgress: (text) =>
            onUpdate?.({
              content: [],
              details: null,
              progress: { text, visibility: "channel", privacy: "public", id: `${definition.name}:${toolCallId}` },
            }),
          hostTools: true,
          defaultLadder: hostLadder,
          hostNotes: (ladder) => {
            const notes = [...new Set([leanRuntime, "subagent"] as const)].map((r) => overrides[r].note());
            // an unusable ladder in the host config is worth saying when the call used the host's model
            if (hostLadder.note && !memory.ladderNoteSaid && (ladder?.models.length ?? 0) === 0) {
              memory.ladderNoteSaid = true;
              notes.push(hostLadder.note);
            }
            return notes.filter((n): n is string => n !== undefined);
          },
          port: (cleanup) => {
            const sessions = (disableTools: boolean) => {
              const lane = hostLaneCap(hostConfig);
              const port = createOpenClawPort({
                subagent: api.runtime.subagent,
                agentId,
                cleanup,
                disableTools,
                laneGate: sharedGate("lane", Math.max(1, lane - config.laneReserve)),
                ledger: sharedLedger(stateDir, config.keepSessions),
                log: (m) => api.logger.warn(m),
                overrides: overrides.subagent,
              });
              ports.push(port);
              return port;
            };
            // Agents with tools are sub-agent sessions on the host's normal sub-agent tool surface; the rest run as
            // the config says (host completions by default).
            const withTools = config.allowTools ? { withTools: sessions(false) } : {};
            const lean =
              config.childRuntime === "completion"
                ? createOpenClawLlmPort({
                    llm: api.runtime.llm,
                    gate: sharedGate("model", config.maxConcurrentPerModel),
                    overrides: overrides.llm,
                  })
                : sessions(true);
            // Answers the host left unpriced (sub-agent sessions) are priced from its own model catalogue.
            return withPrices({ ...lean, ...withTools }, prices, { defaultModel: hostModels(hostConfig, agentId)[0] });
          },
        });
        return { content: [{ type: "text" as const, text: out.text }], details: out.details };
      } catch (error) {
        throw refusal(definition.name, error);
      } finally {
        // Children may only be deleted while this tool call's authority is active (a delete after the call returns
        // fails with "authority expired"): finish the deferred deletes before returning.
        await Promise.all(ports.map((p) => p.flushCleanup()));
      }
    },
  };
}
