// A problem found in an agent-type file, pointing at the file, the line and the field, with the fix.

export type DiagnosticSeverity = "error" | "warning";

export type Diagnostic = {
  severity: DiagnosticSeverity;
  file: string;
  line: number;
  column: number;
  /** Dotted path of the field at fault (`output.properties.caption`), or "" for the whole file. */
  field: string;
  message: string;
  fix: string;
};

export function formatDiagnostic(d: Diagnostic): string {
  const where = `${d.file}:${d.line}:${d.column}`;
  const field = d.field ? ` ${d.field}:` : "";
  return `${where} ${d.severity}${field} ${d.message}${d.fix ? ` (fix: ${d.fix})` : ""}`;
}
