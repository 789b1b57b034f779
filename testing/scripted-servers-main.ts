// Runs several scripted model servers in one process of their own, each with one fixed reply and its options (JSON
// in argv[2]: [{ reply, options }]); prints their URLs, and answers "stats" with each server's counts from its log.
// Used by bench/endpoints so the models' work does not share an event loop with the code being measured.
import { startScriptedModelServer, type Reply, type ScriptedServerOptions } from "./scripted-model-server.js";

export type ServerStats = { requests: number; maxInFlight: number; rateLimited: number };

const specs = JSON.parse(process.argv[2] ?? "[]") as Array<{ reply: Reply; options?: ScriptedServerOptions }>;
const servers = await Promise.all(specs.map((s) => startScriptedModelServer(() => s.reply, s.options)));
process.stdout.write(`${JSON.stringify({ urls: servers.map((s) => s.url) })}\n`);
process.on("message", (message) => {
  if (message !== "stats") return;
  const stats: ServerStats[] = servers.map((s) => ({
    requests: s.log.length,
    maxInFlight: s.maxInFlight(),
    rateLimited: s.log.filter((e) => e.rateLimited).length,
  }));
  process.send?.(stats);
});
process.on("SIGTERM", () => void Promise.all(servers.map((s) => s.close())).then(() => process.exit(0)));
