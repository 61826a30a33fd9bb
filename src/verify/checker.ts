// Checks received data points against the metric registry and keeps a per-violation tally.
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, defaultTagsOf } from '../catalog/spec.js';
import type { FieldSpec, MetricSpec, RetiredMetric } from '../catalog/spec.js';
import { boundMessage, boundText } from './bounded-text.js';
import { codexVersionOf, fieldNotSent, versionProblems } from './codex-versions.js';
import { closestName } from './did-you-mean.js';
import { histogramStructure } from './histogram-structure.js';
import { DEFAULT_MAX_SERIES, MonotonicTracker } from './monotonic.js';
import type { ReceivedPoint } from './points.js';
import { valueProblem } from './value-rules.js';
import { ViolationTally } from './violation-tally.js';
import type { ConformanceReport, Violation, ViolationCode } from './violations.js';

export interface ConformanceCheckerOptions {
  readonly specs: readonly MetricSpec[];
  /**
   * Metrics of other conventions, on the wire under their own names (no prefix), checked like the
   * registry's instead of reported as unknown: the GenAI view's `gen_ai.*` (src/genai/conventions.ts).
   */
  readonly conventionSpecs?: readonly MetricSpec[];
  /** Types of the default tags (the generated `DEFAULT_TAGS`); without it they are checked as plain strings. */
  readonly defaultTags?: Readonly<Record<string, FieldSpec>>;
  /** Prefix in front of every catalog name on the wire. Default `codex.`. */
  readonly prefix?: string;
  /**
   * Report `missing_default_tag` when a default tag the Codex CLI attaches to the metric (its
   * `tags` scope: all five, only `originator`, or none) is absent. Default true.
   */
  readonly requireDefaultTags?: boolean;
  /**
   * Which bucket boundaries histograms must carry: the registry's (`codex`, default: what the Codex
   * CLI sends), the package's `wide` alternative, or `any` (not checked).
   */
  readonly histogramBuckets?: 'codex' | 'wide' | 'any';
  /** Retired metrics (the generated `RETIRED_METRICS`): an arriving one is reported with its replacement. */
  readonly retired?: readonly RetiredMetric[];
  /** Codes to drop entirely (e.g. `missing_default_tag` for emitters that omit an unknown auth_mode). */
  readonly ignore?: readonly ViolationCode[];
  /** Distinct violations (code + metric + field) kept in the report; later new ones are counted in `dropped`. Default 1,000. */
  readonly maxDistinctViolations?: number;
  /** Metric names listed in `metricsSeen`. Default 1,000. */
  readonly maxMetricsSeen?: number;
  /** Cumulative series tracked for going down. Default 100,000. */
  readonly maxSeries?: number;
  /** Violations returned by one `check` call besides the first occurrences (all are counted). Default 10,000. */
  readonly maxViolationsPerCheck?: number;
}

export const DEFAULT_MAX_DISTINCT_VIOLATIONS = 1_000;
export const DEFAULT_MAX_METRICS_SEEN = 1_000;
export const DEFAULT_MAX_VIOLATIONS_PER_CHECK = 10_000;

export interface ConformanceChecker {
  /**
   * Violations of these points (one per point and problem), all added to the running report. The
   * first occurrence of each distinct violation is always returned, repeats up to
   * `maxViolationsPerCheck`; violations dropped past `maxDistinctViolations` are not returned.
   */
  check(points: readonly ReceivedPoint[]): Violation[];
  /** Every distinct violation seen so far, with counts. */
  report(): ConformanceReport;
}

