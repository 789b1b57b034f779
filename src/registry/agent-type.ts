// An agent type as the engine uses it: the validated file plus its compiled templates and validators.
import type { AgentTypeFile } from "./agent-type-schema.js";
import type { CompiledTemplate } from "../templates/handlebars-env.js";
import type { Validator } from "../validation/json-validator.js";

export type AgentTypeSource = { kind: "builtin" | "user"; root: string; file: string };

/** A schema's `$id` (without a trailing `#`) and where it sits in the file. */
export type SchemaIdRef = { id: string; field: "input.$id" | "output.$id"; line: number; column: number };

export type AgentType = {
  readonly def: AgentTypeFile;
  readonly source: AgentTypeSource;
  readonly templates: { system: CompiledTemplate; task: CompiledTemplate };
  /** Root variables each template reads, used to decide whether `task` must be appended. */
  readonly taskTemplateUsesTask: boolean;
  readonly validateInput?: Validator<Record<string, unknown>>;
  readonly validateOutput?: Validator;
  /** Where `id:` sits in the file, for diagnostics about the whole type (duplicates, overrides). */
  readonly idPosition: { line: number; column: number };
  /** The `$id`s of the input and output schemas, for the catalogue's check that no two schemas share one. */
  readonly schemaIds: readonly SchemaIdRef[];
};
