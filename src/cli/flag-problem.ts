// Says in one line what is wrong with a command's flags after the strict parse refused them: an unknown flag with
// the nearest known one, a missing value, a value on a switch, or a value that looks like a flag.
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { nearestIds } from "../registry/suggest.js";

/** The first problem in `argv`, or undefined when the tokens show none (the caller keeps parseArgs' own message). */
export function describeFlagProblem(argv: readonly string[], options: ParseArgsOptionsConfig): string | undefined {
  // the lenient parse keeps every token, so the first bad one can be named
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = options[token.name];
    if (!option)
      return `unknown flag ${token.rawName} (did you mean --${nearestIds(token.name, Object.keys(options), 1)[0]}?)`;
    if (option.type === "boolean" && token.value !== undefined) return `${token.rawName} takes no value`;
    if (option.type !== "string") continue;
    if (token.value === undefined) return `${token.rawName} needs a value`;
    if (!token.inlineValue && token.value.length > 1 && token.value.startsWith("-")) {
      return `${token.rawName} needs a value, and "${token.value}" looks like a flag; write ${token.rawName}=${token.value} if it is the value`;
    }
  }
  return undefined;
}
