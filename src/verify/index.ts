// Public surface of the conformance receiver (`codex-otel-metrics/verify`): a loopback OTLP/HTTP
// receiver for tests and the checker behind `codex-otel-metrics verify`. A subpath, so the root
// entry never loads node:http or protobufjs.
export {
  startOtlpReceiver,
  METRICS_PATH,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type ReceiverStats,
  type RequestRecord,
  type RespondDecision,
  type IncomingOtlpRequest,
} from './receiver.js';
export { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.js';
export { createConformanceChecker, type ConformanceChecker, type ConformanceCheckerOptions } from './checker.js';
export { VIOLATION_CODES, type Violation, type ViolationCode, type ViolationSummary, type ConformanceReport, type DroppedCounts } from './violations.js';
export type { ReceivedPoint, Attributes, AttributeValue, PointKind } from './points.js';
export {
  coverageTargets,
  createCoverageTracker,
  type CoverageTarget,
  type CoverageGate,
  type CoverageReport,
  type CoverageTracker,
  type SectionCoverage,
  type RequiredCoverage,
} from './coverage.js';
export { resolveRequired, RequireError, type RequiredMetrics, type RequireErrorCode } from './required-metrics.js';
export { readExportFile, type ExportFileSummary, type ExportFileFormat, type ExportFileLimits, type SavedExport } from './export-files.js';
// The GenAI view's metrics (docs/genai.md): `conventionSpecs` of the checker, `coverageTargets(GENAI_METRICS, '')`.
export { GENAI_METRICS, GENAI_SECTION, type GenAiMetricSpec } from '../genai/conventions.js';
