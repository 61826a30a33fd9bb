// What both public entry points export: the package root (`index.ts`, the SDK loaded on first
// use) and `/start` (`start.ts`, the SDK imported statically, for bundlers). Only the SDK source
// they register differs.
export { createCodexMetrics, METER_NAME } from './runtime/codex-metrics.js';
export { CodexMetricsError, type CodexMetricsErrorCode } from './runtime/errors.js';
export type { CodexMetrics, CodexMetricsOptions, CounterArgs, HistogramArgs, StopTimer } from './runtime/types.js';
export type { DropStats } from './runtime/drop-log.js';
export type { GenAiOptions } from './genai/options.js';
export { bucketsFor, type HistogramBucketsMode } from './runtime/buckets.js';
export { startCodexMetrics, type StartCodexMetricsOptions, type CodexMetricsSession } from './export/start.js';
export { resolveExportConfig, describeConfig, type ExportOptions, type ExportConfig, type OtlpProtocol, type Temporality } from './export/config.js';
export { ExportConfigError, type ExportConfigErrorCode } from './export/errors.js';
export type { ExportFailure, ExportFailureKind, ExportStats } from './export/export-failures.js';
export { LOG_LEVELS, type LogLevel } from './export/report.js';
export { METRICS, DEFAULT_TAGS, HISTOGRAM_BUCKETS, RETIRED_METRICS, VALUE_ALIASES } from './generated/catalog.js';
export * from './generated/metric-names.js';
export type { CounterFields, CounterName, DefaultTags, HistogramFields, HistogramName, MetricName, NoFields } from './generated/catalog.js';
export type { MetricSpec, FieldSpec, MetricKind, FieldType, BucketSpec, RetiredMetric, TagScope } from './catalog/spec.js';
export { DEFAULT_TAG_KEYS, DEFAULT_PREFIX } from './catalog/spec.js';
// In-package aggregation exported through a reader the host creates (metricProducers: [producer]).
export { CodexMetricProducer, type CodexMetricProducerOptions } from './runtime/metric-producer.js';
