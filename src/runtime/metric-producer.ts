// CodexMetricProducer: the package's own aggregation (counters and histograms), handed to an SDK
// reader as a MetricProducer, so measurements never go through SDK instruments (no attribute hash
// per call, no SDK call per series at collection). Data points are built here in the SDK's shapes;
// only types come from sdk-metrics, so importing this module does not load the SDK.
import { ValueType, type HrTime } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type {
  AggregationTemporality,
  CollectionResult,
  DataPointType,
  InstrumentType,
  MetricData,
  MetricProducer,
} from '@opentelemetry/sdk-metrics';
import { PACKAGE_VERSION } from '../version.js';
import { CodexMetricsError } from './errors.js';
import { hrTime, type CollectedMetric, type CollectionClock, type Temporality } from './metric-series.js';
import { METER_NAME } from './sdk-instruments.js';

// sdk-metrics enum values (AggregationTemporality, DataPointType, InstrumentType), written out
// because only its types are imported.
const DELTA = 0 as AggregationTemporality.DELTA;
const CUMULATIVE = 1 as AggregationTemporality.CUMULATIVE;
const HISTOGRAM_POINTS = 0 as DataPointType.HISTOGRAM;
const SUM_POINTS = 3 as DataPointType.SUM;
const COUNTER_INSTRUMENT = 'COUNTER' as InstrumentType.COUNTER;
const HISTOGRAM_INSTRUMENT = 'HISTOGRAM' as InstrumentType.HISTOGRAM;

/** What a CodexMetricProducer reads at each collection (the series of one createCodexMetrics). */
export interface SeriesSource {
  collect(temporality: Temporality, clock: CollectionClock): CollectedMetric[];
}

/** Links a producer to the metrics object that records into it; not part of the public API. */
export const ATTACH = Symbol('codex-otel-metrics.attach');

/** The reader keeps its own resource: only the scope metrics of a producer are used. */
const NO_RESOURCE: Resource = {
  attributes: {},
  asyncAttributesPending: false,
  waitForAsyncAttributes: async () => {},
  merge: (other) => other ?? NO_RESOURCE,
  getRawAttributes: () => [],
};
const SCOPE = { name: METER_NAME, version: PACKAGE_VERSION };

export interface CodexMetricProducerOptions {
  /**
   * The temporality of the reader this producer is registered on (default `cumulative`). A reader
   * does not tell its producers, so it must be given here; `delta` for a reader whose exporter
   * prefers delta (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta or lowmemory).
   */
  temporality?: Temporality;
}

/**
 * Register on exactly one reader (`metricProducers: [producer]`) and pass to exactly one
 * `createCodexMetrics({ metricProducer })`. SDK Views do not apply to what it exports.
 */
export class CodexMetricProducer implements MetricProducer {
  readonly temporality: Temporality;
  private source: SeriesSource | undefined;
  private seq = 0;
  private previousEnd: HrTime | undefined;

  constructor(options: CodexMetricProducerOptions = {}) {
    const temporality = options.temporality ?? 'cumulative';
    if (temporality !== 'cumulative' && temporality !== 'delta') {
      throw new CodexMetricsError('invalid_option', 'temporality', undefined, 'must be "cumulative" or "delta"');
    }
    this.temporality = temporality;
  }

  [ATTACH](source: SeriesSource): void {
    if (this.source !== undefined) {
      throw new CodexMetricsError('invalid_option', 'metricProducer', undefined, 'is already used by another createCodexMetrics()');
    }
    this.source = source;
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime(Date.now());
    const clock: CollectionClock = { seq: ++this.seq, endTime, previousEnd: this.previousEnd };
    this.previousEnd = endTime;
    let metrics: MetricData[] = [];
    const errors: unknown[] = [];
    try {
      const collected = this.source?.collect(this.temporality, clock) ?? [];
      metrics = collected.map((m) => this.metricData(m));
    } catch (err) {
      errors.push(err); // the reader reports it through diag
    }
    return { resourceMetrics: { resource: NO_RESOURCE, scopeMetrics: metrics.length > 0 ? [{ scope: SCOPE, metrics }] : [] }, errors };
  }

  private metricData(collected: CollectedMetric): MetricData {
    const { spec, wireName } = collected;
    const aggregationTemporality = this.temporality === 'delta' ? DELTA : CUMULATIVE;
    if (collected.kind === 'counter') {
      return {
        descriptor: { name: wireName, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE, type: COUNTER_INSTRUMENT } as MetricData['descriptor'],
        aggregationTemporality,
        dataPointType: SUM_POINTS,
        dataPoints: collected.points,
        isMonotonic: true,
      };
    }
    return {
      descriptor: { name: wireName, description: spec.description, unit: spec.unit, valueType: ValueType.DOUBLE, type: HISTOGRAM_INSTRUMENT } as MetricData['descriptor'],
      aggregationTemporality,
      dataPointType: HISTOGRAM_POINTS,
      dataPoints: collected.points,
    };
  }
}
