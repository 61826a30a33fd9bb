// Closest-name suggestions for unknown metrics, with bounded work whatever the name's length.

/** Longer names get no suggestion: no registry name comes close, and the work grows with length. */
export const MAX_SUGGESTED_NAME_LENGTH = 256;

/**
 * Levenshtein distance (insertions, deletions, substitutions), two rows of memory. Stops early and
 * returns `max + 1` once the distance is known to exceed `max`.
 */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    // Every later row is at least this row's minimum.
    if (rowMin > max) return max + 1;
    previous = current;
  }
  return previous[b.length] > max ? max + 1 : previous[b.length];
}

/**
 * The candidate closest to `name`, or undefined when even the closest differs in more than about
 * a third of its characters (a suggestion that far off is noise). Ties go to the earlier candidate.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_SUGGESTED_NAME_LENGTH) return undefined;
  const limit = Math.max(3, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    // Only a strictly closer candidate matters, so the search is capped at the best so far.
    const distance = editDistance(name, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
