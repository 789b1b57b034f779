// A real OpenClaw gateway on 127.0.0.1 for end-to-end tests: isolated HOME and state, the plugin packed with `npm pack`
// and installed from the tarball as users install it, a provider pointing at the scripted model server, and every
// process stopped by its process group even when a test fails.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { packageRoot } from "../src/paths.js";

const run = promisify(execFile);
const ROOT = packageRoot();
export const OPENCLAW_BIN = path.join(ROOT, "node_modules", "openclaw", "openclaw.mjs");

export type GatewayOptions = {
  /** Base URL (with /v1) of the OpenAI-compatible model server: the scripted one in tests. */
  modelUrl: string;
  /** Its API key (default a dummy key for the scripted server) and model ids (default model-a, model-b). */
  apiKey?: string;
  modelIds?: string[];
  /** `tools.toolSearch`: false offers plugin tools directly; undefined keeps OpenClaw's default (Tool Search). */
  toolSearch?: boolean;
  /** Plugin config under plugins.entries.parallel-agents.config. */
  pluginConfig?: Record<string, unknown>;
  /** agents.defaults.subagents.maxConcurrent. */
  subagentConcurrency?: number;
  /** plugins.entries.parallel-agents.llm.allowModelOverride (per-run models for host completions). Default true. */
  llmModelOverride?: boolean;
  /** The main agent's model: primary (default the first model id) and fallbacks, as `scripted/<id>` refs. */
  primary?: string;
  fallbacks?: string[];
  /** Prices per model id in the provider's catalogue (USD per million tokens), as OpenClaw configs carry them. */
  costs?: Record<string, { input: number; output: number }>;
};

export type Gateway = {
  url: string;
  port: number;
  token: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Milliseconds from spawn to /readyz answering ready. */
  startMs: number;
  installMs: number;
  /** POST /tools/invoke; `signal` disconnects the client (the gateway then aborts the tool call). */
  invoke: (
    tool: string,
    args: unknown,
    timeoutMs?: number,
    signal?: AbortSignal,
    // biome-ignore lint/suspicious/noExplicitAny: the gateway's JSON answer, read by tests field by field
  ) => Promise<{ status: number; body: any }>;
  /** One chat turn through `openclaw agent --json`. */
  // biome-ignore lint/suspicious/noExplicitAny: openclaw agent --json output, read by tests field by field
  chat: (message: string, sessionKey: string, timeoutMs?: number) => Promise<any>;
  cli: (args: string[], timeoutMs?: number) => Promise<{ stdout: string; stderr: string }>;
  log: () => string;
  stop: () => Promise<void>;
  /**
   * Sends `signal` (default SIGKILL, a crash) to the gateway's whole process group and waits up to `waitMs` (default
   * 10 s) for every process of this gateway to be gone, without killing stragglers itself. Returns the pids the gateway
   * had before the signal and those still alive after the wait (a leak the caller asserts on).
   */
  kill: (signal?: NodeJS.Signals, waitMs?: number) => Promise<{ before: number[]; left: number[] }>;
  /** Starts a new gateway process on the same dir, state, config, token and port (after `kill`), and waits for /readyz. */
  restart: () => Promise<void>;
};

let packed: Promise<string> | undefined;

