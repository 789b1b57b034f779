// One error hierarchy, classified by who is at fault; the plugin (plugin/tool-errors.ts) and the CLI (cli/main.ts)
// each turn every kind into what their user reads in one place.

/**
 * Who is at fault: the caller's input (`input`), a journal that cannot be resumed (`resume`), a sub-agent's session
 * or its model (`session`), a JSON Schema in a file or call (`schema`), or the command line (`usage`).
 */
export type ErrorCategory = "input" | "resume" | "session" | "schema" | "usage";

/** Base of every error this project raises on purpose; anything else is a bug. */
export abstract class ParallelAgentsError extends Error {
  abstract readonly category: ErrorCategory;
}

/** The caller's input is wrong (tool parameters, CLI flags, config). Raised before anything is spawned. */
export class UserInputError extends ParallelAgentsError {
  readonly category = "input";
  override name = "UserInputError";
  readonly field: string;
  readonly fix: string;
  readonly value: unknown;
  constructor(options: { field: string; message: string; fix: string; value?: unknown }) {
    super(`${options.field}: ${options.message}${options.fix ? `. Fix: ${options.fix}` : ""}`);
    this.field = options.field;
    this.fix = options.fix;
    this.value = options.value;
  }
}

/** Several input problems found together, so the caller can fix them in one go. */
export class UserInputErrors extends ParallelAgentsError {
  readonly category = "input";
  override name = "UserInputErrors";
  readonly errors: UserInputError[];
  constructor(errors: UserInputError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.errors = errors;
  }
}

/** Short, bounded rendering of a value for an error message. */
export function describeValue(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
