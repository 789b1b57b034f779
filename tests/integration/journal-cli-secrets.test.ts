import { cliEndpointArgs } from "../helpers/cli-endpoint.js";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { readJournal } from "../../src/journal/run-journal.js";
import { packageRoot } from "../../src/paths.js";
import { tempDir } from "../helpers/registry.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";

const CLI = path.join(packageRoot(), "dist", "cli.js");
const exec = promisify(execFile);
// no well-known prefix: only the CLI handing its key to the journal can keep it out
const API_KEY = "cli-key-0123456789abcdef";

let server: ScriptedModelServer | undefined;
afterEach(async () => {
  server?.assertNoUnexpected();
  await server?.close();
  server = undefined;
});

async function cli(args: string[]) {
  const env = { PATH: process.env.PATH!, HOME: process.env.HOME!, PARALLEL_AGENTS_API_KEY: API_KEY };
  return exec(process.execPath, [CLI, ...args], { env, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe("the CLI's journals", () => {
  it("keep the API key in use out, and a run with a token budget resumes with its usage", async () => {
    server = await startScriptedModelServer((r) => ({
      json: { summary: `echo: ${r.user}`, tokenCount: 42 },
      usage: { prompt: 100, completion: 50 },
    }));
    const runs = await tempDir();
    const file = path.join(runs, "params.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ agents: [{ type: "echo_agent", task: `the key is ${API_KEY}` }], budget: { tokens: 5000 } }),
    );
    const base = cliEndpointArgs(server.url, runs);
    expect((await cli(["run", ...base, "--file", file])).code).toBe(0);
    const journal = path.join(runs, fs.readdirSync(runs).find((f) => f.endsWith(".jsonl"))!);
    expect(fs.readFileSync(journal, "utf8")).not.toContain(API_KEY);

    const { runId } = readJournal(journal);
    const resumed = await cli(["resume", runId, ...base, "--json"]);
    expect(resumed.stderr).toBe("");
    expect(resumed.code).toBe(0);
    const [agent] = JSON.parse(resumed.stdout).agents;
    expect(agent.output).toEqual({ summary: "echo: the key is [redacted]", tokenCount: 42 });
    expect(agent.usage).toEqual({ inputTokens: 100, outputTokens: 50, totalTokens: 150 });
    expect(server.log).toHaveLength(1); // the finished agent is reused, never asked again
  });
});
