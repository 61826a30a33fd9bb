// Export outcomes made visible: each failed export is classified (collector down, wrong host, not
// an OTLP/HTTP server, timeout, HTTP status, partial success), reported as one line per kind and
// endpoint at most once a minute per process (with how many were suppressed), handed to
// `onExportError`, and counted for `exportStats()`.
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { maskUrl } from './mask.js';
import type { PartialSuccess, ResponseWatch } from './partial-success.js';
import { reportLine } from './report.js';

export type ExportFailureKind = 'connection_refused' | 'host_not_found' | 'not_otlp_http' | 'timeout' | 'http_status' | 'partial_success' | 'other';

export interface ExportFailure {
  readonly kind: ExportFailureKind;
  /** The HTTP status, for `http_status`. */
  readonly status?: number;
  /** Data points the collector refused, for `partial_success` (the rest of the export was accepted). */
  readonly rejectedDataPoints?: number;
  /** What went wrong and what to check, one line, credentials masked. */
  readonly message: string;
  /** The exporter's error, as it reported it. */
  readonly error?: unknown;
}

export interface ExportStats {
  /** Exports the collector accepted whole. */
  readonly succeeded: number;
  /** Exports that failed, partial successes (some points rejected) included. */
  readonly failed: number;
  /** Data points the collector rejected in partial successes. */
  readonly rejectedDataPoints: number;
  readonly lastFailure: ExportFailure | undefined;
}

/** Repeats of one kind of failure are reported at most this often. */
export const FAILURE_REPORT_INTERVAL_MS = 60_000;
/** Distinct report keys (kind, HTTP status, endpoint) tracked per process; beyond it they share one slot. */
export const MAX_TRACKED_REPORTS = 32;

/**
 * Which report lines are due, per process: every session reporting to a dead collector shares one
 * line a minute (500 sessions printed 500 lines when this was per exporter).
 */
export class ReportLimiter {
  private readonly reported = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The suffix for a line that is due, or undefined while the key's minute lasts (then counted). */
  due(key: string): string | undefined {
    const now = this.now();
    if (!this.reported.has(key) && this.reported.size >= MAX_TRACKED_REPORTS) {
      // Full: forget keys whose minute is over and that suppressed nothing; else share one slot.
      for (const [k, v] of this.reported) if (now - v.at >= FAILURE_REPORT_INTERVAL_MS && v.suppressed === 0) this.reported.delete(k);
      if (this.reported.size >= MAX_TRACKED_REPORTS) key = 'other';
    }
    const seen = this.reported.get(key);
    if (seen && now - seen.at < FAILURE_REPORT_INTERVAL_MS) {
      seen.suppressed++;
      return undefined;
    }
    this.reported.set(key, { at: now, suppressed: 0 });
    return seen ? ` (${seen.suppressed} more like it since the last report)` : ' (repeats are reported at most once a minute)';
  }
}

/** Shared by every session of the process. */
const PROCESS_REPORTS = new ReportLimiter();

/** @opentelemetry/core's ExportResult: code 0 success, 1 failed. */
interface ExportResultLike {
  code: number;
  error?: Error;
}

export interface ReportingOptions {
  /** The metrics URL (masked before it is printed); undefined for a custom exporter. */
  readonly url: string | undefined;
  readonly timeoutMillis: number;
  readonly onExportError?: (failure: ExportFailure) => void;
  /** Where partial successes are seen (the OTLP exporter's responses); undefined for a custom exporter. */
  readonly responses?: ResponseWatch;
  /** Rate limit of the lines; default: the process's own (tests pass one with a fake clock). */
  readonly reports?: ReportLimiter;
}

