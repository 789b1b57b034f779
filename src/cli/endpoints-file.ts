// The CLI's endpoints: an `--endpoints` file (YAML or JSON) or repeated `--base-url` flags, checked field by field
// into the endpoint pool's list. Keys come from environment variables named in the file, never from the file itself.
import { UserInputError, UserInputErrors, describeValue } from "../errors.js";
import { MAX_ENDPOINT_CONCURRENCY, MAX_ENDPOINTS, type PoolEndpoint } from "../host/endpoint-pool.js";
import { nearestIds } from "../registry/suggest.js";

/** Requests in flight per endpoint when neither the file nor the flags say. */
export const DEFAULT_ENDPOINT_CONCURRENCY = 8;
/** Model names one endpoint's `models` maps at most. */
export const MAX_MODEL_NAMES = 64;

const FIELDS = ["name", "baseUrl", "maxConcurrent", "model", "models", "apiKeyEnv"] as const;
const KEY_FIELDS = new Set(["apiKey", "api_key", "key", "token", "authorization", "bearer"]);
/** A field name that suggests a secret, in any case: its value is never shown back. */
const SECRET_NAME = /key|token|secret|auth|password|bearer/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export type EndpointsContext = {
  /** Where the `apiKeyEnv` variables are read. */
  env: NodeJS.ProcessEnv;
  /** `--model` (or its environment variable): the model of an endpoint that names none. */
  defaultModel?: string;
};

/**
 * The parsed content of an endpoints file, `{ endpoints: [...] }` or a bare list, as the pool's endpoints; every
 * problem is named with its field, value and fix (UserInputErrors).
 */
export function parseEndpointsConfig(raw: unknown, context: EndpointsContext): PoolEndpoint[] {
  const problems: UserInputError[] = [];
  const problem: Problem = (field, value, message, fix) =>
    void problems.push(new UserInputError({ field, value, message, fix }));
  const list = endpointList(raw, problem);
  if (!list) throw new UserInputErrors(problems);
  const endpoints = list.flatMap((entry, i) => {
    const before = problems.length;
    const endpoint = parseEndpoint(entry, `endpoints[${i}]`, context, problem);
    return endpoint && problems.length === before ? [endpoint] : [];
  });
  checkDistinct(list, problem);
  if (problems.length > 0) throw new UserInputErrors(problems.slice(0, 12));
  return endpoints;
}

/** Endpoints from repeated `--base-url`: each with the shared key and model and the default cap. */
export function endpointsFromUrls(
  urls: readonly string[],
  options: { apiKey?: string; defaultModel?: string },
): PoolEndpoint[] {
  if (urls.length > MAX_ENDPOINTS)
    throw new UserInputError({
      field: "--base-url",
      value: urls.length,
      message: `given ${urls.length} times; at most ${MAX_ENDPOINTS} endpoints`,
      fix: "list fewer endpoints, or put a router (LiteLLM, OpenRouter) in front of them",
    });
  if (!options.defaultModel)
    throw new UserInputError({
      field: "--model",
      message: "no model",
      fix: "pass --model or set PARALLEL_AGENTS_MODEL / OPENAI_MODEL",
    });
  const problems: UserInputError[] = [];
  urls.forEach((url, i) => {
    const bad = urlProblem(url);
    if (bad)
      problems.push(
        new UserInputError({
          field: "--base-url",
          value: url,
          message: `${bad} (got ${describeValue(url)})`,
          fix: URL_FIX,
        }),
      );
    if (urls.indexOf(url) !== i)
      problems.push(
        new UserInputError({
          field: "--base-url",
          value: url,
          message: `"${url}" is given twice`,
          fix: "give each endpoint once; for a larger cap on one endpoint use an --endpoints file with maxConcurrent",
        }),
      );
  });
  if (problems.length > 0) throw new UserInputErrors(problems);
  return urls.map((baseUrl) => ({
    baseUrl,
    maxConcurrent: DEFAULT_ENDPOINT_CONCURRENCY,
    defaultModel: options.defaultModel!,
    ...(options.apiKey ? { apiKey: options.apiKey } : {}),
  }));
}

