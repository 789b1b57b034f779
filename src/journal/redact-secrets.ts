// Redaction by value: the secrets in use (the API key, configured secrets) and bearer credentials are cut out of every
// string a journal writes. Keys are never a reason to redact, and numbers are never touched: budgets, usage and model
// output come back from a journal exactly as they went in.

/** Text written in place of a secret. */
export const REDACTED = "[redacted]";

/** Secrets shorter than this are ignored: replacing a short, common string would alter ordinary text. */
export const MIN_SECRET_LENGTH = 8;

// A bearer credential is a secret by its value, whatever key or text it sits in.
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

export type Redact = (text: string) => string;

/** Builds the redaction of one journal: every secret value (at least 8 characters) and every bearer credential. */
export function createRedactor(secrets: ReadonlyArray<string | undefined> = []): Redact {
  // longest first, so a secret that contains another is cut out whole
  const values = [...new Set(secrets)]
    .filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out.replace(BEARER, `$1${REDACTED}`);
  };
}

/** JSON text of `value` with every string, object keys included, redacted; structure, numbers and booleans as they are. */
export function stringifyRedacted(value: unknown, redact: Redact): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string") return redact(v);
    if (!v || typeof v !== "object" || Array.isArray(v)) return v;
    const entries = Object.entries(v);
    // a secret used as a key is rare: rebuild the object only then
    return entries.some(([k]) => redact(k) !== k) ? Object.fromEntries(entries.map(([k, x]) => [redact(k), x])) : v;
  });
}
