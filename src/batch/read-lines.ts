// Lines of a downloaded file as they arrive: a 200 MB batch output is never held as one string.

/** Each non-empty line of `body` (UTF-8), without its line break. */
export async function* readLines(body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    let start = 0;
    while ((newline = buffer.indexOf("\n", start)) !== -1) {
      const line = buffer.slice(start, newline).trim();
      start = newline + 1;
      if (line !== "") yield line;
    }
    buffer = buffer.slice(start);
  }
  const last = (buffer + decoder.decode()).trim();
  if (last !== "") yield last;
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
