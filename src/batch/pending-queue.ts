// Requests waiting to go out as a batch: sent when no new one arrived for a short quiet time (or the oldest has waited
// long enough), in groups within the provider's limits; a full group goes out at once.
import type { BatchLimits } from "./batch-provider.js";

/** An item in the queue: "queued" until it is sent, or dropped. */
export type PendingEntry<T> = { item: T; bytes: number; state: "queued" | "sent" | "dropped" };

export type PendingQueue<T> = {
  /** Queues an item of `bytes` bytes (its line and line break). */
  add: (item: T, bytes: number) => PendingEntry<T>;
  /** Takes a queued item back (its request was aborted): it never goes out. */
  drop: (entry: PendingEntry<T>) => void;
  /** Items queued and not dropped. */
  size: () => number;
  close: () => void;
};

export function createPendingQueue<T>(options: {
  limits: BatchLimits;
  /** Quiet time after the last item before the queue goes out. */
  flushMs: number;
  /** Longest the first item waits while others keep arriving. */
  maxFlushDelayMs: number;
  /** Sends one group (at most `limits` in count and bytes). */
  send: (items: T[]) => void;
}): PendingQueue<T> {
  const { limits } = options;
  let queue: Array<PendingEntry<T>> = [];
  let live = 0;
  let bytes = 0;
  let quietTimer: NodeJS.Timeout | undefined;
  let firstTimer: NodeJS.Timeout | undefined;
  const stopTimers = () => {
    clearTimeout(quietTimer);
    clearTimeout(firstTimer);
    quietTimer = firstTimer = undefined;
  };
  /** Sends what is queued in groups; `fullOnly` keeps the last, partial group for the items still coming. */
  const flush = (fullOnly = false) => {
    let group: Array<PendingEntry<T>> = [];
    let groupBytes = 0;
    const send = () => {
      for (const entry of group) entry.state = "sent";
      options.send(group.map((e) => e.item));
    };
    for (const entry of queue) {
      if (entry.state !== "queued") continue;
      if (group.length > 0 && (group.length >= limits.maxRequests || groupBytes + entry.bytes > limits.maxBytes)) {
        send();
        group = [];
        groupBytes = 0;
      }
      group.push(entry);
      groupBytes += entry.bytes;
    }
    if (fullOnly && group.length < limits.maxRequests && groupBytes < limits.maxBytes) {
      queue = group;
      live = group.length;
      bytes = groupBytes;
      return;
    }
    stopTimers();
    queue = [];
    live = 0;
    bytes = 0;
    if (group.length > 0) send();
  };
  return {
    add(item, size) {
      const entry: PendingEntry<T> = { item, bytes: size, state: "queued" };
      queue.push(entry);
      live++;
      bytes += size;
      clearTimeout(quietTimer);
      quietTimer = setTimeout(flush, options.flushMs);
      firstTimer ??= setTimeout(flush, options.maxFlushDelayMs);
      if (live >= limits.maxRequests || bytes >= limits.maxBytes) flush(true);
      return entry;
    },
    drop(entry) {
      if (entry.state !== "queued") return;
      entry.state = "dropped";
      live--;
      bytes -= entry.bytes;
    },
    size: () => live,
    close: stopTimers,
  };
}
