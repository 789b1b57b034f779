// SessionPort over several OpenAI-compatible endpoints, each with its own cap and model names: a request goes to the
// endpoint with the most free slots that serves its model, and moves off one that refuses it (429, 5xx, network)
// while that endpoint cools down, so a refusal costs the agent an attempt only when no endpoint is left to take it.
import { UserInputError } from "../errors.js";
import { SessionError, type SessionPort, type SessionRequest, type SessionResult } from "../engine/port.js";
import { createOpenAiHttpPort } from "./openai-http-port.js";

/** Most endpoints one pool holds: also bounds the moves of one request (one per endpoint). */
export const MAX_ENDPOINTS = 16;
/** Most requests in flight on one endpoint (the HTTP port keeps 256 sockets per endpoint). */
export const MAX_ENDPOINT_CONCURRENCY = 256;

export type PoolEndpoint = {
  /** Shown in the counts and errors. Default the URL's host (with `#n` when two share it). */
  name?: string;
  /** Base URL including the version segment, e.g. `https://openrouter.ai/api/v1`. */
  baseUrl: string;
  /** Sent as a bearer token when set. Never logged. */
  apiKey?: string;
  /** Requests in flight on this endpoint at most (1 to MAX_ENDPOINT_CONCURRENCY). */
  maxConcurrent: number;
  /**
   * Model name asked for (a rung of the ladder) -> this endpoint's name for it. When set, the endpoint serves only
   * these names (and requests that name no model). Default: every name is sent as it is.
   */
  models?: Readonly<Record<string, string>>;
  /** Model used when a request names none. */
  defaultModel: string;
};

export type EndpointPoolOptions = {
  endpoints: readonly PoolEndpoint[];
  /** Stream the answers (SSE with usage). Default true. */
  stream?: boolean;
  /** Cooldown after a refusal that carries no retry-after, doubled per refusal in a row. Default 1000 ms. */
  cooldownMs?: number;
  /** Longest cooldown without retry-after. Default 30 000 ms. (retry-after itself is capped at 60 s when read.) */
  maxCooldownMs?: number;
};

/** One endpoint's counts; `sent` = `ok` + `rateLimited` + `errors` + `aborted`. */
export type EndpointStats = {
  name: string;
  baseUrl: string;
  maxConcurrent: number;
  /** Requests sent to this endpoint. */
  sent: number;
  /** Answered. */
  ok: number;
  /** Answered 429. */
  rateLimited: number;
  /** Failed otherwise: 5xx, network, a broken answer, or a fatal 4xx. */
  errors: number;
  /** Stopped by the caller (the run's stop or the attempt's time limit). */
  aborted: number;
  /** Requests this endpoint refused that went on to another endpoint. */
  movedAway: number;
  /** Most requests in flight on it at once. */
  maxInFlight: number;
};

export type EndpointPool = SessionPort & {
  /** Requests in flight at most across every endpoint. */
  readonly capacity: number;
  stats(): EndpointStats[];
};

type Member = {
  spec: PoolEndpoint;
  port: SessionPort;
  inFlight: number;
  coolUntil: number;
  refusalsInRow: number;
  stats: EndpointStats;
};

type Waiter = { model: string | undefined; refused: ReadonlySet<number>; take: (index: number) => void };

