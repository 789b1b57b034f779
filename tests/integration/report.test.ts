import { cliEndpointArgs } from "../helpers/cli-endpoint.js";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../src/paths.js";
import { tempDir } from "../helpers/registry.js";
import { startScriptedModelServer, type ScriptedModelServer } from "../../testing/scripted-model-server.js";

const exec = promisify(execFile);
const CLI = path.join(packageRoot(), "dist", "cli.js");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => fs.existsSync(p));
const CHROME_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--hide-scrollbars",
];

let server: ScriptedModelServer;
let runs: string;
let runId: string;
let md: string;
let html: string;

beforeAll(async () => {
  server = await startScriptedModelServer((r) => {
    const n = Number(/\[n(\d+)\]/.exec(r.user)?.[1]);
    if (n === 4) return { text: "<script>alert('x')</script> not json" };
    return { json: { summary: `agent ${n} <b>done</b>` }, delayMs: 150 + n * 120 };
  });
  runs = await tempDir("pa-report-");
  const args = [
    "run",
    ...cliEndpointArgs(server.url, runs),
    "--max-concurrent",
    "3",
    "--json",
    ...[1, 2, 3, 4, 5, 6].flatMap((n) => ["--agent", `echo_agent=[n${n}] part ${n}`]),
  ];
  const out = await exec(process.execPath, [CLI, ...args]).catch((e: { stdout: string }) => e);
  runId = JSON.parse(out.stdout).runId;
  const report = await exec(process.execPath, [CLI, "report", runId, "--runs-dir", runs]);
  [md, html] = report.stdout.trim().split("\n") as [string, string];
}, 60_000);
afterAll(() => server.close());

describe("parallel-agents report", () => {
  it("writes a Markdown report with each agent's outcome, model, attempts, duration and output", () => {
    const text = fs.readFileSync(md, "utf8");
    expect(text).toMatch(new RegExp(`^# Run ${runId}`));
    expect(text).toMatch(/\| 1 \| echo_agent \| echo_agent \| ok \| m1 \| first:ok \| \d+\.\d s \|/);
    expect(text).toMatch(/\| 4 \| echo_agent #4 \| echo_agent \| invalid \| m1 \| first:invalid, repair:invalid \|/);
    expect(text).toContain('"summary": "agent 6 <b>done</b>"');
    expect(text).toMatch(/Outcomes: 5 ok, 1 invalid/);
  });

  it("writes a self-contained HTML page that escapes model output", () => {
    const page = fs.readFileSync(html, "utf8");
    expect(page).not.toMatch(/<script|src=|href=/i);
    expect(page).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(page.match(/class="bar"/g)).toHaveLength(6);
  });

  it("renders in headless Chromium: the timeline has a bar per agent, and a screenshot shows it", {
    timeout: 60_000,
  }, async () => {
    expect(CHROMIUM, "Chromium is installed by .ci/run (Debian package chromium)").toBeDefined();
    const profile = await tempDir("pa-chrome-");
    const { stdout: dom } = await exec(
      CHROMIUM!,
      [...CHROME_FLAGS, `--user-data-dir=${profile}`, "--dump-dom", `file://${html}`],
      { timeout: 45_000 },
    );
    expect(dom.match(/<rect class="bar"/g)).toHaveLength(6);
    const png = path.join(runs, "timeline.png");
    await exec(
      CHROMIUM!,
      [
        ...CHROME_FLAGS,
        `--user-data-dir=${profile}`,
        `--screenshot=${png}`,
        "--window-size=1000,420",
        `file://${html}`,
      ],
      { timeout: 45_000 },
    );
    const image = fs.readFileSync(png);
    expect(image.subarray(1, 4).toString()).toBe("PNG");
    expect(image.readUInt32BE(16)).toBe(1000); // IHDR width
    expect(image.readUInt32BE(20)).toBe(420); // IHDR height
    expect(image.length).toBeGreaterThan(10_000); // a drawn page, not a blank one
  });
});
