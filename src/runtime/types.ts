// Public, compile-time-checked shape of the recording API.
import type { CounterFields, CounterName, DefaultTags, HistogramFields, HistogramName } from '../generated/catalog.js';
import type { MeterProvider } from '@opentelemetry/api';
import type { DropStats } from './drop-log.js';
import type { HistogramStorage } from './histogram-storage.js';

/** Arguments after the name of `add`: fields (optional when the metric has no required field), then increment. */
export type CounterArgs<F> = {} extends F ? [fields?: F, increment?: number] : [fields: F, increment?: number];
/** Arguments after the value of `record`. */
export type HistogramArgs<F> = {} extends F ? [fields?: F] : [fields: F];

/** Ends a timer: records the elapsed whole milliseconds (with fields from start and stop merged) and returns them. */
export type StopTimer<F> = (fields?: Partial<F>) => number;

export interface CodexMetrics {
  /** Adds to a counter (default increment 1). */
  add<N extends CounterName>(name: N, ...args: CounterArgs<CounterFields[N]>): void;
  /** Records a histogram value (milliseconds for `*_ms` metrics). */
  record<N extends HistogramName>(name: N, value: number, ...args: HistogramArgs<HistogramFields[N]>): void;
  /** Starts timing a `*_ms` histogram; fields may be given here, at stop, or both. */
  startTimer<N extends HistogramName>(name: N, fields?: Partial<HistogramFields[N]>): StopTimer<HistogramFields[N]>;
  /** Same instruments, some default tags overridden (per session or turn). */
  withDefaults(defaults: DefaultTags): CodexMetrics;
  /** Measurements dropped or repaired so far (lenient mode), by reason. Shared by all views. */
  stats(): DropStats;
  /** Hands measurements aggregated in the package to the SDK now (normally done at each collection). */
  flush(): void;
}

export interface CodexMetricsOptions {
  /** Default tags on every data point; a missing one is sent as `unknown`. */
  defaults?: DefaultTags;
  /** Where instruments are created; default: the global MeterProvider of @opentelemetry/api. */
  meterProvider?: MeterProvider;
  /** Prefix of every emitted metric name; default `codex.`. */
  prefix?: string;
  /** Throw `CodexMetricsError` on bad input instead of dropping/repairing it; default false. */
  strict?: boolean;
  /**
   * Sum counter increments per series in the package (the first of each collection interval goes
   * to the SDK at once, the rest once per series at collection), and aggregate histograms in
   * `histogramStorage` when one is given (default true). Set false to call the SDK on every
   * measurement, e.g. with a MeterProvider that is not the OpenTelemetry SDK.
   */
  aggregateInPackage?: boolean;
  /** Series per metric and view kept in the package's cache; beyond it calls are validated each time. Default 2000. */
  maxSeriesPerMetric?: number;
  /**
   * Aggregate histograms in the package instead of the SDK's instruments; the storage's data must
   * reach the reader as a MetricProducer. Set by `startCodexMetrics` and the testing helper, which
   * own their reader; leave unset with a host's MeterProvider.
   */
  histogramStorage?: HistogramStorage;
}
