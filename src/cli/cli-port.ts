// The port the model commands run on, from the flags: one endpoint (`--base-url` once, or the environment) as the
// plain HTTP port, several (`--base-url` repeated, or `--endpoints FILE`) as an endpoint pool; priced by `--price`.
import fs from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { SessionPort } from "../engine/port.js";
import { createEndpointPool, type EndpointStats, type PoolEndpoint } from "../host/endpoint-pool.js";
import { createOpenAiHttpPort } from "../host/openai-http-port.js";
import { UserInputErrors } from "../errors.js";
import { priceTableOf, withPrices } from "../runs/prices.js";
import { CliError, flag, flagValues, hasFlag, type ParsedArgs } from "./args.js";
import { endpointsFromUrls, parseEndpointsConfig } from "./endpoints-file.js";
import type { CliIo } from "./io.js";

export type CliPort = {
  port: SessionPort;
  /** Every API key in use: redacted from the journals by value. */
  secrets: string[];
  /** Requests the endpoints take at once in all, when they said (several endpoints). */
  capacity?: number;
  /** Per-endpoint counts, when the run used several endpoints. */
  stats?: () => EndpointStats[];
};

/** The API key of `--api-key` or the environment, if any. */
function sharedApiKey(args: ParsedArgs, io: CliIo): string | undefined {
  return flag(args, "api-key") ?? io.env.PARALLEL_AGENTS_API_KEY ?? io.env.OPENAI_API_KEY;
}

/** Builds the port from the flags, refusing a bad `--price`, `--endpoints` or `--base-url` before anything runs. */
export function cliPort(args: ParsedArgs, io: CliIo): CliPort {
  const prices = priceTableOf(flagValues(args, "price"));
  const model = flag(args, "model") ?? io.env.PARALLEL_AGENTS_MODEL ?? io.env.OPENAI_MODEL;
  const stream = !hasFlag(args, "no-stream");
  const apiKey = sharedApiKey(args, io);
  const file = flag(args, "endpoints");
  const urls = flagValues(args, "base-url");
  if (file && urls.length > 0)
    throw new CliError(
      `--endpoints ${file} and --base-url ${urls[0]}: give one or the other (add that endpoint to the file)`,
    );
  const endpoints = file
    ? readEndpointsFile(file, io, model)
    : urls.length > 1
      ? endpointsFromUrls(urls, { apiKey, defaultModel: model })
      : undefined;
  const priced = (port: SessionPort) => withPrices(port, prices, { defaultModel: model });
  if (!endpoints) {
    const baseUrl = urls[0] ?? io.env.PARALLEL_AGENTS_BASE_URL ?? io.env.OPENAI_BASE_URL;
    if (!baseUrl)
      throw new CliError(
        "no model endpoint: pass --base-url (e.g. http://127.0.0.1:11434/v1), --endpoints FILE, or set PARALLEL_AGENTS_BASE_URL / OPENAI_BASE_URL",
      );
    if (!model) throw new CliError("no model: pass --model or set PARALLEL_AGENTS_MODEL / OPENAI_MODEL");
    return {
      port: priced(createOpenAiHttpPort({ baseUrl, apiKey, defaultModel: model, stream })),
      secrets: apiKey ? [apiKey] : [],
    };
  }
  const pool = createEndpointPool({ endpoints, stream });
  const secrets = [apiKey, ...endpoints.map((e) => e.apiKey)].filter((k): k is string => Boolean(k));
  return { port: priced(pool), secrets: [...new Set(secrets)], capacity: pool.capacity, stats: pool.stats };
}

function readEndpointsFile(file: string, io: CliIo, defaultModel: string | undefined): PoolEndpoint[] {
  let raw: unknown;
  try {
    const text = fs.readFileSync(path.resolve(io.cwd, file), "utf8");
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(`--endpoints ${file}: ${(error as Error).message.split("\n")[0]}`);
  }
  try {
    return parseEndpointsConfig(raw, { env: io.env, defaultModel });
  } catch (error) {
    if (!(error instanceof UserInputErrors)) throw error;
    throw new CliError(error.errors.map((e) => `--endpoints ${file}: ${e.message}`).join("\n"));
  }
}

/** One line per endpoint: what it was sent and what came back. */
export function formatEndpointStats(stats: readonly EndpointStats[]): string {
  const width = Math.max(...stats.map((s) => s.name.length));
  const lines = stats.map(
    (s) =>
      `  ${s.name.padEnd(width)}  cap ${s.maxConcurrent}, peak ${s.maxInFlight}: ${s.sent} sent, ${s.ok} ok, ${s.rateLimited} rate-limited (429), ${s.errors} errors, ${s.movedAway} moved away${s.aborted ? `, ${s.aborted} aborted` : ""}`,
  );
  return `endpoints:\n${lines.join("\n")}`;
}
