// Runs the scripted model server in its own process with one fixed reply (JSON in argv[2]); prints its URL.
// Used by benchmarks so the model's work does not share an event loop with the code being measured.
import { startScriptedModelServer, type Reply } from "./scripted-model-server.js";

const reply = JSON.parse(process.argv[2] ?? '{"text":"ok"}') as Reply;
const server = await startScriptedModelServer(() => reply);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on("message", (message) => {
  if (message === "stats") process.send?.({ maxInFlight: server.maxInFlight(), requests: server.log.length });
});
process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
