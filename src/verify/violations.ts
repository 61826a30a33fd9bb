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
}

export function violationKey(v: Pick<Violation, 'code' | 'metric' | 'field'>): string {
  return `${v.code}\u0000${v.metric}\u0000${v.field ?? ''}`;
}
