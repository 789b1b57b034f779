// Text inside a Markdown code fence that the text itself cannot close: template-free, so the engine can use it too.

/** `text` fenced with one more backtick than its longest backtick run (at least three). */
export function fenceText(text: string, lang = ""): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${lang}\n${text}\n${fence}`;
}
