// The inner consistency of an explicit-bucket histogram point, whatever the metric: a backend
// computing quantiles from bucket counts that do not fit the bounds, or do not add up to the count,
// silently reports wrong percentiles. Own file: the checker's other rules are about the registry.
import type { ReceivedPoint } from './points.js';

export type HistogramStructureCode = 'bucket_count_mismatch' | 'count_mismatch' | 'min_above_max';

export interface HistogramStructureProblem {
  readonly code: HistogramStructureCode;
  /** Follows the metric name in the violation message. */
  readonly message: string;
}

/**
 * Problems of an explicit-bucket histogram point (OTLP: bucket_counts is empty or one longer than
 * explicit_bounds; the counts add up to count; min <= max). Numbers beyond 2^53 are not compared.
 */
export function histogramStructure(point: ReceivedPoint): HistogramStructureProblem[] {
  if (point.kind !== 'histogram') return [];
  const problems: HistogramStructureProblem[] = [];
  const counts = point.bucketCounts ?? [];
  const bounds = point.explicitBounds ?? [];
  if (counts.length > 0 && counts.length !== bounds.length + 1) {
    problems.push({ code: 'bucket_count_mismatch', message: `has ${counts.length} bucket counts for ${bounds.length} bounds; OTLP requires ${bounds.length + 1} (one more than the bounds) or none` });
  }
  if (counts.length > 0 && point.count !== undefined && Number.isSafeInteger(point.count)) {
    let total = 0;
    for (const c of counts) total += c;
    if (Number.isSafeInteger(total) && total !== point.count) problems.push({ code: 'count_mismatch', message: `bucket counts add up to ${total} but count is ${point.count}` });
  }
  const { min, max } = point;
  if (min !== undefined && max !== undefined && min > max) problems.push({ code: 'min_above_max', message: `min ${min} is greater than max ${max}` });
  return problems;
}
