// Errors classified by who is at fault; each carries the field, the offending value and the fix.

/** The caller's input is wrong (tool parameters, CLI flags, config). Raised before anything is spawned. */
export class UserInputError extends Error {
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
export class UserInputErrors extends Error {
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
