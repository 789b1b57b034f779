// SessionPort over OpenClaw's host-owned completion (api.runtime.llm.complete): one provider request per attempt, no
// session, no host lane, no preamble; the request carries only the agent's own prompt. For agents without tools.
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/core";
import {
  SessionError,
  capBytes,
  type SessionPort,
  type SessionRequest,
  type SessionResult,
  type Usage,
} from "../engine/port.js";
import type { ModelGate } from "./model-gate.js";
import { type CallOverrides, OVERRIDE_KEYS } from "./host-ladder.js";

export type LlmRuntime = Pick<OpenClawPluginApi["runtime"]["llm"], "complete">;
type CompleteParams = Parameters<LlmRuntime["complete"]>[0];
type CompleteResult = Awaited<ReturnType<LlmRuntime["complete"]>>;

export type OpenClawLlmPortOptions = {
  llm: LlmRuntime;
  /** The per-model cap shared by every call in this gateway. */
  gate: ModelGate;
  /** Ask providers that support it for output constrained to the agent's schema. Default true. */
  responseFormat?: boolean;
  /** Advisory output token limit sent with every request, when set. */
  maxTokens?: number;
  /** How long a provider error pauses further requests to the same model. Default 1000 ms. */
  errorPauseMs?: number;
  /** What the host refused about per-run models (this call's view): a refused model's requests use its default. */
  overrides?: CallOverrides;
};

export function createOpenClawLlmPort(options: OpenClawLlmPortOptions): SessionPort {
  const { llm, gate } = options;
  return {
    name: "openclaw-completion",
    queues: true,
    async run(request: SessionRequest): Promise<SessionResult> {
      // After the host refused a per-run model (options.overrides), every request runs on its default model.
      const model = options.overrides ? options.overrides.modelFor(request.model) : request.model;
      const gateKey = model ?? "(host default)";
      const release = await gate.acquire(gateKey, request.signal);
      try {
        request.onStarted?.();
        const params = (model: string | undefined): CompleteParams => ({
          systemPrompt: request.system,
          messages: [{ role: "user", content: request.message }],
          signal: request.signal,
          purpose: `parallel-agents: ${request.label}`.slice(0, 200),
          ...(model ? { model } : {}),
          ...(options.maxTokens ? { maxTokens: options.maxTokens } : {}),
          ...(options.responseFormat !== false && request.outputSchema
            ? { responseFormat: jsonSchemaFormat(request.outputSchema) }
            : {}),
        });
        let result: CompleteResult;
        try {
          result = await llm.complete(params(model));
        } catch (error) {
          // The host does not let this plugin pick this model: remember it for every call, answer on its default.
          if (
            !model ||
            !options.overrides ||
            errorCode(error) !== "LLM_COMPLETION_NOT_AUTHORIZED" ||
            request.signal.aborted ||
            !options.overrides.refuse(model, (error as Error)?.message ?? String(error))
          )
            throw classifyLlmError(error, { ...request, model });
          try {
            result = await llm.complete(params(undefined));
          } catch (second) {
            throw classifyLlmError(second, { ...request, model: undefined });
          }
        }
        // a provider error holds this model back for errorPauseMs from when the error came, for every call
        return toSessionResult(result, request, () => gate.pause(gateKey, Date.now() + (options.errorPauseMs ?? 1000)));
      } finally {
        release();
      }
    },
  };
}

function toSessionResult(result: CompleteResult, request: SessionRequest, pauseModel: () => void): SessionResult {
  const usage = toUsage(result.usage);
  if (result.stopReason === "aborted" || request.signal.aborted)
    throw new SessionError("aborted", "the completion was aborted", { usage });
  if (result.stopReason === "error") {
    // The host reports a provider failure (5xx, 429, network) as a stop reason without its status: retry it later.
    pauseModel();
    throw new SessionError("transient", "the provider answered with an error (the host reports no detail)", { usage });
  }
  const cut = capBytes(result.text ?? "", request.maxOutputBytes);
  return {
    text: cut.text,
    truncated: cut.truncated,
    usage,
    model: `${result.provider}/${result.model}`,
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
  };
}

/** The host's usage (fields optional, cost in USD when it knows the price) as the engine counts it. */
export function toUsage(raw: CompleteResult["usage"] | undefined): Usage | undefined {
  if (!raw) return undefined;
  const inputTokens = (raw.inputTokens ?? 0) + (raw.cacheReadTokens ?? 0) + (raw.cacheWriteTokens ?? 0);
  const outputTokens = raw.outputTokens ?? 0;
  const totalTokens = raw.totalTokens ?? inputTokens + outputTokens;
  return { inputTokens, outputTokens, totalTokens, ...(raw.costUsd !== undefined ? { costUsd: raw.costUsd } : {}) };
}

function jsonSchemaFormat(schema: object): Record<string, unknown> {
  return { type: "json_schema", json_schema: { name: "agent_output", schema, strict: false } };
}

/** Classifies the host's thrown errors by their stable `code`, never by message text. */
function errorCode(error: unknown): string | undefined {
  return typeof (error as { code?: unknown })?.code === "string" ? (error as { code: string }).code : undefined;
}

export function classifyLlmError(error: unknown, request: Pick<SessionRequest, "model" | "signal">): SessionError {
  const code = errorCode(error);
  const message = (error as Error)?.message ?? String(error);
  if (request.signal.aborted || code === "LLM_COMPLETION_ABORTED")
    return new SessionError("aborted", "the completion was aborted", { cause: error });
  switch (code) {
    case "LLM_COMPLETION_TIMEOUT":
      return new SessionError("timeout", `the host timed the completion out: ${message}`, { cause: error });
    case "LLM_COMPLETION_NOT_AUTHORIZED":
      return new SessionError(
        "fatal",
        request.model
          ? `the host refused model "${request.model}": ${message} Fix: set ${OVERRIDE_KEYS.llm}: true in the OpenClaw config (and list the ladder's models in llm.allowedModels if you use it), or remove "models" from the call and the plugin config.`
          : `the host refused the completion: ${message}`,
        { cause: error },
      );
    case "LLM_RUNTIME_UNAVAILABLE":
    case "LLM_ISOLATED_UNSUPPORTED":
    case "LLM_ISOLATED_INPUT_REJECTED":
    case "LLM_COMPLETION_OUTPUT_REJECTED":
      return new SessionError("fatal", `the host could not run the completion (${code}): ${message}`, { cause: error });
    default:
      // LLM_COMPLETION_FAILED, or a failure before the host assigned a code (e.g. preparing the model): worth one retry.
      return new SessionError("transient", `the completion failed${code ? ` (${code})` : ""}: ${message}`, {
        cause: error,
      });
  }
}
