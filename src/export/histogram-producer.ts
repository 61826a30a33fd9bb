// Hands the histograms aggregated in the package to an SDK reader, shaped exactly as the SDK's own
// histogram storage would export them.
import { ValueType } from '@opentelemetry/api';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import { METER_NAME } from '../runtime/codex-metrics.js';
import { HistogramStorage, type HistogramTemporality } from '../runtime/histogram-storage.js';
import { PACKAGE_VERSION } from '../version.js';
// The SDK's enums and resources are loaded on first use, so importing the package stays light.
import { resources, sdkMetrics } from './sdk-modules.js';

type HrTime = [number, number];

function hrTime(ms: number): HrTime {
  const seconds = Math.trunc(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export function histogramProducer(storage: HistogramStorage): MetricProducer {
  const { AggregationTemporality, DataPointType, InstrumentType } = sdkMetrics();
  const { emptyResource } = resources();
  const temporality = storage.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  return {
    async collect(): Promise<CollectionResult> {
      const now = Date.now();
      const endTime = hrTime(now);
      const metrics: MetricData[] = storage.collect(now).map(({ wireName, spec, points }) => ({
        descriptor: {
          name: wireName,
          description: spec.description,
          unit: spec.unit,
          type: InstrumentType.HISTOGRAM,
          valueType: ValueType.DOUBLE,
        },
        aggregationTemporality: temporality,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: points.map(({ attributes, accumulation: a }) => ({
          attributes,
          startTime: hrTime(a.startTime),
          endTime,
          value: {
            min: a.hasMinMax ? a.min : undefined,
            max: a.hasMinMax ? a.max : undefined,
            sum: a.sum,
            buckets: { boundaries: [...a.boundaries], counts: [...a.counts] },
            count: a.count,
          },
        })),
      }));
      return {
        // The reader keeps the SDK's resource; only scope metrics are taken from producers.
        resourceMetrics: { resource: emptyResource(), scopeMetrics: metrics.length ? [{ scope: { name: METER_NAME, version: PACKAGE_VERSION }, metrics }] : [] },
        errors: [],
      };
    },
  };
}

/**
 * For a reader the package creates: the storage to give createCodexMetrics and the producers to
 * give the reader, or neither when `aggregateInPackage` is false.
 */
export function ownedReaderHistograms(
  aggregateInPackage: boolean | undefined,
  temporality: HistogramTemporality,
  cardinalityLimit?: number,
): { histogramStorage: HistogramStorage | undefined; metricProducers: MetricProducer[] } {
  if (aggregateInPackage === false) return { histogramStorage: undefined, metricProducers: [] };
  const histogramStorage = new HistogramStorage({ temporality, ...(cardinalityLimit ? { cardinalityLimit } : {}) });
  return { histogramStorage, metricProducers: [histogramProducer(histogramStorage)] };
}
