// Wires a real scripted model server, the HTTP port and the registry (built-ins + test fixtures) for tool-level tests.
import path from "node:path";
import { CONFIG_DEFAULTS, type ResolvedConfig } from "../../src/config.js";
import { createRegistry, type Registry } from "../../src/registry/create-registry.js";
import { catalogueRoots } from "../../src/registry/catalogue-roots.js";
import { createOpenAiHttpPort } from "../../src/host/openai-http-port.js";
import { executeParallelRun, type ParallelRunDeps } from "../../src/tools/parallel-run/execute.js";
import { executeRefineAgent } from "../../src/tools/refine-agent/execute.js";
import { executeOrchestrate } from "../../src/tools/orchestrate/execute.js";
import { createTypesWithRefine } from "../../src/tools/all-tools.js";
import {
  startScriptedModelServer,
  type Reply,
  type Script,
  type ScriptRequest,
  type ScriptedModelServer,
} from "../../testing/scripted-model-server.js";
import { FIXTURES } from "./registry.js";

export type Harness = {
  server: ScriptedModelServer;
  registry: Registry;
  config: ResolvedConfig;
  run: (params: unknown, deps?: Partial<ParallelRunDeps>) => ReturnType<typeof executeParallelRun>;
  refine: (
    params: unknown,
    userDir: string,
    extra?: { journalDir?: string; signal?: AbortSignal },
  ) => ReturnType<typeof executeRefineAgent>;
  orchestrate: (
    params: unknown,
    userDir?: string,
    extra?: { journalDir?: string; signal?: AbortSignal },
  ) => ReturnType<typeof executeOrchestrate>;
  close: () => Promise<void>;
};

export async function startHarness(
  script: Script,
  options: { config?: Partial<ResolvedConfig>; stream?: boolean; promptDirs?: string[] } = {},
): Promise<Harness> {
  const server = await startScriptedModelServer(script);
  const registry = createRegistry({
    roots: catalogueRoots({ promptDirs: [path.join(FIXTURES, "agents"), ...(options.promptDirs ?? [])] }),
  });
  const config: ResolvedConfig = { ...CONFIG_DEFAULTS, ...options.config };
  const port = createOpenAiHttpPort({
    baseUrl: server.url,
    defaultModel: "scripted-default",
    apiKey: "sk-test-harness",
    stream: options.stream ?? true,
  });
  return {
    server,
    registry,
    config,
    run: (params, deps = {}) =>
      executeParallelRun(params, { config, registry, port, backoff: { baseMs: 10, maxMs: 50 }, ...deps }),
    refine: (params, userDir, extra = {}) =>
      executeRefineAgent(params, { config, registry, port, userDir, backoff: { baseMs: 10, maxMs: 50 }, ...extra }),
    orchestrate: (params, userDir = "/nonexistent/pa-user", extra = {}) =>
      executeOrchestrate(params, {
        config,
        registry,
        port,
        userDir,
        backoff: { baseMs: 10, maxMs: 50 },
        createAgentTypes: createTypesWithRefine,
        ...extra,
      }),
    close: () => server.close(),
  };
}

/** A script keyed by a marker in the task text, e.g. "[case:hang]"; requests without a known marker are unexpected. */
export function byMarker(cases: Record<string, (request: ScriptRequest, nth: number) => Reply>): Script {
  const seen = new Map<string, number>();
  return (request) => {
    const marker = /\[case:([a-z0-9_-]+)\]/.exec(request.user)?.[1];
    const handler = marker ? cases[marker] : undefined;
    if (!marker || !handler)
      throw new Error(`no script for ${marker ? `case ${marker}` : "a request without a [case:...] marker"}`);
    const key = `${marker}|${/\[agent:(\d+)\]/.exec(request.user)?.[1] ?? ""}`;
    const nth = (seen.get(key) ?? 0) + 1;
    seen.set(key, nth);
    return handler(request, nth);
  };
}

export const summary = (text = "done") => ({ json: { summary: text } });
