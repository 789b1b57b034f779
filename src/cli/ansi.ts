// Whether output may carry ANSI escape codes (colours, cursor moves): only on a terminal, and not when the user opts
// out with NO_COLOR (any non-empty value, see no-color.org) or the terminal says it cannot (TERM=dumb).
import type { CliIo } from "./io.js";

export function allowsEscapeCodes(io: Pick<CliIo, "isTTY" | "env">): boolean {
  return io.isTTY && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}
