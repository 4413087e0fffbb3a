/**
 * Fuzzy matching for the quick switcher: the query's characters must appear
 * in order in the name (case- and accent-insensitive). Scores favour a
 * prefix, matches at word starts and consecutive runs, then shorter names.
 */
const fold = (s: string) => s.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

/** A score (higher is better), or null when the name does not match. */
export function fuzzyScore(query: string, name: string): number | null {
  const q = fold(query.trim());
  if (!q) return 0;
  const n = fold(name);
  let score = 0;
  let at = 0;
  let run = 0;
  for (const ch of q) {
    if (ch === " ") continue;
    const found = n.indexOf(ch, at);
    if (found === -1) return null;
    const wordStart = found === 0 || /[\s\-_.#]/.test(n[found - 1]!);
    run = found === at ? run + 1 : 0;
    score += 1 + (wordStart ? 8 : 0) + run * 3 - Math.min(found - at, 10) * 0.5;
    at = found + 1;
  }
  if (n.startsWith(q)) score += 20;
  return score - n.length * 0.05;
}

/** The items whose name matches, best first (ties keep their order). */
export function fuzzyFilter<T>(query: string, items: T[], nameOf: (item: T) => string): T[] {
  return items
    .map((item, i) => ({ item, i, score: fuzzyScore(query, nameOf(item)) }))
    .filter((x): x is { item: T; i: number; score: number } => x.score !== null)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .map((x) => x.item);
}
