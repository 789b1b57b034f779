// A prepared agent for engine tests: json output `{ n: number }`, one rung (the host's model), a 5 s limit.
import type { PreparedAgent } from "../../src/engine/scheduler.js";
import { getValidator } from "../../src/validation/json-validator.js";

const validate = getValidator({ type: "object", required: ["n"], properties: { n: { type: "number" } } });

export function preparedAgent(i: number, over: Partial<PreparedAgent> = {}): PreparedAgent {
  return {
    id: `a${i}`,
    type: "t",
    label: `a${i}`,
    format: "json",
    validateOutput: validate,
    ladder: [undefined],
    timeoutMs: 5000,
    prompt: { system: "s", message: `m${i}` },
    ...over,
  };
}