export function createEndpointPool(options: EndpointPoolOptions): EndpointPool {
  checkEndpoints(options.endpoints);
  const cooldownMs = options.cooldownMs ?? 1000;
  const maxCooldownMs = options.maxCooldownMs ?? 30_000;
  const names = endpointNames(options.endpoints);
  const members: Member[] = options.endpoints.map((spec, i) => ({
    spec,
    port: createOpenAiHttpPort({
      baseUrl: spec.baseUrl,
      apiKey: spec.apiKey,
      defaultModel: spec.defaultModel,
      stream: options.stream ?? true,
    }),
    inFlight: 0,
    coolUntil: 0,
    refusalsInRow: 0,
    stats: {
      name: names[i]!,
      baseUrl: spec.baseUrl,
      maxConcurrent: spec.maxConcurrent,
      sent: 0,
      ok: 0,
      rateLimited: 0,
      errors: 0,
      aborted: 0,
      movedAway: 0,
      maxInFlight: 0,
    },
  }));
  const queue: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;

  const serves = (m: Member, model: string | undefined) =>
    model === undefined || !m.spec.models || Object.hasOwn(m.spec.models, model);

  /** The free endpoint a waiter may take now: most free slots first, then the earlier in the list. */
  const pick = (waiter: Waiter, now: number): number | undefined => {
    let best: number | undefined;
    let bestFree = 0;
    members.forEach((m, i) => {
      const free = m.spec.maxConcurrent - m.inFlight;
      if (free > bestFree && m.coolUntil <= now && !waiter.refused.has(i) && serves(m, waiter.model)) {
        best = i;
        bestFree = free;
      }
    });
    return best;
  };

  /** Hands free slots to waiters in order, then wakes up again when the next cooldown ends. */
  const dispatch = () => {
    const now = Date.now();
    for (let w = 0; w < queue.length; ) {
      const index = pick(queue[w]!, now);
      if (index === undefined) {
        w++;
        continue;
      }
      const [waiter] = queue.splice(w, 1);
      const m = members[index]!;
      m.inFlight++;
      m.stats.maxInFlight = Math.max(m.stats.maxInFlight, m.inFlight);
      waiter!.take(index);
    }
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return;
    const next = Math.min(...members.map((m) => (m.coolUntil > now ? m.coolUntil : Infinity)));
    if (next === Infinity) return;
    timer = setTimeout(dispatch, next - now);
    timer.unref?.(); // a cooldown alone never keeps the process alive: a waiter's own promise does
  };

  /** A slot on an endpoint that serves `model` and has not refused this request; a moved request goes first. */
  const acquire = (
    model: string | undefined,
    refused: ReadonlySet<number>,
    signal: AbortSignal,
    moved: boolean,
  ): Promise<number> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortedWhileWaiting());
      const onAbort = () => {
        const at = queue.indexOf(waiter);
        if (at !== -1) queue.splice(at, 1);
        if (queue.length === 0) {
          clearTimeout(timer);
          timer = undefined;
        }
        reject(abortedWhileWaiting());
      };
      const waiter: Waiter = {
        model,
        refused,
        take: (index) => {
          signal.removeEventListener("abort", onAbort);
          resolve(index);
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      if (moved) queue.unshift(waiter);
      else queue.push(waiter);
      dispatch();
    });

  /** Counts a refusal and cools the endpoint: the server's retry-after, else a doubling cooldown. */
  const refuse = (m: Member, error: SessionError) => {
    if (error.kind === "rate_limited") m.stats.rateLimited++;
    else m.stats.errors++;
    const now = Date.now();
    // refusals of requests that were in flight together are one episode: only a refusal after the endpoint came back
    // from its cooldown doubles the next one (8 concurrent 503s must not sideline it for 2^7 s)
    if (m.coolUntil <= now) m.refusalsInRow++;
    const backoff = Math.min(cooldownMs * 2 ** (Math.max(1, m.refusalsInRow) - 1), maxCooldownMs);
    const wait = error.retryAfterMs !== undefined && error.retryAfterMs > 0 ? error.retryAfterMs : backoff;
    m.coolUntil = Math.max(m.coolUntil, now + wait);
  };

  return {
    name: "openai-http",
    queues: true,
    capacity: members.reduce((sum, m) => sum + m.spec.maxConcurrent, 0),
    stats: () => members.map((m) => ({ ...m.stats })),
    async run(request: SessionRequest): Promise<SessionResult> {
      const eligible = members.flatMap((m, i) => (serves(m, request.model) ? [i] : []));
      if (eligible.length === 0) throw unservedModel(request.model, members);
      const refused = new Set<number>();
      let started = false;
      for (;;) {
        const index = await acquire(request.model, refused, request.signal, refused.size > 0);
        if (!started) {
          started = true;
          request.onStarted?.();
        }
        const m = members[index]!;
        m.stats.sent++;
        try {
          const result = await m.port.run({ ...request, model: modelOn(m.spec, request.model), onStarted: undefined });
          m.stats.ok++;
          m.refusalsInRow = 0;
          return result;
        } catch (error) {
          const movable =
            !request.signal.aborted &&
            error instanceof SessionError &&
            (error.kind === "rate_limited" || error.kind === "transient");
          if (!movable) {
            if (request.signal.aborted || (error instanceof SessionError && error.kind === "aborted"))
              m.stats.aborted++;
            else m.stats.errors++;
            throw error;
          }
          refuse(m, error);
          refused.add(index);
          if (eligible.every((i) => refused.has(i))) throw error; // every endpoint that serves it said no
          m.stats.movedAway++;
        } finally {
          m.inFlight--;
          dispatch();
        }
      }
    },
  };
}

/** The name `model` has on this endpoint. */
function modelOn(spec: PoolEndpoint, model: string | undefined): string {
  if (model === undefined) return spec.defaultModel;
  return spec.models ? spec.models[model]! : model;
}

function abortedWhileWaiting(): SessionError {
  return new SessionError("aborted", "the request was aborted while it waited for an endpoint");
}

function unservedModel(model: string | undefined, members: readonly Member[]): SessionError {
  const served = members.map((m) => `${m.stats.name}: ${Object.keys(m.spec.models ?? {}).join(", ")}`).join("; ");
  return new SessionError("fatal", `no endpoint serves model "${model}" (${served})`);
}

function endpointNames(endpoints: readonly PoolEndpoint[]): string[] {
  const names = endpoints.map((e) => e.name ?? (URL.canParse(e.baseUrl) ? new URL(e.baseUrl).host : e.baseUrl));
  return names.map((n, i) => (names.indexOf(n) !== i || names.lastIndexOf(n) !== i ? `${n}#${i + 1}` : n));
}

/** The pool's own bounds; a config file is checked field by field before it gets here (cli/endpoints-file.ts). */
function checkEndpoints(endpoints: readonly PoolEndpoint[]): void {
  if (endpoints.length === 0 || endpoints.length > MAX_ENDPOINTS)
    throw new UserInputError({
      field: "endpoints",
      value: endpoints.length,
      message: `${endpoints.length} endpoints given; a pool takes 1 to ${MAX_ENDPOINTS}`,
      fix: `list 1 to ${MAX_ENDPOINTS} endpoints, or put a router (LiteLLM, OpenRouter) in front of more`,
    });
  endpoints.forEach((e, i) => {
    const n = e.maxConcurrent;
    if (!Number.isInteger(n) || n < 1 || n > MAX_ENDPOINT_CONCURRENCY)
      throw new UserInputError({
        field: `endpoints[${i}].maxConcurrent`,
        value: n,
        message: `must be a whole number from 1 to ${MAX_ENDPOINT_CONCURRENCY} (got ${String(n)})`,
        fix: `set endpoints[${i}].maxConcurrent to the requests this endpoint takes at once, e.g. 8`,
      });
    if (!e.defaultModel)
      throw new UserInputError({
        field: `endpoints[${i}].defaultModel`,
        value: e.defaultModel,
        message: "no model for requests that name none",
        fix: "give the endpoint a default model",
      });
  });
}
