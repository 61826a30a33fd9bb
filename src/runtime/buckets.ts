// Explicit bucket boundaries, the one place that decides them: set as instrument advice on the SDK
// path, so they apply on any SDK MeterProvider (the host's too) without views, and used as they are
// by CodexMetricProducer. They come from the registry (docs/metrics.md "Histogram buckets"):
// by default exactly what the Codex CLI sends, so `histogram_quantile` over data from both emitters
// sees one set of `le` values; `wide` is the package's finer/longer alternative.
import type { MetricSpec } from '../catalog/spec.js';

export type HistogramBucketsMode = 'codex' | 'wide';
export const HISTOGRAM_BUCKETS_MODES: readonly HistogramBucketsMode[] = ['codex', 'wide'];

/** The OpenTelemetry SDK's default boundaries, for a histogram the registry gives none (never for catalog metrics). */
const SDK_DEFAULT: readonly number[] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

export function bucketsFor(spec: MetricSpec, mode: HistogramBucketsMode = 'codex'): readonly number[] {
  if (!spec.buckets) return SDK_DEFAULT;
  return mode === 'wide' ? spec.buckets.wide : spec.buckets.boundaries;
}
