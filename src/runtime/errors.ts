import { displayName } from './values.js';

/**
 * Why a measurement was rejected (strict mode) or dropped/sanitized (lenient mode). The last four
 * are limits or states rather than bad input: counted in `stats()` in both modes, never thrown.
 */
export type CodexMetricsErrorCode =
  | 'unknown_metric'
  | 'wrong_kind'
  | 'invalid_number'
  | 'negative_value'
  | 'unknown_field'
  | 'missing_field'
  | 'wrong_type'
  | 'invalid_value'
  | 'value_not_allowed'
  | 'invalid_fields'
  | 'invalid_option'
  /** Past the metric's series limit: recorded into the `otel.metric.overflow=true` series (sanitized). */
  | 'series_limit'
  /** The series' sum would no longer be a finite number (dropped). */
  | 'non_finite'
  /** No MeterProvider registered yet (dropped). */
  | 'no_meter_provider'
  /** Recorded after the session's shutdown() (dropped). */
  | 'after_shutdown';

/**
 * Thrown in strict mode. The message names the metric, field and reason but never the offending
 * value, so a secret passed by mistake does not end up in logs.
 */
export class CodexMetricsError extends Error {
  readonly code: CodexMetricsErrorCode;
  readonly metric: string;
  readonly field: string | undefined;

  constructor(code: CodexMetricsErrorCode, metric: string, field: string | undefined, reason: string) {
    super(`${metric}${field !== undefined ? ` field ${displayName(field)}` : ''}: ${reason} (${code})`);
    this.name = 'CodexMetricsError';
    this.code = code;
    this.metric = metric;
    this.field = field;
  }
}
