// The one small interface the engine starts sub-agents through; adapters (OpenClaw, HTTP) implement it.
import { ParallelAgentsError } from "../errors.js";

export type Usage = {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Price of these tokens in US dollars, when the host knows the model's price. */
  costUsd?: number;
};

export type SessionRequest = {
  /** Rendered system prompt of the agent type (with its output contract). */
  system: string;
  /** Rendered task message. */
  message: string;
  /** Human label, for logs and session names. */
  label: string;
  /** Model to use; undefined means the host's / endpoint's default. */
  model?: string;
  /** Unique per attempt: idempotency key and session name suffix. */
  attemptKey: string;
  /** This attempt's time limit. The adapter must stop the session when it passes. */
  timeoutMs: number;
  /** Aborted when the run is cancelled, the deadline passes, or the wait policy is met. */
  signal: AbortSignal;
  /** Keep at most this many bytes of the answer. */
  maxOutputBytes: number;
  /** JSON Schema of the expected answer (json agents): ports that can ask the provider for constrained output do. */
  outputSchema?: object;
  /**
   * Called by ports that queue (`SessionPort.queues`) when the request actually starts: the attempt's time limit
   * counts from then, so time spent waiting for a slot is never an attempt's time.
   */
  onStarted?: () => void;
};

export type SessionResult = {
  text: string;
  usage?: Usage;
  /** The model that actually answered, when the host reports it. */
  model?: string;
  /** True when the answer was cut at maxOutputBytes. */
  truncated?: boolean;
  /** Time the host kept the session queued before it ran (OpenClaw lane queue), when known. */
  queuedMs?: number;
  /** Why the model stopped, when known; "length" means the answer was cut at the output token limit. */
  stopReason?: string;
  /** Tool calls the agent made before its answer, by tool name (agents with the host's tools). */
  toolCalls?: ToolCallCounts;
};

/** How many times an agent called each tool: names only, never arguments. */
export type ToolCallCounts = Record<string, number>;

export type SessionPort = {
  /** Which runtime runs the agents: reported per agent in the results. */
  readonly name: string;
  /** True when the port may hold a request before starting it and calls `onStarted` when it starts. */
  readonly queues?: boolean;
  run(request: SessionRequest): Promise<SessionResult>;
  /** The port that runs agents with the host's tools (`tools: "host"`); absent where the runtime has none. */
  readonly withTools?: SessionPort;
};

/** The port an agent runs on: its tools decide. Prepare refuses `tools: "host"` where no port offers them. */
export function portForAgent(port: SessionPort, agent: { tools?: "host" }): SessionPort {
  if (agent.tools !== "host") return port;
  if (!port.withTools)
    throw new SessionError("fatal", `runtime "${port.name}" cannot run agents with the host's tools`);
  return port.withTools;
}

/** The runtime name an agent is reported under (its tools' port where it has one). */
export function runtimeOf(port: SessionPort, agent: { tools?: "host" }): string {
  return (agent.tools === "host" ? port.withTools?.name : undefined) ?? port.name;
}

/** Distinct tool names kept per agent; further names count as "other". */
export const MAX_TOOL_NAMES = 50;

/** Counts `n` calls of `name` into `counts` (a null-prototype record): past MAX_TOOL_NAMES names, as "other". */
export function countToolCall(counts: ToolCallCounts, name: string, n = 1): void {
  const key = name in counts || Object.keys(counts).length < MAX_TOOL_NAMES ? name : "other";
  counts[key] = (counts[key] ?? 0) + n;
}

/** Adds tool call counts (one agent's attempts), keeping at most MAX_TOOL_NAMES names. */
export function addToolCalls(a: ToolCallCounts | undefined, b: ToolCallCounts | undefined): ToolCallCounts | undefined {
  if (!b || Object.keys(b).length === 0) return a;
  const sum: ToolCallCounts = Object.assign(Object.create(null), a);
  for (const [name, count] of Object.entries(b)) countToolCall(sum, name, count);
  return { ...sum };
}

/**
 * Why a session did not produce an answer:
 * - transient: worth retrying on the same model (5xx, network, malformed or truncated response)
 * - rate_limited: 429; retryAfterMs when the server said
 * - fatal: retrying the same model will not help (4xx, model not found, auth); the ladder may
 * - timeout: the attempt's own time limit passed
 * - aborted: the run's signal fired; never retried
 */
export type SessionErrorKind = "transient" | "rate_limited" | "fatal" | "timeout" | "aborted";

export class SessionError extends ParallelAgentsError {
  readonly category = "session";
  override name = "SessionError";
  readonly kind: SessionErrorKind;
  readonly retryAfterMs?: number;
  readonly status?: number;
  readonly usage?: Usage;
  constructor(
    kind: SessionErrorKind,
    message: string,
    extra: { retryAfterMs?: number; status?: number; usage?: Usage; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.kind = kind;
    this.retryAfterMs = extra.retryAfterMs;
    this.status = extra.status;
    this.usage = extra.usage;
  }
}

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b ? { ...b } : undefined;
  if (!b) return a;
  const sum: Usage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  if (a.costUsd !== undefined || b.costUsd !== undefined) sum.costUsd = (a.costUsd ?? 0) + (b.costUsd ?? 0);
  return sum;
}

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes <= maxBytes) return { text, truncated: false };
  // Every character takes at least one byte, so the first maxBytes characters hold the cut: encode only those.
  const cut = Buffer.from(text.slice(0, maxBytes), "utf8").subarray(0, maxBytes).toString("utf8");
  return { text: cut.endsWith("\uFFFD") ? cut.slice(0, -1) : cut, truncated: true };
}
