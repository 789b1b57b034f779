// The CLI's endpoints file and repeated --base-url: what is accepted, and every refusal naming field, value and fix.
import { describe, expect, it } from "vitest";
import { endpointsFromUrls, parseEndpointsConfig } from "../../src/cli/endpoints-file.js";
import { UserInputErrors } from "../../src/errors.js";

const env = { ROUTER_KEY: "sk-router-123", LOCAL_KEY: "sk-local-456" };

function problems(raw: unknown, context: { env?: NodeJS.ProcessEnv; defaultModel?: string } = {}): string {
  try {
    parseEndpointsConfig(raw, { env: context.env ?? env, defaultModel: context.defaultModel ?? "m" });
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputErrors);
    return (error as Error).message;
  }
  throw new Error("accepted");
}

describe("parseEndpointsConfig", () => {
  it("reads every field, keys from the named variables, defaults for the rest", () => {
    const endpoints = parseEndpointsConfig(
      {
        endpoints: [
          {
            name: "router",
            baseUrl: "https://openrouter.ai/api/v1",
            maxConcurrent: 16,
            model: "openai/gpt-4o-mini",
            models: { fast: "openai/gpt-4o-mini", strong: "anthropic/claude-sonnet-4" },
            apiKeyEnv: "ROUTER_KEY",
          },
          { baseUrl: "http://127.0.0.1:4000/v1" },
        ],
      },
      { env, defaultModel: "llama3.1" },
    );
    expect(endpoints).toEqual([
      {
        name: "router",
        baseUrl: "https://openrouter.ai/api/v1",
        maxConcurrent: 16,
        defaultModel: "openai/gpt-4o-mini",
        models: { fast: "openai/gpt-4o-mini", strong: "anthropic/claude-sonnet-4" },
        apiKey: "sk-router-123",
      },
      { baseUrl: "http://127.0.0.1:4000/v1", maxConcurrent: 8, defaultModel: "llama3.1" },
    ]);
    expect(parseEndpointsConfig([{ baseUrl: "http://a:1/v1", model: "x" }], { env })).toHaveLength(1);
  });

  it.each<[string, unknown, RegExp]>([
    [
      "not a list",
      { endpoints: "http://a/v1" },
      /^endpoints: must be a list of endpoints \(got "http:\/\/a\/v1"\)\. Fix:/,
    ],
    ["an empty list", [], /endpoints: lists 0 endpoints; give 1 to 16\. Fix:/],
    ["too many", Array.from({ length: 17 }, (_, i) => ({ baseUrl: `http://a:${i + 1}/v1` })), /lists 17 endpoints/],
    [
      "a missing baseUrl",
      [{ maxConcurrent: 2 }],
      /endpoints\[0\]\.baseUrl: is required.*Fix: give the endpoint's base URL/,
    ],
    [
      "a bad URL",
      [{ baseUrl: "localhost:4000" }],
      /endpoints\[0\]\.baseUrl: must be an http:\/\/ or https:\/\/ URL \(got "localhost:4000"\)/,
    ],
    ["a URL with a password", [{ baseUrl: "http://u:p@a/v1" }], /must not carry a user name or password/],
    [
      "a cap of 0",
      [{ baseUrl: "http://a/v1", maxConcurrent: 0 }],
      /endpoints\[0\]\.maxConcurrent: must be a whole number from 1 to 256 \(got 0\)\. Fix:/,
    ],
    ["a cap as text", [{ baseUrl: "http://a/v1", maxConcurrent: "eight" }], /\(got "eight"\)/],
    [
      "a key in the file",
      [{ baseUrl: "http://a/v1", apiKey: "sk-secret-999" }],
      /endpoints\[0\]\.apiKey: an API key never goes in the endpoints file\. Fix: .*apiKeyEnv/,
    ],
    [
      "an unset key variable",
      [{ baseUrl: "http://a/v1", apiKeyEnv: "NOPE_KEY" }],
      /endpoints\[0\]\.apiKeyEnv: the environment variable NOPE_KEY is not set\. Fix: export NOPE_KEY=/,
    ],
    [
      "a key as apiKeyEnv",
      [{ baseUrl: "http://a/v1", apiKeyEnv: "sk-abc def" }],
      /must be the name of an environment variable/,
    ],
    [
      "an unknown field",
      [{ baseUrl: "http://a/v1", maxConcurent: 4 }],
      /endpoints\[0\]\.maxConcurent: unknown field\. Fix: remove it, or did you mean maxConcurrent\?/,
    ],
    ["models as a list", [{ baseUrl: "http://a/v1", models: ["x"] }], /endpoints\[0\]\.models: must be a mapping/],
    [
      "an empty model name",
      [{ baseUrl: "http://a/v1", models: { fast: "" } }],
      /endpoints\[0\]\.models\.fast: must be this endpoint's model name \(got ""\)/,
    ],
    [
      "a URL twice",
      [{ baseUrl: "http://a/v1" }, { baseUrl: "http://a/v1/" }],
      /endpoints\[1\]\.baseUrl: "http:\/\/a\/v1" is listed twice/,
    ],
    [
      "a name twice",
      [
        { name: "x", baseUrl: "http://a/v1" },
        { name: "x", baseUrl: "http://b/v1" },
      ],
      /endpoints\[1\]\.name: the name "x" is used twice/,
    ],
    [
      "an unknown top-level field",
      { endpoints: [{ baseUrl: "http://a/v1" }], prices: {} },
      /^prices: unknown top-level field/,
    ],
  ])("refuses %s with field, value and fix", (_, raw, message) => {
    expect(problems(raw)).toMatch(message);
  });

  it("never shows a key that was put in the file", () => {
    expect(problems([{ baseUrl: "http://a/v1", apiKey: "sk-secret-999" }])).not.toContain("sk-secret-999");
  });

  it("asks for a model when neither the endpoint nor --model names one", () => {
    expect(() => parseEndpointsConfig([{ baseUrl: "http://a/v1" }], { env })).toThrow(
      /endpoints\[0\]\.model: no model for requests that name none\. Fix: set endpoints\[0\]\.model, or pass --model/,
    );
  });

  it("lists every problem of the file at once", () => {
    const message = problems([
      { baseUrl: "x", maxConcurrent: -1 },
      { baseUrl: "http://b/v1", apiKeyEnv: "NOPE" },
    ]);
    expect(message.split("\n")).toHaveLength(3);
  });
});

