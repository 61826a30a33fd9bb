// Explicit bucket boundaries set as instrument advice, so they apply on any SDK MeterProvider
// (the host's too) without views. The SDK default stops at 10 s; turns and sandbox setup take minutes.
import type { MetricSpec } from '../catalog/spec.js';

/** 1 ms .. 30 min, roughly 1-2.5-5 per decade, then minutes. */
export const MS_BUCKETS: readonly number[] = [
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000,
];
/** Token counts: a short tool turn uses hundreds, a long context a few hundred thousand. */
export const TOKEN_BUCKETS: readonly number[] = [
  10, 50, 100, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
];
/** Small counts (tool calls per turn, skills per thread). */
export const COUNT_BUCKETS: readonly number[] = [0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500];
/** 0/1 flags recorded as histograms (thread.skills.truncated). */
export const FLAG_BUCKETS: readonly number[] = [0, 1];

export function bucketsFor(spec: MetricSpec): readonly number[] {
  if (spec.unit === 'ms') return MS_BUCKETS;
  if (spec.unit === '{token}') return TOKEN_BUCKETS;
  // Only documented 0/1 flags get two buckets; any other count histogram gets the count range.
  if (/\.truncated$/.test(spec.name)) return FLAG_BUCKETS;
  return COUNT_BUCKETS;
}
