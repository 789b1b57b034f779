// How a refused call reaches the host: a thrown Error whose message names every field, value and fix.
import { UserInputError, UserInputErrors } from "../errors.js";

export function refusal(tool: string, error: unknown): Error {
  if (error instanceof UserInputErrors) {
    return new Error(
      `${tool}: invalid call, nothing was started:\n${error.errors.map((e) => `- ${e.message}`).join("\n")}`,
    );
  }
  if (error instanceof UserInputError)
    return new Error(`${tool}: invalid call, nothing was started:\n- ${error.message}`);
  return error instanceof Error ? error : new Error(String(error));
}