describe("a key where it does not belong is never shown back", () => {
  it.each<[string, unknown]>([
    ["a key as apiKeyEnv", [{ baseUrl: "http://a:1/v1", apiKeyEnv: "sk-proj-SECRET123" }]],
    ["a key-like variable name that is unset", [{ baseUrl: "http://a:1/v1", apiKeyEnv: "gsk_SECRET123" }]],
    ["a key field in any case", [{ baseUrl: "http://a:1/v1", APIKEY: "sk-SECRET123" }]],
    ["a secret-named field", [{ baseUrl: "http://a:1/v1", clientSecret: "SECRET123" }]],
  ])("%s", (_, raw) => {
    let error: unknown;
    try {
      parseEndpointsConfig(raw, { env, defaultModel: "m" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputErrors);
    expect((error as Error).message).not.toContain("SECRET123");
    expect(JSON.stringify((error as UserInputErrors).errors.map((e) => e.value))).not.toContain("SECRET123");
  });

  it("refuses a URL with a query string, where keys are often put", () => {
    const message = problems([{ baseUrl: "https://a.example/v1?api-key=SECRET123" }]);
    expect(message).toMatch(/baseUrl: must not carry a query string/);
    expect(message).not.toContain("SECRET123");
    expect(problems([{ baseUrl: "https://user:SECRET123@a.example/v1" }])).not.toContain("SECRET123");
  });
});

describe("endpointsFromUrls (repeated --base-url)", () => {
  it("gives each URL the shared key and model and a cap of 8", () => {
    expect(endpointsFromUrls(["http://a/v1", "http://b/v1"], { apiKey: "k", defaultModel: "m" })).toEqual([
      { baseUrl: "http://a/v1", maxConcurrent: 8, defaultModel: "m", apiKey: "k" },
      { baseUrl: "http://b/v1", maxConcurrent: 8, defaultModel: "m", apiKey: "k" },
    ]);
  });

  it("refuses a bad or repeated URL, too many, and a missing model", () => {
    expect(() => endpointsFromUrls(["http://a/v1", "ftp://b"], { defaultModel: "m" })).toThrow(
      /--base-url: must be an http:\/\/ or https:\/\/ URL \(got "ftp:\/\/b"\)\. Fix:/,
    );
    expect(() => endpointsFromUrls(["http://a/v1", "http://a/v1"], { defaultModel: "m" })).toThrow(
      /--base-url: "http:\/\/a\/v1" is given twice\. Fix:/,
    );
    const many = Array.from({ length: 17 }, (_, i) => `http://a:${i + 1}/v1`);
    expect(() => endpointsFromUrls(many, { defaultModel: "m" })).toThrow(/given 17 times; at most 16/);
    expect(() => endpointsFromUrls(["http://a/v1", "http://b/v1"], {})).toThrow(/--model: no model\. Fix:/);
  });
});