export function createConformanceChecker(options: ConformanceCheckerOptions): ConformanceChecker {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const requireDefaultTags = options.requireDefaultTags ?? true;
  const ignored = new Set(options.ignore ?? []);
  const byWireName = new Map([...options.specs.map((spec) => [prefix + spec.name, spec] as const), ...(options.conventionSpecs ?? []).map((spec) => [spec.name, spec] as const)]);
  const retired = new Map((options.retired ?? []).map((r) => [prefix + r.name, r]));
  const bucketsMode = options.histogramBuckets ?? 'codex';
  const defaultTags: Readonly<Record<string, FieldSpec>> = options.defaultTags ?? plainDefaultTags();
  const maxDistinct = options.maxDistinctViolations ?? DEFAULT_MAX_DISTINCT_VIOLATIONS;
  const maxMetricsSeen = options.maxMetricsSeen ?? DEFAULT_MAX_METRICS_SEEN;
  const maxPerCheck = options.maxViolationsPerCheck ?? DEFAULT_MAX_VIOLATIONS_PER_CHECK;
  const tracker = new MonotonicTracker(options.maxSeries ?? DEFAULT_MAX_SERIES);
  const tally = new ViolationTally(maxDistinct);
  const metricsSeen = new Set<string>();
  let droppedMetricNames = 0;
  let pointsChecked = 0;

  /**
   * Tallies a violation; returns it in `out` when it is a first occurrence or `out` has room. The
   * violation object is only built when it is kept or returned: most are repeats, merely counted.
   */
  function record(code: ViolationCode, metric: string, message: string, field: string | undefined, suggestion: string | undefined, out: Violation[]): void {
    const entry = tally.find(code, metric, field);
    if (entry) {
      entry.count++;
      if (out.length < maxPerCheck) out.push(violationOf(code, metric, message, field, suggestion));
      return;
    }
    const added = tally.add(() => violationOf(code, metric, message, field, suggestion));
    if (added) out.push(added);
  }

  /** The did-you-mean for an unknown name, computed once per distinct name that makes the report. */
  function suggestionFor(metric: string, wireName: string): string | undefined {
    const known = tally.find('unknown_metric', metric, undefined);
    if (known) return known.first.suggestion;
    if (ignored.has('unknown_metric') || tally.full) return undefined;
    return byWireName.has(prefix + wireName) ? prefix + wireName : closestName(wireName, byWireName.keys());
  }

  function checkPoint(point: ReceivedPoint, out: Violation[]): void {
    // Wire text in messages and keys is bounded: a 1 MiB name is echoed as 256 characters and a marker.
    const metric = boundText(point.metric);
    const report = (code: ViolationCode, message: string, field?: string, suggestion?: string): void => {
      if (ignored.has(code)) return;
      record(code, metric, message, field === undefined ? undefined : boundText(field), suggestion, out);
    };

    const spec = byWireName.get(point.metric);
    const gone = spec ? undefined : retired.get(point.metric);
    if (gone) {
      const replacement = gone.replacement ? prefix + gone.replacement : undefined;
      report('unknown_metric', `${metric} is retired (${gone.status})${replacement ? `; it is now ${replacement}` : ''}`, undefined, replacement);
      return;
    }
    if (!spec) {
      const suggestion = suggestionFor(metric, point.metric);
      report('unknown_metric', `${metric} is not in the registry${suggestion ? `; did you mean ${suggestion}?` : ''}`, undefined, suggestion);
      return;
    }

    const expectedKind = spec.kind === 'counter' ? 'counter' : 'histogram';
    const kindOk = point.kind === expectedKind;
    if (!kindOk) {
      const expected = spec.kind === 'counter' ? 'a monotonic Sum' : 'an explicit-bucket Histogram';
      report('wrong_kind', `${metric} is a ${spec.kind}: expected ${expected}, got ${KIND_NAMES[point.kind]}`);
    } else if (point.temporality === 'unspecified') {
      report('wrong_temporality', `${metric} has AGGREGATION_TEMPORALITY_UNSPECIFIED; expected cumulative or delta`);
    }

    if (!sameUnit(point.unit, spec.unit)) {
      report('wrong_unit', `${metric} has unit ${JSON.stringify(point.unit)}; expected ${JSON.stringify(spec.unit)}`);
    }
    if (kindOk && point.kind === 'histogram' && spec.buckets && bucketsMode !== 'any') {
      const expected = bucketsMode === 'wide' ? spec.buckets.wide : spec.buckets.boundaries;
      if (!sameBounds(point.explicitBounds ?? [], expected)) {
        report('wrong_buckets', `${metric} has ${point.explicitBounds?.length ?? 0} bucket boundaries that differ from the registry's \`${spec.buckets.name}\` (${expected.length}${bucketsMode === 'wide' ? ', wide' : ''}); mixed data would aggregate wrongly`);
      }
    }

    const version = codexVersionOf(point);
    for (const problem of versionProblems(point, spec, version, metric)) report('not_sent_by_version', problem.message, problem.field);
    for (const field of spec.required) {
      if (!Object.hasOwn(point.attributes, field) && !fieldNotSent(spec.fields[field], version)) report('missing_field', `${metric} lacks required field ${field}`, field);
    }
    if (requireDefaultTags) {
      for (const tag of defaultTagsOf(spec.tags)) {
        if (!Object.hasOwn(point.attributes, tag) && !spec.required.includes(tag)) {
          report('missing_default_tag', `${metric} lacks default tag ${tag}`, tag);
        }
      }
    }
    for (const [key, value] of Object.entries(point.attributes)) {
      const field = own(spec.fields, key) ?? own(defaultTags, key);
      if (!field) {
        report('undocumented_field', `${metric} carries ${key}, which is neither a documented field of it nor a default tag`, key);
        continue;
      }
      const problem = valueProblem(value, field);
      if (problem) report('invalid_value', `${metric} field ${key} ${problem}`, key);
    }

    const nonFinite = nonFiniteNumber(point);
    if (nonFinite) report('invalid_number', `${metric} ${nonFinite} is not a finite number`);
    if (kindOk) for (const problem of histogramStructure(point)) report(problem.code, `${metric} ${problem.message}`);
    if (kindOk) checkMonotonic(point, report);
  }

  function checkMonotonic(point: ReceivedPoint, report: (code: ViolationCode, message: string) => void): void {
    const value = point.kind === 'counter' ? point.value : point.count;
    // NaN and ±Infinity are reported as invalid_number and never compared.
    if (value === undefined || !Number.isFinite(value)) return;
    if (point.kind === 'counter' && value < 0) {
      report('non_monotonic', `${point.metric} counter reported ${value}; counter values are never negative`);
      return;
    }
    if (point.temporality !== 'cumulative') return;
    const previous = tracker.observe(point, value);
    if (previous !== undefined) {
      const what = point.kind === 'counter' ? 'cumulative sum' : 'cumulative histogram count';
      report('non_monotonic', `${point.metric} ${what} went down from ${previous} to ${value} within one series`);
    }
  }

  return {
    check(points) {
      const violations: Violation[] = [];
      for (const point of points) {
        pointsChecked++;
        const name = boundText(point.metric);
        if (metricsSeen.size < maxMetricsSeen || metricsSeen.has(name)) metricsSeen.add(name);
        else droppedMetricNames++;
        checkPoint(point, violations);
      }
      return violations;
    },
    report() {
      const violations = tally.summaries();
      return {
        ok: violations.length === 0 && tally.dropped === 0,
        pointsChecked,
        metricsSeen: [...metricsSeen].sort(),
        violations,
        dropped: { violations: tally.dropped, metricNames: droppedMetricNames, monotonicChecks: tracker.untracked },
      };
    },
  };
}

