// In-memory set-up for users' own tests: record through the real SDK, read back flat points.
import { AggregationTemporality, DataPointType, MeterProvider, MetricReader, type MetricProducer, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { closeCodexMetrics, createCodexMetrics } from '../runtime/codex-metrics.js';
import { CodexMetricProducer } from '../runtime/metric-producer.js';
import type { CodexMetrics, CodexMetricsOptions } from '../runtime/types.js';

export interface RecordedPoint {
  /** Emitted name, prefix included (`codex.api_request`). */
  readonly name: string;
  readonly kind: 'counter' | 'histogram';
  readonly unit: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Counter sum. */
  readonly value?: number;
  /** Histogram aggregates. */
  readonly sum?: number;
  readonly count?: number;
  readonly min?: number;
  readonly max?: number;
  readonly boundaries?: readonly number[];
  readonly buckets?: readonly number[];
}

export interface TestCodexMetrics {
  readonly metrics: CodexMetrics;
  readonly meterProvider: MeterProvider;
  /** Collects now and lists every point (cumulative since start). */
  snapshot(): Promise<RecordedPoint[]>;
  shutdown(): Promise<void>;
}

class InMemoryReader extends MetricReader {
  constructor(temporality: AggregationTemporality, producers: MetricProducer[]) {
    super({ aggregationTemporalitySelector: () => temporality, metricProducers: producers });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export function createTestCodexMetrics(
  options: Omit<CodexMetricsOptions, 'meterProvider' | 'metricProducer'> & { temporality?: 'cumulative' | 'delta' } = {},
): TestCodexMetrics {
  // Same set-up as startCodexMetrics: aggregated in the package unless turned off.
  const temporality = options.temporality === 'delta' ? 'delta' : 'cumulative';
  const metricProducer = options.aggregateInPackage === false ? undefined : new CodexMetricProducer({ temporality });
  const reader = new InMemoryReader(temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE, metricProducer ? [metricProducer] : []);
  const meterProvider = new MeterProvider({ readers: [reader] });
  const metrics = createCodexMetrics({ ...options, meterProvider, metricProducer });
  return {
    metrics,
    meterProvider,
    async snapshot() {
      const { resourceMetrics } = await reader.collect();
      return flattenResourceMetrics(resourceMetrics);
    },
    shutdown: () => {
      closeCodexMetrics(metrics);
      return meterProvider.shutdown();
    },
  };
}

/** Flattens SDK ResourceMetrics into one entry per data point. */
export function flattenResourceMetrics(rm: ResourceMetrics): RecordedPoint[] {
  const out: RecordedPoint[] = [];
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const attributes = Object.fromEntries(Object.entries(point.attributes).map(([k, v]) => [k, String(v)]));
        const base = { name: metric.descriptor.name, unit: metric.descriptor.unit, attributes };
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const h = point.value as { sum?: number; count: number; min?: number; max?: number; buckets: { boundaries: number[]; counts: number[] } };
          out.push({ ...base, kind: 'histogram', sum: h.sum, count: h.count, min: h.min, max: h.max, boundaries: h.buckets.boundaries, buckets: h.buckets.counts });
        } else {
          out.push({ ...base, kind: 'counter', value: point.value as number });
        }
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}
