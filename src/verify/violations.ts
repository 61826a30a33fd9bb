// What the conformance checker reports.

export const VIOLATION_CODES = [
  'unknown_metric',
  'wrong_kind',
  'wrong_temporality',
  'wrong_unit',
  'wrong_buckets',
  'missing_field',
  'undocumented_field',
  'missing_default_tag',
  'invalid_value',
  'non_monotonic',
  'invalid_number',
  // Histogram structure (histogram-structure.ts).
  'bucket_count_mismatch',
  'count_mismatch',
  'min_above_max',
  'not_sent_by_version',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

export interface Violation {
  readonly code: ViolationCode;
  /** Wire name of the metric, prefix included. */
  readonly metric: string;
  /** Attribute key, for attribute-level codes. */
  readonly field?: string;
  readonly message: string;
  /** `unknown_metric` only: the closest registry name, when one is close enough. */
  readonly suggestion?: string;
}

/** One distinct violation (code + metric + field) with how many data points showed it. */
export interface ViolationSummary extends Violation {
  readonly count: number;
}

export interface ConformanceReport {
  readonly ok: boolean;
  readonly pointsChecked: number;
  /** Distinct metric names received, sorted. */
  readonly metricsSeen: readonly string[];
  /** Sorted by code, metric, field; `message` is the first occurrence's. */
  readonly violations: readonly ViolationSummary[];
  /** What the checker's bounded state could not hold (all 0 unless a limit was reached). */
  readonly dropped: DroppedCounts;
}

/** Counts past the checker's limits, so a capped report still says how much it left out. */
export interface DroppedCounts {
  /** Violations of a code + metric + field first seen after `maxDistinctViolations` distinct ones (occurrences). */
  readonly violations: number;
  /** Points whose metric name was not added to `metricsSeen` because it held `maxMetricsSeen` names. */
  readonly metricNames: number;
  /** Cumulative points not checked for going down because `maxSeries` series were already tracked. */
  readonly monotonicChecks: number;
}

export function violationKey(v: Pick<Violation, 'code' | 'metric' | 'field'>): string {
  return `${v.code}\u0000${v.metric}\u0000${v.field ?? ''}`;
}