/** Wraps an exporter: same behaviour, every outcome observed. */
export class ReportingExporter implements PushMetricExporter {
  private succeeded = 0;
  private failed = 0;
  private rejectedDataPoints = 0;
  private lastFailure: ExportFailure | undefined;
  private failedSinceSuccess = 0;
  private readonly reports: ReportLimiter;
  private readonly target: string;
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly options: ReportingOptions,
  ) {
    this.target = options.url === undefined ? 'the custom exporter' : maskUrl(options.url);
    this.reports = options.reports ?? PROCESS_REPORTS;
    this.selectAggregationTemporality = inner.selectAggregationTemporality?.bind(inner);
    this.selectAggregation = inner.selectAggregation?.bind(inner);
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResultLike) => void): void {
    let settled = false;
    const done = (result: ExportResultLike) => {
      if (settled) return;
      settled = true;
      try {
        this.observe(result);
      } finally {
        resultCallback(result);
      }
    };
    try {
      this.inner.export(metrics, done as Parameters<PushMetricExporter['export']>[1]);
    } catch (error) {
      done({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  stats(): ExportStats {
    return { succeeded: this.succeeded, failed: this.failed, rejectedDataPoints: this.rejectedDataPoints, lastFailure: this.lastFailure };
  }

  private observe(result: ExportResultLike): void {
    // Taken whatever the outcome, so a response never counts for a later export.
    const partial = this.options.responses?.take();
    if (result.code === 0 && partial !== undefined && partial.rejectedDataPoints > 0) return this.fail(partialFailure(partial));
    if (result.code === 0) {
      this.succeeded++;
      // A collector's warning (nothing rejected, a message): said like a failure line, not counted as one.
      if (partial !== undefined) this.line('warn', `partial_success_warning ${this.target}`, `codex-otel-metrics: the collector at ${this.target} accepted the export with a warning: "${partial.errorMessage}"`);
      if (this.failedSinceSuccess > 0) this.line('info', `recovered ${this.target}`, `codex-otel-metrics: metrics export to ${this.target} works again after ${this.failedSinceSuccess} failed export(s)`);
      this.failedSinceSuccess = 0;
      return;
    }
    this.fail(classifyExportError(result.error, this.options.timeoutMillis));
  }

  private fail(failure: ExportFailure): void {
    this.failed++;
    this.failedSinceSuccess++;
    if (failure.rejectedDataPoints !== undefined) this.rejectedDataPoints += failure.rejectedDataPoints;
    this.lastFailure = failure;
    this.report(failure);
    const callback = this.options.onExportError;
    if (callback) {
      try {
        callback(failure);
      } catch {
        // The host's callback must not break the export pipeline.
      }
    }
  }

  private report(failure: ExportFailure): void {
    const kind = failure.status === undefined ? failure.kind : `${failure.kind}:${failure.status}`;
    this.line('error', `${kind} ${this.target}`, `codex-otel-metrics: metrics export to ${this.target} failed: ${failure.message}`);
  }

  private line(level: 'error' | 'warn' | 'info', key: string, text: string): void {
    const suffix = this.reports.due(key);
    if (suffix !== undefined) reportLine(level, `${text}${suffix}`);
  }
}

function partialFailure(partial: PartialSuccess): ExportFailure {
  const why = partial.errorMessage === '' ? 'it gave no reason' : `it said: "${partial.errorMessage}"`;
  return {
    kind: 'partial_success',
    rejectedDataPoints: partial.rejectedDataPoints,
    message: `the collector accepted the export but rejected ${partial.rejectedDataPoints} data point(s); ${why}`,
  };
}

/** What an exporter error means for the person reading the log. */
export function classifyExportError(error: unknown, timeoutMillis: number): ExportFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const status = typeof e.code === 'number' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  if (code === 'ECONNREFUSED') return { kind: 'connection_refused', message: 'connection refused (ECONNREFUSED): is a collector listening on that host and port?', error };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'host_not_found', message: `host name not resolved (${code}): check the endpoint's host`, error };
  if (code === 'ECONNRESET' || code === 'EPIPE' || code?.startsWith('HPE_') || /socket hang up|parse error/i.test(message)) {
    return {
      kind: 'not_otlp_http',
      message: `no valid HTTP answer (${code ?? 'connection closed'}): is this an OTLP/HTTP endpoint? A gRPC port (4317) does not speak it; OTLP/HTTP is usually port 4318`,
      error,
    };
  }
  if (code === 'ETIMEDOUT' || e.name === 'TimeoutError' || /timed? ?out/i.test(message)) return { kind: 'timeout', message: `no answer within the export timeout (${timeoutMillis} ms)`, error };
  if (status !== undefined && Number.isInteger(status) && status >= 100 && status <= 599) return { kind: 'http_status', status, message: httpStatusMessage(status), error };
  return { kind: 'other', message: scrub(`${typeof e.name === 'string' ? e.name : 'Error'}: ${message}`), error };
}

function httpStatusMessage(status: number): string {
  if (status === 404) return 'HTTP 404: nothing serves OTLP metrics at that path (the metrics URL normally ends with /v1/metrics)';
  if (status === 401 || status === 403) return `HTTP ${status}: the collector refused the credentials (check the export headers)`;
  if (status === 413) return 'HTTP 413: the collector refused the payload as too large';
  if (status === 415) return 'HTTP 415: the collector does not accept this content type (try the other protocol: http/protobuf or http/json)';
  if (status === 429 || status >= 500) return `HTTP ${status}: the collector is overloaded or failing; the next export carries cumulative totals`;
  return `HTTP ${status}`;
}

/** Free text of an unknown error: one line, bounded, URL user info and query masked. */
function scrub(text: string): string {
  return text
    .split('\n')[0]
    .replace(/\/\/[^\s/?#]*@/g, '//***@')
    .replace(/\?\S*/g, '?***')
    .slice(0, 200);
}
