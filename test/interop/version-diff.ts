// What one Codex version's exports say versus the docs: the report `npm run interop -- --codex X`
// prints (scripts/interop.mjs), the step a maintainer runs when Codex releases.
import type { FieldSpec, MetricSpec, RetiredMetric } from '../../src/catalog/spec.js';
import { formatRange, sendsIn } from '../../src/catalog/versions.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import type { ViolationCode } from '../../src/verify/violations.js';

export interface VersionReport {
  readonly version: string;
  /** Whether docs/metrics.md lists it under "Codex versions" (its fixtures are committed). */
  readonly covered: boolean;
  readonly scenarios: readonly string[];
  /** Sent by this version, not documented as such: new metrics, fields and values, or out of their dated range. */
  readonly adds: readonly string[];
  /** Documented as sent by this version (its range includes it), never seen in any scenario. */
  readonly drops: readonly string[];
  /** The same for sampled metrics (those with a `sample_rate` field, 1% of items): absence proves nothing. */
  readonly sampledNotSeen: readonly string[];
  /** Seen, documented, but the docs' range does not include this version yet (extend it). */
  readonly undated: readonly string[];
  /** Anything else `verify` reports (units, buckets, kinds, required fields no longer sent…). */
  readonly changed: readonly string[];
}

const ADD_CODES: readonly ViolationCode[] = ['unknown_metric', 'undocumented_field', 'invalid_value', 'not_sent_by_version'];

export function versionReport(
  version: string,
  runs: readonly { scenario: string; points: readonly ReceivedPoint[] }[],
  specs: readonly MetricSpec[],
  options: { readonly defaultTags?: Readonly<Record<string, FieldSpec>>; readonly retired?: readonly RetiredMetric[]; readonly covered?: readonly string[] } = {},
): VersionReport {
  const checker = createConformanceChecker({ specs, defaultTags: options.defaultTags, retired: options.retired, maxDistinctViolations: 10_000 });
  const seen = new Set<string>();
  for (const run of runs) {
    checker.check(run.points);
    for (const p of run.points) seen.add(p.metric);
  }
  const violations = checker.report().violations;
  const line = (v: (typeof violations)[number]) => `${v.code}: ${v.message} (${v.count} points)`;
  const undated: string[] = [];
  const drops: string[] = [];
  const sampledNotSeen: string[] = [];
  for (const spec of specs) {
    const name = `codex.${spec.name}`;
    const sends = spec.versions ? sendsIn(spec.versions, version) : undefined;
    if (seen.has(name) && sends !== 'yes' && sends !== 'no') undated.push(`${name}: ${spec.versions ? `docs say ${formatRange(spec.versions)}` : 'not dated in the docs'}`);
    if (!seen.has(name) && sends === 'yes') (Object.hasOwn(spec.fields, 'sample_rate') ? sampledNotSeen : drops).push(`${name}: docs say ${formatRange(spec.versions!)}`);
  }
  return {
    version,
    covered: options.covered?.includes(version) ?? false,
    scenarios: [...new Set(runs.map((r) => r.scenario))],
    adds: violations.filter((v) => ADD_CODES.includes(v.code)).map(line),
    drops,
    sampledNotSeen,
    undated,
    changed: violations.filter((v) => !ADD_CODES.includes(v.code)).map(line),
  };
}
