// The plugin API a tool factory receives, with the fake host runtimes given and a fresh state dir.
import { vi } from "vitest";
import type { ToolFactoryContext } from "../../src/plugin/host-tool.js";
import { tempDir } from "./registry.js";

export async function fakeHostApi(runtime: { subagent: unknown; llm: unknown }): Promise<ToolFactoryContext["api"]> {
  const stateDir = await tempDir();
  const logger = { warn: vi.fn(), info: vi.fn(), error: vi.fn(), debug: vi.fn() };
  return {
    runtime: { subagent: runtime.subagent, llm: runtime.llm, state: { resolveStateDir: () => stateDir } },
    logger,
  } as unknown as ToolFactoryContext["api"];
}
