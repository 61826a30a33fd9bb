// startCodexMetrics: a MeterProvider with an OTLP/HTTP exporter, ready to record. src/export/ is
// the only place that uses the SDK and the exporters; the runtime itself only needs the API.
import { createNoopMeter, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, InstrumentType, MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { DefaultTags } from '../generated/catalog.js';
import { createCodexMetrics } from '../runtime/codex-metrics.js';
import { normalizeDefaults } from '../runtime/default-tags.js';
import { DropLog } from '../runtime/drop-log.js';
import type { CodexMetrics, CodexMetricsOptions } from '../runtime/types.js';
import { resolveExportConfig, type ExportConfig, type ExportOptions } from './config.js';
import { createOtlpExporter } from './exporter.js';
import { ownedReaderHistograms } from './histogram-producer.js';

export interface StartCodexMetricsOptions extends Omit<CodexMetricsOptions, 'meterProvider'>, ExportOptions {
  /** Flush and shut down on the process's `beforeExit` (default false: the host decides). */
  flushOnExit?: boolean;
  /** Use this exporter instead of OTLP/HTTP (tests, custom transports). */
  exporter?: PushMetricExporter;
  /** Environment to read OTEL_* variables from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export interface CodexMetricsSession {
  readonly metrics: CodexMetrics;
  /** Undefined when `OTEL_SDK_DISABLED=true`. */
  readonly meterProvider: MeterProvider | undefined;
  readonly config: ExportConfig;
  /** Collects and exports now; resolves within the export timeout, never rejects. */
  forceFlush(): Promise<void>;
  /** Final export and shutdown; resolves within the export timeout (+ a little), never rejects. Idempotent. */
  shutdown(): Promise<void>;
}

const NOOP_PROVIDER: ApiMeterProvider = { getMeter: () => createNoopMeter() };

export function startCodexMetrics(options: StartCodexMetricsOptions = {}): CodexMetricsSession {
  const config = resolveExportConfig(options, options.env ?? process.env);
  if (config.disabled) {
    const metrics = createCodexMetrics({ ...options, meterProvider: NOOP_PROVIDER, aggregateInPackage: false });
    return { metrics, meterProvider: undefined, config, forceFlush: async () => {}, shutdown: async () => {} };
  }
  const version = serviceVersion(options.defaults);
  // SDK attributes (telemetry.sdk.*), then OTEL_RESOURCE_ATTRIBUTES, then what config resolved.
  const resource = defaultResource().merge(
    resourceFromAttributes({
      ...(version ? { 'service.version': version } : {}),
      ...config.resourceAttributes,
      'service.name': config.serviceName,
    }),
  );
  // This provider is ours, so histograms can be aggregated in the package and handed to the
  // reader as a MetricProducer (same data as the SDK would export, without per-call hashing).
  const { histogramStorage, metricProducers } = ownedReaderHistograms(
    options.aggregateInPackage,
    histogramTemporality(options.exporter, config),
    config.cardinalityLimit,
  );
  const reader = new PeriodicExportingMetricReader({
    exporter: options.exporter ?? createOtlpExporter(config),
    exportIntervalMillis: config.intervalMillis,
    exportTimeoutMillis: config.timeoutMillis,
    cardinalityLimits: { default: config.cardinalityLimit },
    metricProducers,
  });
  const meterProvider = new MeterProvider({ resource, readers: [reader] });
  const metrics = createCodexMetrics({ ...options, meterProvider, histogramStorage });
  const bound = config.timeoutMillis + 50;

  let shutdownPromise: Promise<void> | undefined;
  const onExit = () => void shutdown();
  const shutdown = (): Promise<void> => {
    if (!shutdownPromise) {
      process.off('beforeExit', onExit);
      shutdownPromise = withDeadline(meterProvider.shutdown({ timeoutMillis: config.timeoutMillis }), bound);
    }
    return shutdownPromise;
  };
  const forceFlush = (): Promise<void> =>
    shutdownPromise ? shutdownPromise : withDeadline(meterProvider.forceFlush({ timeoutMillis: config.timeoutMillis }), bound);

  if (options.flushOnExit) process.once('beforeExit', onExit);
  return { metrics, meterProvider, config, forceFlush, shutdown };
}

/** The temporality the reader will use for histograms: a custom exporter decides, else the config. */
function histogramTemporality(exporter: PushMetricExporter | undefined, config: ExportConfig): 'cumulative' | 'delta' {
  const selected = exporter?.selectAggregationTemporality?.(InstrumentType.HISTOGRAM);
  if (selected === undefined) return config.temporality;
  return selected === AggregationTemporality.DELTA ? 'delta' : 'cumulative';
}

/** `service.version` = the app.version default tag, sanitized and bounded exactly as on data points. */
function serviceVersion(defaults: DefaultTags | undefined): string | undefined {
  try {
    const version = normalizeDefaults(defaults, undefined, false, new DropLog())['app.version'];
    return version === 'unknown' ? undefined : version;
  } catch {
    return undefined; // createCodexMetrics reports unreadable defaults
  }
}

/** Never rejects, never outlives `ms`, never keeps the process alive. */
function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        // Export failures are reported by the SDK through diag; the host is not disturbed.
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
