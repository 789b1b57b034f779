// What the planner must know about this call beyond its inputs, given as its task text: whether the host's tools exist
// here, and that the context reaches every task (so the planner refers to it instead of copying it).
import type { ToolAccess } from "../../runs/prepare-agent.js";

/** The notes, one line each, that open the planner's task text (its repair feedback follows them). */
export function plannerNotes(options: { context: string | undefined; tools: ToolAccess }): string {
  const lines = [
    options.tools.runtime && options.tools.allowed
      ? 'The host\'s tools (web search, fetching pages, reading files) are available in this call: set tools: "host" on a task that needs them; types marked tools: host have them unless you set tools: "none".'
      : 'The host\'s tools are not available in this call: never set tools: "host"; types marked tools: host run without them.',
  ];
  if (options.context)
    lines.push("Every task receives the context above as data: refer to it in task texts, do not copy it into them.");
  return lines.join("\n");
}
