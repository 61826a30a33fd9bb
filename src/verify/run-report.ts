// The result of one `verify` run and its two renderings (human text, JSON).
import type { CoverageReport } from './coverage.js';
import type { ExportFileSummary } from './export-files.js';
import type { RequestRecord } from './receiver.js';
import type { ConformanceReport } from './violations.js';

export interface MalformedRequest {
  /** Request index (live) or export index over the run (`--file`), 0-based. */
  readonly index: number;
  /** Status the receiver answered, or would have answered to the same body (`--file`). */
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly contentType: string;
  readonly bytes: number;
  /** `--file` only: `PATH`, `PATH:LINE` (JSON lines) or `PATH#FRAME` (length-delimited frames). */
  readonly source?: string;
}

export interface VerifyRunReport extends ConformanceReport {
  /** Which documented metrics arrived, per section, and the `--require` / `--min-coverage` gates. */
  readonly coverage: CoverageReport;
  /** Live runs: base URL the receiver listened on. */
  readonly listen?: string;
  /** `--file` runs: each file opened, in order. */
  readonly files?: readonly ExportFileSummary[];
  /** `--file` runs: files named but never opened (past --max-files, or after an interruption). */
  readonly unreadFiles?: number;
  /** `--file` runs: stopped by a signal before every export was read. */
  readonly interrupted?: boolean;
  readonly durationMs: number;
  /** Requests received (live) or exports read (`--file`). */
  readonly requests: number;
  /** Malformed requests over the whole run, including those cut by a limit (too large, timed out, busy). */
  readonly malformedRequestCount: number;
  /** The most recent of them (all of them unless the run kept only the last N). */
  readonly malformedRequests: readonly MalformedRequest[];
  /** Connections closed on arrival because the connection limit was reached: their exports were never checked. */
  readonly refusedConnections: number;
  /** Checker failures (a bug): the points of those requests were not checked. */
  readonly internalErrors: number;
  /** The limits of this run, to read `dropped`, `refusedConnections` and file errors against. */
  readonly limits: RunLimits;
}

export interface RunLimits {
  readonly maxDistinctViolations: number;
  readonly maxSeries: number;
  /** Live runs. */
  readonly maxConnections?: number;
  /** `--file` runs. */
  readonly maxFiles?: number;
  readonly maxFileBytes?: number;
  readonly maxEmptyExports?: number;
}

/** Where the exports came from: a live receiver, or files. */
export type RunSource =
  | { readonly listen: string; readonly refusedConnections: number }
  | { readonly files: readonly ExportFileSummary[]; readonly unreadFiles: number; readonly interrupted: boolean };

