// "Did you mean" for unknown ids: the nearest known ids by edit distance.

export function nearestIds(wanted: string, known: Iterable<string>, limit = 3): string[] {
  const scored = [...known].map((id) => ({ id, d: distance(wanted.toLowerCase(), id) }));
  scored.sort((a, b) => a.d - b.d || a.id.localeCompare(b.id));
  const cutoff = Math.max(3, Math.ceil(wanted.length / 2));
  const near = scored.filter((s) => s.d <= cutoff || s.id.includes(wanted.toLowerCase()));
  return (near.length > 0 ? near : scored).slice(0, limit).map((s) => s.id);
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
