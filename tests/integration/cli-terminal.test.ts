// What `parallel-agents run` writes to the terminal: the live view with escape codes only on a real terminal that
// allows them; pipes, NO_COLOR and TERM=dumb get plain lines without a single escape code.
import { cliEndpointArgs } from "../helpers/cli-endpoint.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/run-cli.js";
import { tempDir } from "../helpers/registry.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";

const ESC = "\x1b";
let server: ScriptedModelServer;
beforeAll(async () => {
  server = await startScriptedModelServer(() => ({ json: { summary: "ok" } }));
});
afterAll(async () => {
  server.assertNoUnexpected();
  await server.close();
});

async function run(terminal: { isTTY: boolean; env?: NodeJS.ProcessEnv }) {
  let stdout = "";
  let stderr = "";
  const runs = await tempDir();
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: { OPENCLAW_STATE_DIR: runs, ...terminal.env },
    cwd: process.cwd(),
    isTTY: terminal.isTTY,
  };
  const code = await runCli(
    ["run", ...cliEndpointArgs(server.url, runs), "--agent", "echo_agent=[n1] a", "--agent", "echo_agent=[n2] b"],
    io,
  );
  return { code, stdout, stderr };
}

describe("escape codes in run's output", () => {
  it("a terminal gets the live view, redrawn in place with colours", async () => {
    const r = await run({ isTTY: true, env: { TERM: "xterm" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\x1b\[\d+A/);
    expect(r.stdout).toMatch(/\x1b\[32mok/);
  });

  it.each([
    ["a pipe", { isTTY: false }],
    ["a pipe with TERM set", { isTTY: false, env: { TERM: "xterm-256color" } }],
    ["a terminal with NO_COLOR=1", { isTTY: true, env: { TERM: "xterm", NO_COLOR: "1" } }],
    ["a terminal with TERM=dumb", { isTTY: true, env: { TERM: "dumb" } }],
  ])("%s gets plain lines and no escape code at all", async (_name, terminal) => {
    const r = await run(terminal);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[ok\] echo_agent( #\d)? \(echo_agent\) [\d.]+ s$/m);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stderr).not.toContain(ESC);
  });

  it("an empty NO_COLOR does not count: the terminal keeps its live view", async () => {
    const r = await run({ isTTY: true, env: { TERM: "xterm", NO_COLOR: "" } });
    expect(r.stdout).toContain(ESC);
  });
});
