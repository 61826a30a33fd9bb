// startCodexMetrics: a MeterProvider with an OTLP/HTTP exporter, ready to record. src/export/ is
// the only place that uses the SDK and the exporters (loaded here on first call, see
// sdk-modules.ts); the runtime itself only needs the API.
import { createNoopMeter, type MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { IMetricReader, MeterProvider, PushMetricExporter, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { DefaultTags } from '../generated/catalog.js';
import { closeCodexMetrics, createCodexMetrics } from '../runtime/codex-metrics.js';
import { normalizeDefaults } from '../runtime/default-tags.js';
import { DropLog } from '../runtime/drop-log.js';
import { CodexMetricProducer } from '../runtime/metric-producer.js';
import type { CodexMetrics, CodexMetricsOptions } from '../runtime/types.js';
import { resolveExportConfig, type ExportConfig, type ExportOptions } from './config.js';
import { installExitFlush } from './exit-flush.js';
import { ExitTimeoutExporter } from './exit-timeout.js';
import { ReportingExporter, type ExportFailure, type ExportStats } from './export-failures.js';
import { createOtlpExporter } from './exporter.js';
import { ResponseWatch } from './partial-success.js';
import { installConsoleDiag } from './report.js';
import { resources, sdkMetrics } from './sdk-modules.js';

export interface StartCodexMetricsOptions extends Omit<CodexMetricsOptions, 'meterProvider' | 'metricProducer'>, ExportOptions {
  /**
   * Export what is pending when the process ends (default false: the host decides): on
   * `beforeExit`, and on SIGTERM/SIGINT when the host has no handler of its own (the signal is
   * raised again afterwards). Not after `process.exit()`: await `shutdown()` first.
   */
  flushOnExit?: boolean;
  /** Use this exporter instead of OTLP/HTTP (tests, custom transports). */
  exporter?: PushMetricExporter;
  /** Environment to read OTEL_* variables from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** SDK Views (e.g. other histogram buckets, dropped attributes). Measurements then go through SDK instruments so views apply. */
  views?: ViewOptions[];
  /** More readers on the same MeterProvider (e.g. a Prometheus exporter). Measurements then go through SDK instruments so every reader sees them. */
  readers?: IMetricReader[];
  /** Merged over the package's resource (its attributes win over service.name, service.instance.id and the rest). */
  resource?: Resource;
  /** Called with every failed export (each one, not rate-limited); failures are also reported as one line per kind. */
  onExportError?: (failure: ExportFailure) => void;
}

export interface CodexMetricsSession {
  readonly metrics: CodexMetrics;
  /** Undefined when `OTEL_SDK_DISABLED=true`. */
  readonly meterProvider: MeterProvider | undefined;
  readonly config: ExportConfig;
  /** Collects and exports now; resolves within the export timeout, never rejects. */
  forceFlush(): Promise<void>;
  /** Final export and shutdown; resolves within the exit timeout (+ a little), never rejects. Idempotent. */
  shutdown(): Promise<void>;
  /** Exports accepted and failed so far, and the last failure: whether anything arrived. */
  exportStats(): ExportStats;
}

const NOOP_PROVIDER: ApiMeterProvider = { getMeter: () => createNoopMeter() };
const NO_EXPORTS: ExportStats = { succeeded: 0, failed: 0, rejectedDataPoints: 0, lastFailure: undefined };

export function startCodexMetrics(options: StartCodexMetricsOptions = {}): CodexMetricsSession {
  const config = resolveExportConfig(options, options.env ?? process.env);
  // The option wins over CODEX_OTEL_METRICS_GENAI.
  const genAi = options.genAi ?? config.genAi;
  if (config.logLevel !== undefined) installConsoleDiag(config.logLevel);
  if (config.disabled) {
    const metrics = createCodexMetrics({ ...options, genAi, meterProvider: NOOP_PROVIDER, aggregateInPackage: false });
    return { metrics, meterProvider: undefined, config, forceFlush: async () => {}, shutdown: async () => {}, exportStats: () => NO_EXPORTS };
  }
  const sdk = sdkMetrics();
  const { defaultResource, resourceFromAttributes } = resources();
  const version = serviceVersion(options.defaults);
  // SDK attributes (telemetry.sdk.*), a random service.instance.id (a new UUID for every session,
  // i.e. every writer, as the resource conventions ask: replicas of one service.name then never
  // write the same series), then OTEL_RESOURCE_ATTRIBUTES, then what config resolved, then the
  // host's resource: an id set in either of the last two wins over the random one.
  let resource = defaultResource().merge(
    resourceFromAttributes({
      'service.instance.id': globalThis.crypto.randomUUID(),
      ...(version ? { 'service.version': version } : {}),
      ...config.resourceAttributes,
      'service.name': config.serviceName,
    }),
  );
  if (options.resource) resource = resource.merge(options.resource);
  // The OTLP exporter's responses are read for partial success (the exporter only diag.warns it).
  const responses = options.exporter ? undefined : new ResponseWatch(config.protocol);
  const exits = new ExitTimeoutExporter(
    options.exporter ?? createOtlpExporter(config, { responses }),
    options.exporter ? undefined : () => createOtlpExporter(config, { timeoutMillis: config.exitTimeoutMillis, responses }),
  );
  const exporter = new ReportingExporter(exits, {
    url: options.exporter ? undefined : config.url,
    // A timeout is reported with the timeout of the export that ran out.
    get timeoutMillis() {
      return exits.isExiting ? config.exitTimeoutMillis : config.timeoutMillis;
    },
    onExportError: options.onExportError,
    responses,
  });
  // This reader is ours, so counters and histograms are aggregated in the package and handed to it
  // by CodexMetricProducer (the SDK's data, without SDK calls per measurement), unless views or
  // other readers need SDK instruments.
  const sdkInstruments = options.aggregateInPackage === false || (options.views?.length ?? 0) > 0 || (options.readers?.length ?? 0) > 0;
  const metricProducer = sdkInstruments ? undefined : new CodexMetricProducer({ temporality: readerTemporality(exporter, config) });
  const maxSeriesPerMetric = options.maxSeriesPerMetric ?? config.cardinalityLimit;
  const reader = new sdk.PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.intervalMillis,
    exportTimeoutMillis: config.timeoutMillis,
    // The package bounds series itself; on the SDK path the SDK counts its overflow series as one more.
    cardinalityLimits: { default: maxSeriesPerMetric + 1 },
    metricProducers: metricProducer ? [metricProducer] : [],
  });
  const meterProvider = new sdk.MeterProvider({ resource, readers: [reader, ...(options.readers ?? [])], views: options.views ?? [] });
  const metrics = createCodexMetrics({ ...options, genAi, maxSeriesPerMetric, meterProvider, metricProducer });
  const bound = config.timeoutMillis + 50;
  const exitBound = config.exitTimeoutMillis + 50;

  let shutdownPromise: Promise<void> | undefined;
  let removeExitFlush = () => {};
  const shutdown = (): Promise<void> => {
    if (!shutdownPromise) {
      removeExitFlush();
      exits.beginExit();
      // Nothing exports after this: later measurements are counted as dropped, not lost unseen.
      closeCodexMetrics(metrics);
      shutdownPromise = withDeadline(meterProvider.shutdown({ timeoutMillis: config.exitTimeoutMillis }), exitBound);
    }
    return shutdownPromise;
  };
  const forceFlush = (): Promise<void> =>
    shutdownPromise ? shutdownPromise : withDeadline(meterProvider.forceFlush({ timeoutMillis: config.timeoutMillis }), bound);

  if (options.flushOnExit) removeExitFlush = installExitFlush(shutdown);
  return { metrics, meterProvider, config, forceFlush, shutdown, exportStats: () => exporter.stats() };
}

/** The temporality the reader will use: a custom exporter decides, else the config. */
function readerTemporality(exporter: PushMetricExporter, config: ExportConfig): 'cumulative' | 'delta' {
  const { AggregationTemporality, InstrumentType } = sdkMetrics();
  const selected = exporter.selectAggregationTemporality?.(InstrumentType.COUNTER);
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
        // Export failures are reported by the ReportingExporter; the host is not disturbed.
        clearTimeout(timer);
        resolve();
      },
    );
  });
}
