// Lines of a downloaded file as they arrive: a 200 MB batch output is never held as one string, each chunk is scanned
// once, and a line over the cap is skipped unread (only its head is kept, to name its request).
import { SessionError } from "../engine/port.js";
import type { BatchItem } from "./batch-provider.js";

/** Longest result line read by default: 8 MB (an answer far over any output cap). */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

/** Bytes of an over-long line kept: enough for the custom_id, which leads every provider's result line. */
const HEAD_BYTES = 4096;

/** A line over the cap: its first bytes and its length as far as it was read. */
export type OverLongLine = { head: string; bytes: number };

/** Each non-empty line of `body` (UTF-8), without its line break; a line over `maxBytes` as its head only. */
export async function* readLines(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  maxBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncIterable<string | OverLongLine> {
  let parts: Uint8Array[] = [];
  let size = 0;
  let overLong: OverLongLine | undefined;
  const take = (piece: Uint8Array) => {
    if (overLong) {
      overLong.bytes += piece.length;
      return;
    }
    size += piece.length;
    if (size <= maxBytes) {
      parts.push(piece);
      return;
    }
    const head = Buffer.concat([...parts, piece]).subarray(0, HEAD_BYTES);
    overLong = { head: head.toString("utf8"), bytes: size };
    parts = [];
  };
  const end = (): string | OverLongLine | undefined => {
    const line = overLong ?? Buffer.concat(parts).toString("utf8").trim();
    parts = [];
    size = 0;
    overLong = undefined;
    return line === "" ? undefined : line;
  };
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf(10, start)) !== -1) {
      take(chunk.subarray(start, newline));
      start = newline + 1;
      const line = end();
      if (line !== undefined) yield line;
    }
    if (start < chunk.length) take(chunk.subarray(start));
  }
  const last = end();
  if (last !== undefined) yield last;
}

/** The request of an over-long result line fails with its size; undefined when its head names no request. */
export function overLongError(line: OverLongLine, batchId: string, maxBytes: number): BatchItem | undefined {
  const customId = /"custom_id"\s*:\s*"([A-Za-z0-9_-]{1,128})"/.exec(line.head)?.[1];
  if (!customId) return undefined;
  return {
    customId,
    error: new SessionError("fatal", `batch ${batchId}: the answer is over ${maxBytes} bytes: not read`),
  };
}

/** `text` parsed as JSON, or undefined: a provider's line is untrusted data, never a reason to stop reading. */
export function parseLine(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
