// The one repair attempt: the original task, the invalid answer (as data), and exactly what was wrong with it.
import { capBytes } from "./port.js";
import { fenceText } from "../text/fence-text.js";

export function buildRepairMessage(options: { message: string; previous: string; issues: string }): string {
  const previous = capBytes(options.previous, 16 * 1024).text;
  return [
    options.message,
    "",
    "## Your previous answer was rejected",
    "It did not satisfy the output contract in the system prompt:",
    options.issues,
    "",
    "Your previous answer (for reference):",
    fenceText(previous),
    "",
    "Reply again with a corrected answer that satisfies the output contract exactly, and nothing else.",
  ].join("\n");
}
