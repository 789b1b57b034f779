// Starts a journaled run, or loads one to resume, turning journal problems into a clear error on `resume`.
import { UserInputError } from "../errors.js";
import { ResumeError, startJournaledRun } from "../journal/run-journal.js";

export function resumeOrStart(options: Parameters<typeof startJournaledRun>[0]): ReturnType<typeof startJournaledRun> {
  try {
    return startJournaledRun(options);
  } catch (error) {
    if (error instanceof ResumeError) throw new UserInputError({ field: "resume", value: (options.raw as { resume?: unknown }).resume, message: error.message, fix: "pass the runId of an earlier run of this tool (see `parallel-agents runs`)" });
    throw error;
  }
}
