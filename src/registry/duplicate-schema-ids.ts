// Finds schemas that share an `$id` across the catalogue. Each schema is compiled on its own, so a shared `$id` breaks
// nothing today, but it names two different schemas: the later file is told which file holds the other one.
import type { AgentType } from "./agent-type.js";
import type { Diagnostic } from "./diagnostic.js";

/** One warning per schema whose `$id` an earlier type (in catalogue order) or its other schema already uses. */
export function findDuplicateSchemaIds(types: Iterable<AgentType>): Diagnostic[] {
  const firstUse = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const type of types) {
    for (const ref of type.schemaIds) {
      const earlier = firstUse.get(ref.id);
      if (earlier === undefined) {
        firstUse.set(ref.id, `${ref.field} in ${type.source.file}`);
        continue;
      }
      diagnostics.push({
        severity: "warning",
        file: type.source.file,
        line: ref.line,
        column: ref.column,
        field: ref.field,
        message: `schema $id "${ref.id}" is already used by ${earlier}`,
        fix: "give each schema its own $id (or remove the $id)",
      });
    }
  }
  return diagnostics;
}
