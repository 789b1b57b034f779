import { describe, expect, it } from "vitest";
import { contextForTask, contextSection } from "../../src/tools/orchestrate/task-context.js";
import { builtinType } from "../helpers/registry.js";

describe("where the call's context goes for one task", () => {
  it("fills the context input of a type that takes one, leaving the rest of the input as the planner set it", async () => {
    const type = await builtinType("code_reviewer");
    expect(contextForTask({ type, input: { code: "x" }, context: "notes" })).toEqual({
      input: { code: "x", context: "notes" },
    });
  });

  it("appends a section when the type takes no context, or when the text does not fit its context input", async () => {
    const type = await builtinType("content_writer_funny");
    expect(contextForTask({ type, input: { topic: "t" }, context: "notes" })).toEqual({
      input: { topic: "t" },
      section: contextSection("notes"),
    });
    const general = await builtinType("general");
    const long = "x".repeat(20_001);
    expect(contextForTask({ type: general, input: undefined, context: long })).toEqual({
      input: undefined,
      section: contextSection(long),
    });
  });

  it("keeps the planner's own context, appending the call's unless the planner's already holds it", async () => {
    const type = await builtinType("code_reviewer");
    expect(contextForTask({ type, input: { context: "see: notes here" }, context: "notes here" })).toEqual({
      input: { context: "see: notes here" },
    });
    expect(contextForTask({ type, input: { context: "an excerpt" }, context: "notes" })).toEqual({
      input: { context: "an excerpt" },
      section: contextSection("notes"),
    });
  });

  it("changes nothing without a context", async () => {
    const type = await builtinType("code_reviewer");
    expect(contextForTask({ type, input: { code: "x" }, context: undefined })).toEqual({ input: { code: "x" } });
  });

  it("fences the context so that no backtick run inside it can close the block", () => {
    expect(contextSection("a ```` b")).toContain("`````\na ```` b\n`````");
  });
});
