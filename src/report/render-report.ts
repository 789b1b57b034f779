// A run as a report: Markdown (for reading and diffing) and one self-contained HTML page whose timeline draws every
// agent as a row over time, so the parallelism and the stragglers show at a glance. Model output is escaped data.
import type { AgentResult } from "../engine/outcome.js";
import type { LoadedRun } from "../journal/run-journal.js";

const OUTCOME_COLOR: Record<string, string> = {
  ok: "#2e9d57",
  invalid: "#d9a21b",
  failed: "#d64545",
  timeout: "#b03a8c",
  cancelled: "#8a8f98",
  skipped: "#c3c7cf",
};

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function sorted(run: LoadedRun): AgentResult[] {
  return [...run.results.values()].sort((a, b) => a.index - b.index);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderMarkdownReport(run: LoadedRun): string {
  const agents = sorted(run);
  const counts: Record<string, number> = {};
  for (const a of agents) counts[a.outcome] = (counts[a.outcome] ?? 0) + 1;
  const lines = [
    `# Run ${run.runId}`,
    "",
    `Tool: ${run.tool}. Started ${new Date(run.startedAt).toISOString()}. ${run.ended ? "Finished" : "Unfinished"}. Outcomes: ${
      Object.entries(counts)
        .map(([o, n]) => `${n} ${o}`)
        .join(", ") || "none yet"
    }.`,
    "",
    "| # | agent | type | outcome | model | attempts | duration | score | cost |",
    "|---|---|---|---|---|---|---|---|---|",
    ...agents.map(
      (a) =>
        `| ${a.index + 1} | ${a.label.replace(/\|/g, "\\|")} | ${a.type} | ${a.outcome} | ${a.model ?? "default"} | ${a.attempts.map((t) => `${t.kind}:${t.outcome}`).join(", ") || "none"} | ${seconds(a.durationMs)} | ${a.judged ? a.judged.score : a.unjudged ? "unjudged" : ""} | ${a.usage?.costUsd !== undefined ? `$${a.usage.costUsd.toFixed(4)}` : ""} |`,
    ),
    "",
  ];
  for (const a of agents) {
    lines.push(`## ${a.index + 1}. ${a.label} (${a.outcome})`, "");
    if (a.reason) lines.push(`Reason: ${a.reason}`, "");
    if (a.judged) lines.push(`Judged ${a.judged.score}/10: ${a.judged.feedback.split("\n")[0]}`, "");
    const body = a.outcome === "ok" ? JSON.stringify(a.output, null, 2) : (a.text ?? "(no answer)");
    const fence = "`".repeat(Math.max(3, ...Array.from(body.matchAll(/`+/g), (m) => m[0].length + 1)));
    lines.push(`${fence}${a.outcome === "ok" ? "json" : ""}`, body, fence, "");
  }
  return lines.join("\n");
}

export function renderHtmlReport(run: LoadedRun): string {
  const agents = sorted(run);
  const started = agents.filter((a) => a.startedAt !== null);
  const t0 = Math.min(run.startedAt, ...started.map((a) => a.startedAt!));
  const t1 = Math.max(t0 + 1, ...started.map((a) => a.endedAt ?? a.startedAt!));
  const span = t1 - t0;
  const rowH = 22;
  const left = 220;
  const width = 960;
  const plot = width - left - 60; // room for the duration label after the longest bar
  const height = 40 + agents.length * rowH;
  const x = (t: number) => left + ((t - t0) / span) * plot;
  const ticks = Array.from({ length: 6 }, (_, i) => t0 + (span * i) / 5);
  const bars = agents
    .map((a, row) => {
      const y = 30 + row * rowH;
      const label = `<text x="${left - 8}" y="${y + 14}" text-anchor="end" class="label">${escapeHtml(a.label.slice(0, 32))}</text>`;
      if (a.startedAt === null)
        return `${label}<text x="${left + 4}" y="${y + 14}" class="note">${a.outcome}: never started</text>`;
      const x0 = x(a.startedAt);
      const x1 = Math.max(x0 + 2, x(a.endedAt ?? a.startedAt));
      return `${label}<rect class="bar" data-outcome="${a.outcome}" x="${x0.toFixed(1)}" y="${y + 3}" width="${(x1 - x0).toFixed(1)}" height="${rowH - 8}" rx="3" fill="${OUTCOME_COLOR[a.outcome] ?? "#999"}"><title>${escapeHtml(`${a.label}: ${a.outcome}, ${seconds(a.durationMs)}`)}</title></rect><text x="${(x1 + 4).toFixed(1)}" y="${y + 14}" class="note">${seconds(a.durationMs)}</text>`;
    })
    .join("\n");
  const axis = ticks
    .map(
      (t) =>
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="22" y2="${height}" class="grid"/><text x="${x(t).toFixed(1)}" y="16" text-anchor="middle" class="tick">${seconds(t - t0)}</text>`,
    )
    .join("");
  const legend = Object.entries(OUTCOME_COLOR)
    .map(([o, c]) => `<span><i style="background:${c}"></i>${o}</span>`)
    .join("");
  const rows = agents
    .map(
      (a) =>
        `<tr><td>${a.index + 1}</td><td>${escapeHtml(a.label)}</td><td>${escapeHtml(a.type)}</td><td><b style="color:${OUTCOME_COLOR[a.outcome]}">${a.outcome}</b></td><td>${escapeHtml(a.model ?? "default")}</td><td>${escapeHtml(a.attempts.map((t) => `${t.kind}: ${t.outcome}${t.model ? ` (${t.model})` : ""}`).join(", ") || "none")}</td><td>${seconds(a.durationMs)}</td></tr><tr class="out"><td></td><td colspan="6"><pre>${escapeHtml(a.outcome === "ok" ? JSON.stringify(a.output, null, 2) : (a.reason ?? "") + (a.text ? `\n${a.text}` : ""))}</pre></td></tr>`,
    )
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Run ${escapeHtml(run.runId)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}.sub{color:#5b6270;margin-bottom:16px}
svg{border:1px solid #e3e6ea;border-radius:6px;background:#fbfcfd}
.label{font-size:12px;fill:#1d2330}.note{font-size:11px;fill:#5b6270}.tick{font-size:11px;fill:#5b6270}.grid{stroke:#e3e6ea}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;margin-top:20px;width:100%}td,th{border-bottom:1px solid #eceef1;padding:4px 8px;text-align:left;vertical-align:top}
tr.out td{border-bottom:2px solid #e3e6ea}pre{margin:0;white-space:pre-wrap;font-size:12px;max-height:240px;overflow:auto}
</style></head><body>
<h1>Run ${escapeHtml(run.runId)}</h1>
<div class="sub">${escapeHtml(run.tool)}, started ${new Date(run.startedAt).toISOString()}, ${run.ended ? "finished" : "unfinished"}, ${agents.length} agents, ${seconds(span)} from the first start to the last end</div>
<div class="legend">${legend}</div>
<svg id="timeline" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="Timeline: each agent as a row over time">${axis}
${bars}</svg>
<table><thead><tr><th>#</th><th>agent</th><th>type</th><th>outcome</th><th>model</th><th>attempts</th><th>duration</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
