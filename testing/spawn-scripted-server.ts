// Starts testing/scripted-server-main.ts in a child process and returns its URL and a way to stop it.
import { fork } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import type { Reply } from "./scripted-model-server.js";
import { packageRoot } from "../src/paths.js";

export async function spawnScriptedServer(reply: Reply) {
  const root = packageRoot();
  const child = fork(
    path.join(root, "scripts", "run-ts.mjs"),
    [path.join(root, "testing", "scripted-server-main.ts"), JSON.stringify(reply)],
    { cwd: root, stdio: ["ignore", "pipe", "inherit", "ipc"] },
  );
  const lines = readline.createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once("exit", (code) => reject(new Error(`scripted server exited with ${code}`)));
  });
  return {
    url,
    stats: () =>
      new Promise<{ maxInFlight: number; requests: number }>((resolve) => {
        child.once("message", (m) => resolve(m as { maxInFlight: number; requests: number }));
        child.send("stats");
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
