// The SDK path: measurements handed to a MeterProvider's instruments (when no CodexMetricProducer
// is used). Without an explicit provider it follows the global one, including one registered after
// createCodexMetrics() (e.g. by NodeSDK.start()): until then nothing can be recorded, which is said
// once per process (through diag, or on stderr when the host has no diag logger) and counted. A
// global provider replaced later (shut down, disabled, another registered) is followed too:
// `swapped()` is checked before each hand-over to the SDK.
import { createNoopMeter, metrics as otelMetrics, type Counter, type Histogram, type Meter, type MeterProvider, type Observable } from '@opentelemetry/api';
import type { MetricSpec } from '../catalog/spec.js';
import { PACKAGE_VERSION } from '../version.js';
import { reportLine } from './report-line.js';

/** The line is said once per process, however many metrics objects wait for a provider. */
let warnedUnbound = false;

/** Meter name the Codex Rust emitter uses, so both land in the same instrumentation scope. */
export const METER_NAME = 'codex';

export class SdkInstruments {
  private meter: Meter | undefined;
  /** The global provider the meter came from (undefined with an explicit provider). */
  private global: MeterProvider | undefined;

  constructor(
    private readonly provider: MeterProvider | undefined,
    /** Runs at the start of every collection of the bound meter (before synchronous instruments are read). */
    private readonly beforeCollect: (() => void) | undefined,
  ) {
    this.bind();
  }

  /** True once instruments reach a real MeterProvider; tries the global provider again while not. */
  bound(): boolean {
    return this.meter !== undefined || this.bind();
  }

  /** True when bound to the global provider and the global provider is now another one (or none). */
  swapped(): boolean {
    return this.global !== undefined && otelMetrics.getMeterProvider() !== this.global;
  }

  /** Lets go of the meter (and its collection callback), to bind again to whatever is global now. */
  unbind(): void {
    const meter = this.meter;
    if (meter !== undefined && this.beforeCollect) meter.removeBatchObservableCallback(this.beforeCollect, [this.anchor!]);
    this.meter = this.global = this.anchor = undefined;
    // A swap is rare and worth its own line: the once-per-process warning may be said again.
    warnedUnbound = false;
  }

  /** Says once that measurements are dropped because no MeterProvider is registered yet. */
  warnUnbound(): void {
    if (warnedUnbound) return;
    warnedUnbound = true;
    reportLine(
      'warn',
      'codex-otel-metrics: no global MeterProvider is registered yet; measurements are dropped until one is, counted in stats().dropped.no_meter_provider ' +
        '(start the SDK first, e.g. NodeSDK.start(), or pass meterProvider to createCodexMetrics)',
    );
  }

  counter(spec: MetricSpec, wireName: string): Counter {
    return this.meter!.createCounter(wireName, { description: spec.description, unit: spec.unit });
  }

  histogram(spec: MetricSpec, wireName: string, boundaries: readonly number[]): Histogram {
    return this.meter!.createHistogram(wireName, {
      description: spec.description,
      unit: spec.unit,
      advice: { explicitBucketBoundaries: [...boundaries] },
    });
  }

  private anchor: Observable | undefined;

  private bind(): boolean {
    const provider = this.provider ?? otelMetrics.getMeterProvider();
    const meter = provider.getMeter(METER_NAME, PACKAGE_VERSION);
    // The API hands out its no-op meter while nothing is registered; an explicit provider is taken as is.
    if (this.provider === undefined && meter === createNoopMeter()) return false;
    this.meter = meter;
    if (this.provider === undefined) this.global = provider;
    if (this.beforeCollect) {
      // Observable callbacks run at the start of every collection, before synchronous instruments
      // are read. The anchor never observes anything, so it is never exported.
      this.anchor = meter.createObservableGauge('codex_otel_metrics.internal.flush');
      meter.addBatchObservableCallback(this.beforeCollect, [this.anchor]);
    }
    return true;
  }
}