type Problem = (field: string, value: unknown, message: string, fix: string) => void;

function endpointList(raw: unknown, problem: Problem): unknown[] | undefined {
  const list = isRecord(raw) && !Array.isArray(raw) ? raw.endpoints : raw;
  if (isRecord(raw) && !Array.isArray(raw))
    for (const key of Object.keys(raw))
      if (key !== "endpoints")
        problem(key, raw[key], "unknown top-level field", 'remove it: the file holds only "endpoints: [...]"');
  if (!Array.isArray(list)) {
    problem("endpoints", list, `must be a list of endpoints (got ${describeValue(list)})`, EXAMPLE_FIX);
    return undefined;
  }
  if (list.length === 0 || list.length > MAX_ENDPOINTS) {
    problem(
      "endpoints",
      list.length,
      `lists ${list.length} endpoints; give 1 to ${MAX_ENDPOINTS}`,
      "list your endpoints, or put a router (LiteLLM, OpenRouter) in front of more",
    );
    return undefined;
  }
  return list;
}

function parseEndpoint(
  entry: unknown,
  at: string,
  context: EndpointsContext,
  problem: Problem,
): PoolEndpoint | undefined {
  if (!isRecord(entry) || Array.isArray(entry)) {
    problem(at, entry, `must be an object (got ${describeValue(entry)})`, EXAMPLE_FIX);
    return undefined;
  }
  for (const key of Object.keys(entry)) {
    if ((FIELDS as readonly string[]).includes(key)) continue;
    if (KEY_FIELDS.has(key) || SECRET_NAME.test(key)) {
      problem(
        `${at}.${key}`,
        "(hidden)",
        "an API key never goes in the endpoints file",
        `remove ${key}, put the key in an environment variable and name it: apiKeyEnv: MY_KEY_VARIABLE`,
      );
      continue;
    }
    problem(
      `${at}.${key}`,
      entry[key],
      "unknown field",
      `remove it, or did you mean ${nearestIds(key, FIELDS, 1)[0]}? (fields: ${FIELDS.join(", ")})`,
    );
  }
  const { name, baseUrl, maxConcurrent, model, models, apiKeyEnv } = entry;
  if (name !== undefined && (typeof name !== "string" || name.trim() === "" || name.length > 64))
    problem(
      `${at}.name`,
      name,
      `must be a short text (got ${describeValue(name)})`,
      "give a name of 1 to 64 characters",
    );
  const urlBad = typeof baseUrl === "string" ? urlProblem(baseUrl) : "is required: the endpoint's URL";
  // a URL with credentials or a query may carry a key: never shown back
  const hide = urlBad?.startsWith("must not carry");
  if (urlBad)
    problem(
      `${at}.baseUrl`,
      hide ? "(hidden)" : baseUrl,
      hide ? urlBad : `${urlBad} (got ${describeValue(baseUrl)})`,
      URL_FIX,
    );
  const cap = maxConcurrent ?? DEFAULT_ENDPOINT_CONCURRENCY;
  if (!Number.isInteger(cap) || (cap as number) < 1 || (cap as number) > MAX_ENDPOINT_CONCURRENCY)
    problem(
      `${at}.maxConcurrent`,
      maxConcurrent,
      `must be a whole number from 1 to ${MAX_ENDPOINT_CONCURRENCY} (got ${describeValue(maxConcurrent)})`,
      "set it to the requests this endpoint takes at once, e.g. maxConcurrent: 8",
    );
  const defaultModel = model ?? context.defaultModel;
  if (model !== undefined && (typeof model !== "string" || model.trim() === ""))
    problem(`${at}.model`, model, `must be a model name (got ${describeValue(model)})`, "e.g. model: gpt-4o-mini");
  else if (defaultModel === undefined)
    problem(
      `${at}.model`,
      undefined,
      "no model for requests that name none",
      `set ${at}.model, or pass --model for every endpoint`,
    );
  const mapped = parseModels(models, `${at}.models`, problem);
  const apiKey = readApiKey(apiKeyEnv, `${at}.apiKeyEnv`, context.env, problem);
  return {
    ...(typeof name === "string" ? { name } : {}),
    baseUrl: baseUrl as string,
    maxConcurrent: cap as number,
    defaultModel: defaultModel as string,
    ...(mapped ? { models: mapped } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

function parseModels(models: unknown, at: string, problem: Problem): Record<string, string> | undefined {
  if (models === undefined) return undefined;
  const fix = "map each model name of your ladder to this endpoint's name for it, e.g. models: { fast: gpt-4o-mini }";
  if (!isRecord(models) || Array.isArray(models)) {
    problem(at, models, `must be a mapping of model names (got ${describeValue(models)})`, fix);
    return undefined;
  }
  const entries = Object.entries(models);
  if (entries.length === 0 || entries.length > MAX_MODEL_NAMES)
    problem(at, entries.length, `maps ${entries.length} names; give 1 to ${MAX_MODEL_NAMES}`, fix);
  for (const [key, value] of entries)
    if (typeof value !== "string" || value.trim() === "")
      problem(`${at}.${key}`, value, `must be this endpoint's model name (got ${describeValue(value)})`, fix);
  return Object.fromEntries(entries) as Record<string, string>;
}

function readApiKey(name: unknown, at: string, env: NodeJS.ProcessEnv, problem: Problem): string | undefined {
  if (name === undefined) return undefined;
  // a wrong value here is often the key itself: it is never shown back
  if (typeof name !== "string" || !ENV_NAME.test(name)) {
    problem(
      at,
      "(hidden)",
      "must be the name of an environment variable (the value given is not shown, in case it is a key)",
      "write the variable's name, e.g. apiKeyEnv: OPENROUTER_API_KEY, never the key itself",
    );
    return undefined;
  }
  const key = env[name];
  // a conventional variable name (upper case) is shown; anything else may be a key pasted in by mistake
  const shown = /^[A-Z][A-Z0-9_]{0,63}$/.test(name) ? name : undefined;
  if (!key)
    problem(
      at,
      shown ?? "(hidden)",
      shown
        ? `the environment variable ${shown} is not set`
        : "the environment variable it names is not set (its name is not shown, in case it is a key)",
      shown ? `export ${shown}=<your key> and run again` : "export that variable with your key, or fix apiKeyEnv",
    );
  return key || undefined;
}

function checkDistinct(list: readonly unknown[], problem: Problem): void {
  const field = (key: string) => list.map((e) => (isRecord(e) && typeof e[key] === "string" ? e[key] : undefined));
  const urls = field("baseUrl").map((u) => u?.replace(/\/+$/, ""));
  const names = field("name");
  list.forEach((_, i) => {
    const url = urls[i];
    if (url !== undefined && urls.indexOf(url) !== i)
      problem(
        `endpoints[${i}].baseUrl`,
        url,
        `"${url}" is listed twice`,
        "list each endpoint once; raise its maxConcurrent for more requests at once",
      );
    const name = names[i];
    if (name !== undefined && names.indexOf(name) !== i)
      problem(`endpoints[${i}].name`, name, `the name "${name}" is used twice`, "give each endpoint its own name");
  });
}

/** What is wrong with an endpoint URL, if anything. */
function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must be an http:// or https:// URL";
  if (parsed.username || parsed.password) return "must not carry a user name or password";
  if (parsed.search) return "must not carry a query string (a key in a URL would be shown and journaled)";
  return undefined;
}

const URL_FIX = "give the endpoint's base URL with its version segment, e.g. http://127.0.0.1:11434/v1";
const EXAMPLE_FIX = "write endpoints: [{ baseUrl: http://127.0.0.1:4000/v1, maxConcurrent: 8 }] (see USAGE-GUIDE.md)";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
