// Codex versions in the registry: which covered versions sent a metric, a field or a value, and
// what follows for a version in between or beyond (docs/metrics.md "Codex versions").
import { CatalogError } from './errors.js';
import type { VersionRange } from './spec.js';

export const RELEASE_VERSION = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/;
/** `A..` (sent from A on) or `A..B` (sent from A through B). */
const RANGE = /^(\S+?)\.\.(\S*)$/;

/** Orders release versions numerically (0.99.0 < 0.160.0); both must match RELEASE_VERSION. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** A written range (`0.160.0..`, `0.160.0..0.169.1`) checked against the covered versions. */
export function parseVersionRange(text: string, covered: readonly string[], file: string, line: number, what: string): VersionRange {
  const m = RANGE.exec(text.trim());
  const problem = (reason: string) => new CatalogError(file, line, `${what} has Codex versions "${text}": ${reason}`);
  if (!m || !RELEASE_VERSION.test(m[1]) || (m[2] !== '' && !RELEASE_VERSION.test(m[2]))) throw problem('expected `A..` (from A on) or `A..B` (from A through B), with versions such as 0.171.0');
  const [since, until] = [m[1], m[2] || undefined];
  for (const v of [since, until]) {
    if (v !== undefined && !covered.includes(v)) throw problem(`${v} is not a covered version (the "Codex versions" table of the metrics doc lists ${covered.join(', ') || 'none'})`);
  }
  if (until !== undefined && compareVersions(until, since) < 0) throw problem('the range ends before it starts');
  if (until !== undefined && until === covered[covered.length - 1]) throw problem(`${until} is the newest covered version: write \`${since}..\``);
  const before = covered.filter((v) => compareVersions(v, since) < 0);
  const after = until === undefined ? [] : covered.filter((v) => compareVersions(v, until) > 0);
  return {
    since,
    ...(until !== undefined ? { until } : {}),
    ...(before.length ? { absentThrough: before[before.length - 1] } : {}),
    ...(after.length ? { absentFrom: after[0] } : {}),
  };
}

/**
 * Whether Codex `version` sends what `range` describes: `yes` inside it, `no` when a covered
 * version at or beyond `version`, on the far side of the range, did not send it (releases add and
 * remove metrics once), `unknown` between the range and the nearest covered version outside it.
 */
export function sendsIn(range: VersionRange, version: string): 'yes' | 'no' | 'unknown' {
  if (range.absentThrough !== undefined && compareVersions(version, range.absentThrough) <= 0) return 'no';
  if (range.absentFrom !== undefined && compareVersions(version, range.absentFrom) >= 0) return 'no';
  if (compareVersions(version, range.since) < 0) return 'unknown';
  if (range.until !== undefined && compareVersions(version, range.until) > 0) return 'unknown';
  return 'yes';
}

/** `0.160.0..` or `0.160.0..0.169.1`, as the docs write it. */
export function formatRange(range: VersionRange): string {
  return `${range.since}..${range.until ?? ''}`;
}
