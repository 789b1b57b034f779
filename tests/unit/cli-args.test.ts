import { describe, expect, it } from "vitest";
import { CliError, flag, flagValues, hasFlag, parseCommandArgs, type FlagSpec } from "../../src/cli/args.js";
import { COMMAND_SPECS } from "../../src/cli/command-specs.js";
import { renderCommandHelp, renderOverview } from "../../src/cli/help.js";
import { allowsEscapeCodes } from "../../src/cli/ansi.js";

const FLAGS: Record<string, FlagSpec> = {
  file: { type: "string", value: "FILE", description: "a file" },
  dir: { type: "string", multiple: true, value: "DIR", description: "a folder" },
  json: { type: "boolean", description: "JSON" },
  help: { type: "boolean", short: "h", description: "help" },
};

function refusal(argv: string[]): string {
  try {
    parseCommandArgs(argv, FLAGS);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as CliError).message;
  }
  throw new Error(`${argv.join(" ")} was accepted`);
}

describe("parseCommandArgs", () => {
  it("reads positionals, --flag value, --flag=value, repeated flags and switches", () => {
    const args = parseCommandArgs(["a", "--file", "x.yaml", "--dir", "d1", "b", "--dir=d2", "--json"], FLAGS);
    expect(args.positionals).toEqual(["a", "b"]);
    expect(flag(args, "file")).toBe("x.yaml");
    expect(flagValues(args, "dir")).toEqual(["d1", "d2"]);
    expect(hasFlag(args, "json")).toBe(true);
    expect(hasFlag(args, "help")).toBe(false);
  });

  it("keeps the last value of a flag given twice, and reads absent flags as empty", () => {
    const args = parseCommandArgs(["--file", "a", "--file", "b"], FLAGS);
    expect(flag(args, "file")).toBe("b");
    expect(flagValues(args, "dir")).toEqual([]);
    expect(flag(args, "dir")).toBeUndefined();
  });

  it("takes everything after -- as positionals", () => {
    expect(parseCommandArgs(["--", "--json", "-h"], FLAGS).positionals).toEqual(["--json", "-h"]);
  });

  it("reads -h as --help", () => {
    expect(hasFlag(parseCommandArgs(["-h"], FLAGS), "help")).toBe(true);
  });

  it.each([
    [["--fle", "x.yaml"], "unknown flag --fle (did you mean --file?)"],
    [["--jsn"], "unknown flag --jsn (did you mean --json?)"],
    [["--dirs", "a"], "unknown flag --dirs (did you mean --dir?)"],
    [["--json", "--file", "a", "--fiel=b"], "unknown flag --fiel (did you mean --file?)"],
    [["--file"], "--file needs a value"],
    [["--json=yes"], "--json takes no value"],
    [
      ["--file", "--json"],
      '--file needs a value, and "--json" looks like a flag; write --file=--json if it is the value',
    ],
  ])("refuses %j in one line: %s", (argv, message) => {
    expect(refusal(argv)).toBe(message);
  });

  it("refuses an unknown short flag, also inside a group", () => {
    expect(refusal(["-x"])).toMatch(/^unknown flag -x \(did you mean --[a-z]+\?\)$/);
    expect(refusal(["-hx"])).toMatch(/^unknown flag -x /);
  });

  it("names the first problem when there are several", () => {
    expect(refusal(["--fle", "a", "--jsn"])).toBe("unknown flag --fle (did you mean --file?)");
  });

  it("accepts a value starting with a dash when written --flag=value", () => {
    expect(flag(parseCommandArgs(["--file=-"], FLAGS), "file")).toBe("-");
    expect(flag(parseCommandArgs(["--file=-5"], FLAGS), "file")).toBe("-5");
  });
});

describe("the command table", () => {
  const specs = Object.entries(COMMAND_SPECS);

  it.each(specs)("%s accepts -h and --help, and documents every flag in its help", (name, spec) => {
    expect(hasFlag(parseCommandArgs(["-h"], spec.flags), "help")).toBe(true);
    const help = renderCommandHelp(name, spec);
    expect(help).toMatch(new RegExp(`^Usage: parallel-agents ${name} `));
    for (const [flagName, f] of Object.entries(spec.flags)) {
      expect(f.description.length, `--${flagName} of ${name} has a description`).toBeGreaterThan(0);
      expect(help).toMatch(new RegExp(`^ {2}(-\\w, )?--${flagName}${f.type === "string" ? " \\S+" : ""} {2,}\\S`, "m"));
    }
  });

  it.each(specs)("%s: short aliases are unique and every string flag names its value", (_name, spec) => {
    const shorts = Object.values(spec.flags).flatMap((f) => ("short" in f && f.short ? [f.short] : []));
    expect(new Set(shorts).size).toBe(shorts.length);
    for (const f of Object.values(spec.flags))
      if (f.type === "string") expect("value" in f && f.value).toMatch(/^[A-Z]/);
  });

  it("help lines stay within 120 columns", () => {
    for (const [name, spec] of specs)
      for (const line of renderCommandHelp(name, spec).split("\n")) expect(line.length, line).toBeLessThanOrEqual(120);
    for (const line of renderOverview(COMMAND_SPECS).split("\n")) expect(line.length, line).toBeLessThanOrEqual(120);
  });

  it("the overview lists every command with its synopsis", () => {
    const overview = renderOverview(COMMAND_SPECS);
    for (const [name, spec] of specs) expect(overview).toContain(`parallel-agents ${name} ${spec.synopsis}`);
  });
});

describe("allowsEscapeCodes", () => {
  it.each([
    [true, {}, true],
    [true, { TERM: "xterm-256color" }, true],
    [true, { NO_COLOR: "" }, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "0" }, false],
    [true, { TERM: "dumb" }, false],
  ])("isTTY %s with %j: %s", (isTTY, env, allowed) => {
    expect(allowsEscapeCodes({ isTTY, env })).toBe(allowed);
  });
});
