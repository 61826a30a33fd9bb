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
  /** Malformed requests over the whole run. */
  readonly malformedRequestCount: number;
  /** The most recent of them (all of them unless the run kept only the last N). */
  readonly malformedRequests: readonly MalformedRequest[];
}

export function buildRunReport(args: {
  conformance: ConformanceReport;
  /** Requests received over the whole run. */
  requests: number;
  malformedRequestCount: number;
  malformedRequests: readonly MalformedRequest[];
  listen: string;
  durationMs: number;
}): VerifyRunReport {
  return {
    ...args.conformance,
    // A malformed export is an emitter bug too: it fails the run.
    ok: args.conformance.ok && args.malformedRequestCount === 0,
    listen: args.listen,
    durationMs: Math.round(args.durationMs),
    requests: args.requests,
    malformedRequestCount: args.malformedRequestCount,
    malformedRequests: args.malformedRequests,
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
  if (report.malformedRequestCount > 0) {
    const shown = report.malformedRequests.length;
    lines.push(`${report.malformedRequestCount} malformed request(s)${shown < report.malformedRequestCount ? `, the last ${shown}` : ''}:`);
    for (const m of report.malformedRequests) lines.push(`  ${malformedLine(m)}`);
  }
  lines.push(report.ok ? 'OK: the stream conforms to the registry' : 'FAIL: the stream does not conform to the registry');
  return `${lines.join('\n')}\n`;
}
