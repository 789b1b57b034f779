// A per-model cap shared by every call in one process: host completions have no host lane in front of them, so this
// gate keeps concurrent tool calls in the same gateway from sending a provider more requests at once than allowed.
import { SessionError } from "../engine/port.js";

export type ModelGate = {
  /** Waits for a slot of `model` (FIFO); rejects with an aborted SessionError when `signal` fires first. */
  acquire: (model: string, signal: AbortSignal) => Promise<() => void>;
  /** Requests running now per model, for tests and diagnostics. */
  inFlight: (model: string) => number;
  /**
   * Holds every request of `model` until `untilMs` (a provider's retry-after): a 429 from one call slows all calls
   * of this process down instead of each finding the limit on its own.
   */
  pause: (model: string, untilMs: number) => void;
};

type Slot = {
  running: number;
  waiting: Array<{ grant: () => void; signal: AbortSignal; onAbort: () => void }>;
  pausedUntil: number;
  timer?: NodeJS.Timeout;
};

/** `perModel`: requests of one model in flight at once across the process. */
export function createModelGate(options: { perModel: number; now?: () => number }): ModelGate {
  const now = options.now ?? Date.now;
  const slots = new Map<string, Slot>();
  const slotOf = (model: string) => {
    let slot = slots.get(model);
    if (!slot) slots.set(model, (slot = { running: 0, waiting: [], pausedUntil: 0 }));
    return slot;
  };
  const pump = (model: string) => {
    const slot = slotOf(model);
    const wait = slot.pausedUntil - now();
    if (wait > 0) {
      if (!slot.timer) {
        slot.timer = setTimeout(() => {
          slot.timer = undefined;
          pump(model);
        }, wait);
        slot.timer.unref?.();
      }
      return;
    }
    while (slot.running < options.perModel && slot.waiting.length > 0) {
      const next = slot.waiting.shift()!;
      next.signal.removeEventListener("abort", next.onAbort);
      slot.running++;
      next.grant();
    }
    if (slot.running === 0 && slot.waiting.length === 0 && !slot.timer) slots.delete(model);
  };
  return {
    inFlight: (model) => slots.get(model)?.running ?? 0,
    pause: (model, untilMs) => {
      const slot = slotOf(model);
      slot.pausedUntil = Math.max(slot.pausedUntil, untilMs);
    },
    acquire: (model, signal) =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new SessionError("aborted", "cancelled before start"));
        const slot = slotOf(model);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          slot.running--;
          pump(model);
        };
        const entry = {
          signal,
          grant: () => resolve(release),
          onAbort: () => {
            slot.waiting.splice(slot.waiting.indexOf(entry), 1);
            reject(new SessionError("aborted", "cancelled while waiting for a model slot"));
            pump(model);
          },
        };
        signal.addEventListener("abort", entry.onAbort, { once: true });
        slot.waiting.push(entry);
        pump(model);
      }),
  };
}
