// The result of one `verify` run and its two renderings (human text, JSON).
import type { RequestRecord } from './receiver.js';
import type { ConformanceReport } from './violations.js';

export interface MalformedRequest {
  readonly index: number;
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly contentType: string;
  readonly bytes: number;
}

export interface VerifyRunReport extends ConformanceReport {
  /** Base URL the receiver listened on. */
  readonly listen: string;
  readonly durationMs: number;
  readonly requests: number;
  /** Malformed requests over the whole run, including those cut by a limit (too large, timed out, busy). */
  readonly malformedRequestCount: number;
  /** The most recent of them (all of them unless the run kept only the last N). */
  readonly malformedRequests: readonly MalformedRequest[];
  /** Connections closed on arrival because the connection limit was reached: their exports were never checked. */
  readonly refusedConnections: number;
  /** Checker failures (a bug): the points of those requests were not checked. */
  readonly internalErrors: number;
  /** The limits of this run, to read `dropped` and `refusedConnections` against. */
  readonly limits: RunLimits;
}

export interface RunLimits {
  readonly maxConnections: number;
  readonly maxDistinctViolations: number;
  readonly maxSeries: number;
}

export function buildRunReport(args: {
  conformance: ConformanceReport;
  /** Requests received over the whole run. */
  requests: number;
  malformedRequestCount: number;
  malformedRequests: readonly MalformedRequest[];
  refusedConnections: number;
  internalErrors: number;
  limits: RunLimits;
  listen: string;
  durationMs: number;
}): VerifyRunReport {
  return {
    ...args.conformance,
    // A malformed export is an emitter bug too, and an export that was never checked (refused, or
    // a checker failure) cannot pass: each fails the run.
    ok: args.conformance.ok && args.malformedRequestCount === 0 && args.refusedConnections === 0 && args.internalErrors === 0,
    listen: args.listen,
    durationMs: Math.round(args.durationMs),
    requests: args.requests,
    malformedRequestCount: args.malformedRequestCount,
    malformedRequests: args.malformedRequests,
    refusedConnections: args.refusedConnections,
    internalErrors: args.internalErrors,
    limits: args.limits,
  };
}

export function malformed(record: RequestRecord): MalformedRequest {
  return {
    index: record.index,
    status: record.status,
    code: record.error?.code ?? 'unknown',
    message: record.error?.message ?? '',
    contentType: record.contentType,
    bytes: record.bytes,
  };
}

export function malformedLine(m: MalformedRequest): string {
  return `malformed request #${m.index} (${m.contentType || 'no content type'}, ${m.bytes} bytes): HTTP ${m.status} ${m.code}: ${m.message}`;
}

export function formatRunReport(report: VerifyRunReport): string {
  const lines = [
    `verify: ${report.requests} request(s), ${report.pointsChecked} data point(s), ${report.metricsSeen.length} metric(s) on ${report.listen} in ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  if (report.pointsChecked === 0) lines.push('warning: no data points received; is the emitter pointed at this endpoint?');
  if (report.violations.length > 0) {
    lines.push(`${report.violations.length} distinct violation(s):`);
    for (const v of report.violations) {
      const where = v.field ? `${v.metric} [${v.field}]` : v.metric;
      lines.push(`  ${v.code.padEnd(19)} ${where} x${v.count}: ${v.message}`);
    }
  }
  const { dropped, limits } = report;
  if (dropped.violations > 0) {
    lines.push(`${dropped.violations} violation(s) of further kinds not listed: the report keeps ${limits.maxDistinctViolations} distinct violations (--max-violations)`);
  }
  if (dropped.monotonicChecks > 0) {
    lines.push(`warning: ${dropped.monotonicChecks} cumulative point(s) not checked for going down: ${limits.maxSeries} series already tracked (--max-series)`);
  }
  if (dropped.metricNames > 0) lines.push(`warning: ${dropped.metricNames} point(s) of further metric names not listed in metricsSeen`);
  if (report.refusedConnections > 0) {
    lines.push(`${report.refusedConnections} connection(s) refused: ${limits.maxConnections} were already open (--max-connections); their exports were not checked`);
  }
  if (report.internalErrors > 0) lines.push(`${report.internalErrors} request(s) not checked because of an internal error (see stderr)`);
  if (report.malformedRequestCount > 0) {
    const shown = report.malformedRequests.length;
    lines.push(`${report.malformedRequestCount} malformed request(s)${shown < report.malformedRequestCount ? `, the last ${shown}` : ''}:`);
    for (const m of report.malformedRequests) lines.push(`  ${malformedLine(m)}`);
  }
  lines.push(report.ok ? 'OK: the stream conforms to the registry' : 'FAIL: the stream does not conform to the registry');
  return `${lines.join('\n')}\n`;
}
