import { afterEach, describe, expect, it } from "vitest";
import type { SessionPort } from "../../src/engine/port.js";
import { createOpenAiHttpPort } from "../../src/host/openai-http-port.js";
import { byMarker, startHarness, type Harness } from "../helpers/harness.js";
import { tempDir } from "../helpers/registry.js";

let h: Harness | undefined;
afterEach(async () => {
  h?.server.assertNoUnexpected();
  await h?.close();
  h = undefined;
});

describe('resume: "latest" and fresh keys on resume', () => {
  it("finishes the newest unfinished run of the same tool and caller, with new attempt keys for what runs again", async () => {
    let hang = true;
    h = await startHarness(
      byMarker({
        a: () => ({ json: { summary: "a" } }),
        b: () => (hang ? { hang: true } : { json: { summary: "b" } }),
      }),
    );
    const journalDir = await tempDir("pa-latest-");
    const keys: string[] = [];
    const http = createOpenAiHttpPort({ baseUrl: h.server.url, defaultModel: "m" });
    const port: SessionPort = {
      name: "recording",
      run: (request) => {
        keys.push(request.attemptKey);
        return http.run(request);
      },
    };
    const params = {
      agents: [
        { type: "echo_agent", task: "[case:a] one" },
        { type: "echo_agent", task: "[case:b] two" },
      ],
    };
    // an older finished run of the same tool and a newer unfinished one of another caller must not be picked
    await h.run({ agents: [{ type: "echo_agent", task: "[case:a] older" }] }, { journalDir, owner: "main", port });
    const progress: string[] = [];
    const controller = new AbortController();
    const first = h.run(params, {
      journalDir,
      owner: "main",
      port,
      signal: controller.signal,
      onProgress: (t) => progress.push(t),
    });
    await h.server.waitForInFlight(1);
    await new Promise((r) => setTimeout(r, 100));
    controller.abort();
    const interrupted = await first;
    expect(interrupted.run.counts).toMatchObject({ ok: 1, cancelled: 1 });
    expect(progress[0]).toBe(
      `parallel_run ${interrupted.run.runId} started with 2 agents; if it is interrupted, call parallel_run again with resume: "${interrupted.run.runId}" (or "latest")`,
    );
    await h.run(
      { agents: [{ type: "echo_agent", task: "[case:a] other caller" }], budget: { deadlineSeconds: 1 } },
      { journalDir, owner: "someone-else", port, runId: "pr-other", signal: AbortSignal.abort() },
    );

    hang = false;
    const firstKeys = new Set(keys);
    keys.length = 0;
    const resumed = await h.run({ resume: "latest" }, { journalDir, owner: "main", port });
    expect(resumed.run.runId).toBe(interrupted.run.runId);
    expect(resumed.run.counts).toMatchObject({ ok: 2 });
    expect(keys).toHaveLength(1); // only the cancelled agent ran again...
    expect(firstKeys.has(keys[0]!)).toBe(false); // ...under a key the host has never seen
  });

  it("never resumes a run that is still going in this process: by id it is refused, latest passes it over", async () => {
    h = await startHarness(byMarker({ a: () => ({ json: { summary: "a" } }), b: () => ({ hang: true }) }));
    const journalDir = await tempDir("pa-latest-");
    const controller = new AbortController();
    const progress: string[] = [];
    const live = h.run(
      {
        agents: [
          { type: "echo_agent", task: "[case:a] one" },
          { type: "echo_agent", task: "[case:b] two" },
        ],
      },
      { journalDir, signal: controller.signal, onProgress: (t) => progress.push(t) },
    );
    while (h.server.log.length < 2) await new Promise((r) => setTimeout(r, 10));
    const runId = /parallel_run (\S+) started/.exec(progress[0]!)![1]!;
    const sent = h.server.log.length;
    await expect(h.run({ resume: runId }, { journalDir })).rejects.toThrow(/still running in this process/);
    await expect(h.run({ resume: "latest" }, { journalDir })).rejects.toThrow(/no unfinished parallel_run run/);
    expect(h.server.log.length).toBe(sent); // nothing sent a second time
    controller.abort();
    await live;
    const resumed = await h.run({ resume: "latest" }, { journalDir, signal: AbortSignal.timeout(200) }); // ended now: resumable
    expect(resumed.run.runId).toBe(runId);
  });

  it("refuses latest with a clear error when nothing is unfinished", async () => {
    h = await startHarness(byMarker({}));
    const journalDir = await tempDir("pa-latest-");
    await expect(h.run({ resume: "latest" }, { journalDir })).rejects.toThrow(
      /resume: no unfinished parallel_run run to resume.*Fix:/s,
    );
  });
});
