// Public, compile-time-checked shape of the recording API.
import type { CounterFields, CounterName, DefaultTags, HistogramFields, HistogramName } from '../generated/catalog.js';
import type { MeterProvider } from '@opentelemetry/api';
import type { GenAiOptions } from '../genai/options.js';
import type { HistogramBucketsMode } from './buckets.js';
import type { DropStats } from './drop-log.js';
import type { CodexMetricProducer } from './metric-producer.js';

/** Arguments after the name of `add`: fields (optional when the metric has no required field), then increment. */
export type CounterArgs<F> = {} extends F ? [fields?: F, increment?: number] : [fields: F, increment?: number];
/** Arguments after the value of `record`. */
export type HistogramArgs<F> = {} extends F ? [fields?: F] : [fields: F];

/** Ends a timer: records the elapsed whole milliseconds (with fields from start and stop merged) and returns them. */
export type StopTimer<F> = (fields?: Partial<F>) => number;

/**
 * The recording API. Every method also works detached (`const { add } = metrics`), and in lenient
 * mode none of them throws.
 */
export interface CodexMetrics {
  /** Adds to a counter (default increment 1). */
  add<N extends CounterName>(name: N, ...args: CounterArgs<CounterFields[N]>): void;
  /** Records a histogram value (milliseconds for `*_ms` metrics). */
  record<N extends HistogramName>(name: N, value: number, ...args: HistogramArgs<HistogramFields[N]>): void;
  /** Starts timing a `*_ms` histogram; fields may be given here, at stop, or both. */
  startTimer<N extends HistogramName>(name: N, fields?: Partial<HistogramFields[N]>): StopTimer<HistogramFields[N]>;
  /** Same instruments, some default tags overridden (per session or turn). */
  withDefaults(defaults: DefaultTags): CodexMetrics;
  /** Measurements dropped or repaired so far, by reason. Shared by all views. */
  stats(): DropStats;
  /**
   * Hands counter sums waiting in the package to the SDK now (otherwise done at each collection).
   * Nothing to do with a CodexMetricProducer, which reads the package's series at each collection.
   */
  flush(): void;
}

export interface CodexMetricsOptions {
  /** Default tags on every data point; a missing one is sent as `unknown`. */
  defaults?: DefaultTags;
  /**
   * Where instruments are created when no `metricProducer` is given. Default: the global
   * MeterProvider of @opentelemetry/api, also one registered after this call (e.g. by
   * `NodeSDK.start()`); until one is, measurements are dropped (counted, one diag warning).
   */
  meterProvider?: MeterProvider;
  /**
   * Aggregate counters and histograms in the package and export them through this producer,
   * registered on the reader (`metricProducers: [producer]`). No SDK instrument is then used: the
   * fastest set-up, at any cardinality. SDK Views do not apply to what the producer exports.
   */
  metricProducer?: CodexMetricProducer;
  /** Prefix of every emitted metric name; default `codex.`. */
  prefix?: string;
  /** Throw `CodexMetricsError` on bad input instead of dropping/repairing it; default false. */
  strict?: boolean;
  /**
   * Without a `metricProducer`: sum counter increments per series in the package (the first of
   * each collection interval goes to the SDK at once, the rest once per series at collection).
   * Default true. Set false to call the SDK on every measurement, e.g. with a MeterProvider that is
   * not the OpenTelemetry SDK. Cannot be false together with a `metricProducer`.
   */
  aggregateInPackage?: boolean;
  /**
   * Series per metric for the process lifetime, the overflow series included (default 2000): the
   * first `maxSeriesPerMetric - 1` attribute sets are kept, every further one is recorded into one
   * series `otel.metric.overflow=true` and counted in `stats().sanitized.series_limit`.
   */
  maxSeriesPerMetric?: number;
  /** Histogram bucket boundaries: `codex` (default) or `wide` (see `bucketsFor`). */
  histogramBuckets?: HistogramBucketsMode;
  /**
   * Also record the OpenTelemetry GenAI client metrics (`gen_ai.client.token.usage`,
   * `gen_ai.client.operation.duration`, `gen_ai.client.operation.time_to_first_chunk`) from the
   * same calls; default off (docs/genai.md). `{ providerName }` sets `gen_ai.provider.name`
   * (default `openai`). startCodexMetrics also reads `CODEX_OTEL_METRICS_GENAI=true`.
   */
  genAi?: boolean | GenAiOptions;
  /**
   * Fold a `session_source` default tag of the form `subagent_thread_spawn_<uuid>_d<n>` (one value per
   * parent thread: unbounded) into `subagent_thread_spawn`, once per `withDefaults`, never per call.
   * Default true; false sends such values as given.
   */
  foldSessionSource?: boolean;
}