const KIND_NAMES: Record<ReceivedPoint['kind'], string> = {
  counter: 'a monotonic Sum',
  updowncounter: 'a non-monotonic Sum',
  gauge: 'a Gauge',
  histogram: 'an explicit-bucket Histogram',
  exponential_histogram: 'an ExponentialHistogram',
  summary: 'a Summary',
};

/**
 * Units that name the same Prometheus series: equal, or both dimensionless. The Codex CLI sends no
 * unit on counts; the registry writes `1` or an annotation such as `{token}`, which Prometheus
 * naming drops as well.
 */
export function sameUnit(actual: string, expected: string): boolean {
  const dimensionless = (u: string) => u === '' || u === '1' || /^\{[^{}]*\}$/.test(u);
  return actual === expected || (dimensionless(actual) && dimensionless(expected));
}

function sameBounds(actual: readonly number[], expected: readonly number[]): boolean {
  return actual.length === expected.length && actual.every((b, i) => b === expected[i]);
}

function violationOf(code: ViolationCode, metric: string, message: string, field: string | undefined, suggestion: string | undefined): Violation {
  return { code, metric, message: boundMessage(message), ...(field !== undefined ? { field } : {}), ...(suggestion ? { suggestion } : {}) };
}

const NUMBER_KEYS = ['value', 'sum', 'min', 'max'] as const;

/** Which number of a point is NaN or ±Infinity, if any: the value of a sum, a histogram's sum, min or max. */
function nonFiniteNumber(point: ReceivedPoint): string | undefined {
  for (const key of NUMBER_KEYS) {
    const value = point[key];
    if (value !== undefined && !Number.isFinite(value)) return key;
  }
  return undefined;
}

function plainDefaultTags(): Record<string, FieldSpec> {
  return Object.fromEntries(DEFAULT_TAG_KEYS.map((name) => [name, { name, type: 'string', description: '' } satisfies FieldSpec]));
}

/** Own properties only: attribute keys such as `toString` or `constructor` must not find Object.prototype's. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
