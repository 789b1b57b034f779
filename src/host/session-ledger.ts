// The child sessions this plugin left in the gateway (cleanup "keep"), remembered in its state dir so a later call can
// sweep the oldest: the host offers no listing of them, and children deleted only inside the call that made them would
// cost that call seconds. Bounded in number and age.
import fs from "node:fs";
import path from "node:path";

export type SessionLedgerOptions = {
  /** The JSON file the keys are kept in (created on first write). */
  file: string;
  /** Child sessions kept; older ones are swept. */
  keep: number;
  /** Child sessions older than this are swept whatever their number. */
  maxAgeMs: number;
  /** Deletes started by one sweep, at most. Default 64. */
  maxPerSweep?: number;
  now?: () => number;
};

export type SessionLedger = {
  /** Remembers a child session left in the gateway. */
  record: (sessionKey: string) => void;
  /** Deletes the sessions beyond `keep` or older than `maxAgeMs` (oldest first); returns how many were deleted. */
  sweep: (remove: (sessionKey: string) => Promise<void>) => Promise<number>;
  /** Sessions remembered now. */
  size: () => number;
};

type Entry = { key: string; at: number; failures?: number };

/** A session whose delete failed this many times is forgotten (the host may have removed it already). */
const MAX_FAILURES = 3;

export function createSessionLedger(options: SessionLedgerOptions): SessionLedger {
  const now = options.now ?? Date.now;
  let entries: Entry[] | undefined;
  const sweeping = new Set<string>();
  const load = (): Entry[] => {
    if (entries) return entries;
    try {
      const parsed = JSON.parse(fs.readFileSync(options.file, "utf8")) as { sessions?: unknown };
      entries = Array.isArray(parsed.sessions)
        ? parsed.sessions.filter((e): e is Entry => typeof e?.key === "string" && typeof e?.at === "number")
        : [];
    } catch {
      entries = []; // no ledger yet, or a torn one: start afresh (the sessions it named stay until the host prunes them)
    }
    return entries;
  };
  const save = () => {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    const tmp = `${options.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, sessions: load() }));
    fs.renameSync(tmp, options.file);
  };
  return {
    size: () => load().length,
    record(sessionKey) {
      const list = load();
      if (!list.some((e) => e.key === sessionKey)) list.push({ key: sessionKey, at: now() });
      save();
    },
    async sweep(remove) {
      const list = load().filter((e) => !sweeping.has(e.key));
      const cutoff = now() - options.maxAgeMs;
      const overflow = Math.max(0, list.length - options.keep);
      const victims = list.filter((e, i) => i < overflow || e.at < cutoff).slice(0, options.maxPerSweep ?? 64);
      if (victims.length === 0) return 0;
      for (const v of victims) sweeping.add(v.key);
      const done = new Set<string>();
      const failed = new Set<string>();
      await Promise.all(
        victims.map(async (v) => {
          try {
            await remove(v.key);
            done.add(v.key);
          } catch {
            failed.add(v.key); // left for a later sweep, up to MAX_FAILURES times
          } finally {
            sweeping.delete(v.key);
          }
        }),
      );
      for (const e of load()) if (failed.has(e.key)) e.failures = (e.failures ?? 0) + 1;
      entries = load().filter((e) => !done.has(e.key) && (e.failures ?? 0) < MAX_FAILURES);
      save();
      return done.size;
    },
  };
}
