/**
 * "Did you mean ...?": the known name nearest to a mistyped one.
 *
 * @module
 */

/**
 * The closest of `candidates` to `word` within `maxDistance` edits, ignoring case,
 * "-", "_" and spaces (optimal string alignment: insertions, deletions, substitutions,
 * swaps of neighbours); undefined when none is that close, or when every edit would
 * replace the whole word.
 */
export function nearestName(
  word: string,
  candidates: readonly string[],
  maxDistance = 2,
): string | undefined {
  const normalize = (text: string) => text.toLowerCase().replace(/[-_\s]/g, "");
  const target = normalize(word);
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalize(candidate));
    if (
      distance <= maxDistance && distance < target.length &&
      (best === undefined || distance < best.distance)
    ) {
      best = { candidate, distance };
    }
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from(
    { length: a.length + 1 },
    (_, i) => [i, ...new Array<number>(b.length).fill(0)],
  );
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}
