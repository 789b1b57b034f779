// The terminal view of a run: a progress bar and every agent's state (queued, running with elapsed time, done with
// its outcome), redrawn in place. Only used where escape codes are allowed (ansi.ts); pipes, NO_COLOR and TERM=dumb
// get plain lines instead.
import type { RunEvent } from "../engine/scheduler.js";

type Row = {
  label: string;
  state: "queued" | "running" | "done";
  startedAt?: number;
  outcome?: string;
  durationMs?: number;
};

const COLOR: Record<string, string> = {
  ok: "\x1b[32m",
  invalid: "\x1b[33m",
  failed: "\x1b[31m",
  timeout: "\x1b[31m",
  cancelled: "\x1b[90m",
  skipped: "\x1b[90m",
};
const RESET = "\x1b[0m";

export type LiveView = { start: (labels: string[]) => void; event: (event: RunEvent) => void; stop: () => void };

export function createLiveView(options: {
  write: (text: string) => void;
  rows?: number;
  intervalMs?: number;
  now?: () => number;
}): LiveView {
  const now = options.now ?? Date.now;
  const maxRows = Math.max(5, (options.rows ?? 24) - 3);
  let rows: Row[] = [];
  let drawn = 0;
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const render = () => {
    const done = rows.filter((r) => r.state === "done").length;
    const running = rows.filter((r) => r.state === "running").length;
    const width = 30;
    const filled = rows.length === 0 ? 0 : Math.round((done / rows.length) * width);
    const lines = [
      `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${rows.length} done, ${running} running, ${rows.length - done - running} queued, ${((now() - started) / 1000).toFixed(1)} s`,
    ];
    // running first, then the latest finished, then queued: what a person needs to see at a glance
    const order = [
      ...rows.filter((r) => r.state === "running"),
      ...rows.filter((r) => r.state === "done").reverse(),
      ...rows.filter((r) => r.state === "queued"),
    ];
    for (const r of order.slice(0, maxRows)) {
      if (r.state === "running")
        lines.push(`  \x1b[36mrunning\x1b[0m  ${r.label}  ${((now() - (r.startedAt ?? now())) / 1000).toFixed(1)} s`);
      else if (r.state === "done")
        lines.push(
          `  ${COLOR[r.outcome ?? ""] ?? ""}${(r.outcome ?? "").padEnd(9)}${RESET}${r.label}  ${((r.durationMs ?? 0) / 1000).toFixed(1)} s`,
        );
      else lines.push(`  queued   ${r.label}`);
    }
    if (order.length > maxRows) lines.push(`  ... and ${order.length - maxRows} more`);
    const up = drawn > 0 ? `\x1b[${drawn}A` : "";
    options.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    drawn = lines.length;
  };

  return {
    start(labels) {
      started = now();
      rows = labels.map((label) => ({ label, state: "queued" }));
      render();
      timer = setInterval(render, options.intervalMs ?? 200);
      timer.unref?.();
    },
    event(event) {
      if (event.type === "agent-started")
        Object.assign(rows[event.index] ?? {}, { state: "running", startedAt: event.at });
      if (event.type === "agent-ended")
        Object.assign(rows[event.result.index] ?? {}, {
          state: "done",
          outcome: event.result.outcome,
          durationMs: event.result.durationMs,
        });
    },
    stop() {
      if (stopped || started === 0) return;
      stopped = true;
      clearInterval(timer);
      render();
    },
  };
}