/** Packs the plugin once per test process (after the global build) into a temp folder. */
export function packPlugin(): Promise<string> {
  packed ??= (async () => {
    const dest = await fsp.mkdtemp(path.join(os.tmpdir(), "pa-pack-"));
    const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", dest], { cwd: ROOT });
    return path.join(dest, stdout.trim().split("\n").at(-1)!);
  })();
  return packed;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const live = new Set<Gateway>();

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "pa-e2e-"));
  const home = path.join(dir, "home");
  const state = path.join(dir, "state");
  await fsp.mkdir(home, { recursive: true });
  await fsp.mkdir(state, { recursive: true });
  const port = await freePort();
  const token = `e2e-${Math.random().toString(36).slice(2)}`;
  const configPath = path.join(dir, "openclaw.json");
  const env: NodeJS.ProcessEnv = {
    // OpenClaw detects test runners (VITEST, NODE_ENV=test) and then stays quiet: give it a user's environment.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => !k.startsWith("VITEST") && !(k === "NODE_ENV" && v === "test")),
    ),
    HOME: home,
    OPENCLAW_HOME: home,
    OPENCLAW_STATE_DIR: state,
    OPENCLAW_CONFIG_PATH: configPath,
    OPENCLAW_SKIP_CHANNELS: "1",
    OPENCLAW_DISABLE_BONJOUR: "1",
    OPENCLAW_NO_RESPAWN: "1",
    OPENCLAW_GATEWAY_TOKEN: token,
    OPENCLAW_GATEWAY_PORT: String(port),
    PA_E2E_MARKER: dir, // lets the leak check find every process this gateway started
  };
  const model = (id: string) => ({
    id,
    name: id,
    reasoning: false,
    input: ["text"],
    contextWindow: 128000,
    maxTokens: 4096,
    ...(options.costs?.[id] ? { cost: { ...options.costs[id], cacheRead: 0, cacheWrite: 0 } } : {}),
  });
  const config = {
    gateway: { mode: "local", port, bind: "loopback", auth: { mode: "token", token } },
    models: {
      mode: "merge",
      providers: {
        scripted: {
          baseUrl: options.modelUrl,
          apiKey: options.apiKey ?? "sk-scripted-e2e",
          api: "openai-completions",
          models: (options.modelIds ?? ["model-a", "model-b"]).map(model),
        },
      },
    },
    agents: {
      defaults: {
        model: {
          primary: `scripted/${options.primary ?? (options.modelIds ?? ["model-a"])[0]}`,
          ...(options.fallbacks ? { fallbacks: options.fallbacks.map((id) => `scripted/${id}`) } : {}),
        },
        heartbeat: { every: "0m" },
        ...(options.subagentConcurrency ? { subagents: { maxConcurrent: options.subagentConcurrency } } : {}),
      },
    },
    skills: { workshop: { autonomous: { mode: "off" } } },
    cron: { enabled: false },
    ...(options.toolSearch === undefined ? {} : { tools: { toolSearch: options.toolSearch } }),
  };
  await fsp.writeFile(configPath, JSON.stringify(config, null, 2));
  const cli = async (args: string[], timeoutMs = 120_000) =>
    run(process.execPath, [OPENCLAW_BIN, ...args], { env, cwd: dir, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });

  const installStart = Date.now();
  await cli(["plugins", "install", `npm-pack:${await packPlugin()}`, "--force", "--accept-capabilities"]);
  const installMs = Date.now() - installStart;
  // The install wrote plugins.entries; add our plugin config and allow per-run models next to it.
  const installed = JSON.parse(await fsp.readFile(configPath, "utf8"));
  installed.plugins.entries["parallel-agents"] = {
    ...installed.plugins.entries["parallel-agents"],
    config: options.pluginConfig ?? {},
    subagent: { allowModelOverride: true },
    ...(options.llmModelOverride === false ? {} : { llm: { allowModelOverride: true } }),
  };
  await fsp.writeFile(configPath, JSON.stringify(installed, null, 2));

  const logPath = path.join(dir, "gateway.log");
  const spawnGateway = (): ChildProcess => {
    const logFd = fs.openSync(logPath, "a");
    const spawned = spawn(
      process.execPath,
      [OPENCLAW_BIN, "gateway", "run", "--port", String(port), "--auth", "token", "--token", token],
      { env, cwd: dir, detached: true, stdio: ["ignore", logFd, logFd] },
    );
    fs.closeSync(logFd);
    return spawned;
  };
  const started = Date.now();
  let child = spawnGateway();
  const gateway: Gateway = {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    dir,
    env,
    startMs: 0,
    installMs,
    log: () => fs.readFileSync(logPath, "utf8"),
    cli,
    invoke: async (tool, args, timeoutMs = 120_000, signal) => {
      const response = await fetch(`http://127.0.0.1:${port}/tools/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ tool, args }),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, body: await response.json() };
    },
    chat: async (message, sessionKey, timeoutMs = 180_000) => {
      const { stdout } = await cli(
        [
          "agent",
          "--agent",
          "main",
          "--session-key",
          sessionKey,
          "--message",
          message,
          "--json",
          "--timeout",
          String(Math.floor(timeoutMs / 1000)),
        ],
        timeoutMs + 10_000,
      );
      return JSON.parse(stdout.slice(stdout.indexOf("{")));
    },
    stop: async () => {
      live.delete(gateway);
      await killGroup(child);
      await waitForNoProcesses(dir);
      // a gateway's state is 60-80 MB: remove it (PA_KEEP_E2E=1 keeps it for debugging)
      if (!process.env.PA_KEEP_E2E) await fsp.rm(dir, { recursive: true, force: true });
    },
    kill: async (signal = "SIGKILL", waitMs = 10_000) => {
      const before = processesOf(dir);
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
      const deadline = Date.now() + waitMs;
      while (processesOf(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      return { before, left: processesOf(dir) };
    },
    restart: async () => {
      const restarted = Date.now();
      child = spawnGateway();
      await waitForReady(gateway.url, child, 90_000, () => gateway.log());
      gateway.startMs = Date.now() - restarted;
    },
  };
  live.add(gateway);
  try {
    await waitForReady(gateway.url, child, 90_000, () => gateway.log());
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  gateway.startMs = Date.now() - started;
  return gateway;
}

async function waitForReady(url: string, child: ChildProcess, timeoutMs: number, log: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${log().slice(-3000)}`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok && ((await response.json()) as { ready?: boolean }).ready) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gateway not ready after ${timeoutMs} ms:\n${log().slice(-3000)}`);
}

async function killGroup(child: ChildProcess) {
  if (child.pid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!signal("SIGTERM")) return;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (!signal(0 as unknown as NodeJS.Signals)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  signal("SIGKILL");
}

/** Processes whose environment carries this gateway's marker (the gateway and everything it spawned). */
export function processesOf(dir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/environ`, "utf8").includes(`PA_E2E_MARKER=${dir}`)) found.push(Number(entry));
    } catch {
      // exited, or not ours to read
    }
  }
  return found;
}

async function waitForNoProcesses(dir: string) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const left = processesOf(dir);
    if (left.length === 0) return;
    if (Date.now() > deadline - 5000) for (const pid of left) process.kill(pid, "SIGKILL");
    await new Promise((r) => setTimeout(r, 200));
  }
  const left = processesOf(dir);
  if (left.length > 0) throw new Error(`processes left behind by the gateway: ${left.join(", ")}`);
}

/** Stops every gateway still running (for afterAll hooks when a test failed midway). */
export async function stopAll() {
  await Promise.all([...live].map((g) => g.stop()));
}