export function buildRunReport(args: {
  conformance: ConformanceReport;
  coverage: CoverageReport;
  source: RunSource;
  /** Requests received, or exports read, over the whole run. */
  requests: number;
  malformedRequestCount: number;
  malformedRequests: readonly MalformedRequest[];
  internalErrors: number;
  limits: RunLimits;
  durationMs: number;
}): VerifyRunReport {
  const { source } = args;
  const refusedConnections = 'listen' in source ? source.refusedConnections : 0;
  // Every export must have been read and checked: a file cut short or never opened cannot pass.
  const filesComplete = 'files' in source ? source.files.every((f) => !f.error) && source.unreadFiles === 0 && !source.interrupted : true;
  return {
    ...args.conformance,
    // A malformed export is an emitter bug too, and an export that was never checked (refused, or
    // a checker failure) cannot pass: each fails the run, as does a failed coverage gate.
    ok: args.conformance.ok && args.coverage.ok && args.malformedRequestCount === 0 && refusedConnections === 0 && args.internalErrors === 0 && filesComplete,
    coverage: args.coverage,
    ...('listen' in source ? { listen: source.listen } : { files: source.files, unreadFiles: source.unreadFiles, interrupted: source.interrupted }),
    durationMs: Math.round(args.durationMs),
    requests: args.requests,
    malformedRequestCount: args.malformedRequestCount,
    malformedRequests: args.malformedRequests,
    refusedConnections,
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
  const from = m.source ? `${m.source}, ` : '';
  return `malformed request #${m.index} (${from}${m.contentType || 'no content type'}, ${m.bytes} bytes): HTTP ${m.status} ${m.code}: ${m.message}`;
}

export function formatRunReport(report: VerifyRunReport): string {
  const seconds = (report.durationMs / 1000).toFixed(1);
  const counts = `${report.pointsChecked} data point(s), ${report.metricsSeen.length} metric(s)`;
  const lines = [
    report.files
      ? `verify: ${report.requests} export(s) from ${report.files.length} file(s), ${counts} in ${seconds} s`
      : `verify: ${report.requests} request(s), ${counts} on ${report.listen} in ${seconds} s`,
  ];
  if (report.pointsChecked === 0) lines.push(report.files ? 'warning: no data points in the files' : 'warning: no data points received; is the emitter pointed at this endpoint?');
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
    lines.push(`${report.refusedConnections} connection(s) refused: ${limits.maxConnections} were already open, each with a request in progress (--max-connections); their exports were not checked`);
  }
  if (report.internalErrors > 0) lines.push(`${report.internalErrors} request(s) not checked because of an internal error (see stderr)`);
  if (report.malformedRequestCount > 0) {
    const shown = report.malformedRequests.length;
    lines.push(`${report.malformedRequestCount} malformed request(s)${shown < report.malformedRequestCount ? `, the last ${shown}` : ''}:`);
    for (const m of report.malformedRequests) lines.push(`  ${malformedLine(m)}`);
  }
  lines.push(...formatFiles(report), ...formatCoverage(report.coverage));
  lines.push(report.ok ? 'OK: the stream conforms to the registry' : 'FAIL: the stream does not conform to the registry');
  return `${lines.join('\n')}\n`;
}

function formatFiles(report: VerifyRunReport): string[] {
  const lines: string[] = [];
  for (const f of report.files ?? []) {
    if (f.error) lines.push(`file ${f.error.code}: ${f.error.message}`);
    // Valid OTLP, but worth knowing: an emitter exporting nothing.
    else if (f.emptyExports > 0) lines.push(`warning: ${f.emptyExports} export(s) without data points in ${f.path}`);
  }
  if (report.unreadFiles) {
    const why = report.interrupted ? 'the run was stopped' : `at most ${report.limits.maxFiles} files are read (--max-files)`;
    lines.push(`${report.unreadFiles} file(s) not read: ${why}`);
  } else if (report.interrupted) {
    lines.push('the run was stopped before every export was read');
  }
  return lines;
}

function formatCoverage(coverage: CoverageReport): string[] {
  const lines = [`coverage: ${coverage.arrived}/${coverage.documented} documented metrics arrived (${coverage.percent}%)`];
  const width = Math.max(...coverage.sections.map((s) => s.section.length));
  for (const s of coverage.sections) {
    lines.push(`  ${s.section.padEnd(width)}  ${`${s.arrived}/${s.documented}`.padStart(7)}  ${s.percent.toFixed(1).padStart(5)}%`);
  }
  const required = coverage.required;
  if (required) {
    const what = `--require ${required.selectors.join(' --require ')}`;
    if (required.missing.length === 0 && required.missingFields.length === 0) {
      lines.push(`${what}: all ${required.metrics} required metric(s) arrived`);
    } else {
      if (required.missing.length > 0) lines.push(`${what}: ${required.missing.length} of ${required.metrics} required metric(s) never arrived:`);
      for (const metric of required.missing) lines.push(`  ${metric}`);
      if (required.missingFields.length > 0) lines.push(`${what}: required field(s) never seen on any point of a metric that arrived:`);
      for (const m of required.missingFields) lines.push(`  ${m.metric}: ${m.fields.join(', ')}`);
    }
  }
  if (coverage.minPercent !== undefined) {
    const below = coverage.arrived * 100 < coverage.minPercent * coverage.documented;
    lines.push(`--min-coverage ${coverage.minPercent}: coverage ${coverage.percent}% is ${below ? 'below' : 'at or above'} it`);
  }
  return lines;
}
