// `codex-otel-metrics verify`: an OTLP/HTTP endpoint that checks everything sent to it against the
// metric registry, or the same check over saved exports (`--file`); then reports, with the coverage
// of each docs section, and exits 1 on any violation, malformed request or failed coverage gate.
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from '../catalog/spec.js';
import { DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../generated/catalog.js';
import { GENAI_METRICS } from '../genai/conventions.js';
import { LARGE_REQUEST_BYTES, releaseHeapSoon } from './heap-release.js';
import { DEFAULT_MAX_DISTINCT_VIOLATIONS, createConformanceChecker } from '../verify/checker.js';
import { coverageTargets, createCoverageTracker } from '../verify/coverage.js';
import { DEFAULT_MAX_EMPTY_EXPORTS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILES } from '../verify/export-files.js';
import { checkExportFiles } from '../verify/file-run.js';
import { DEFAULT_MAX_SERIES } from '../verify/monotonic.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, MAX_TIMER_MS, startOtlpReceiver } from '../verify/receiver.js';
import type { OtlpReceiver } from '../verify/receiver.js';
import { RequireError, resolveRequired } from '../verify/required-metrics.js';
import type { RequiredMetrics } from '../verify/required-metrics.js';
import { buildRunReport, formatRunReport, malformed } from '../verify/run-report.js';
import type { RunLimits, RunSource } from '../verify/run-report.js';
import { DEFAULT_REQUEST_LIMITS } from '../verify/request-limits.js';
import { createVerifyRun } from '../verify/verify-run.js';
import type { VerifyRun } from '../verify/verify-run.js';
import { VIOLATION_CODES } from '../verify/violations.js';
import type { ViolationCode } from '../verify/violations.js';

export { MAX_REPORTED_MALFORMED } from '../verify/verify-run.js';

const USAGE = `usage: codex-otel-metrics verify [--listen HOST:PORT] [--duration SECONDS] [--json] [--ignore CODE]...
       codex-otel-metrics verify --file PATH... [--json] [--ignore CODE]...
       either with [--require all|SECTION|METRIC]... [--min-coverage PERCENT] [--genai]

Receives OTLP/HTTP metrics on POST /v1/metrics (protobuf or JSON, gzip or not), or reads saved
exports with --file, and checks every data point against the Codex metric registry. Stops after
--duration, on SIGINT/SIGTERM or when the files are read, prints a summary with the coverage of
each docs section (JSON on stdout with --json) and exits 1 on any violation, malformed request,
refused connection, unreadable file or failed coverage gate.

  --listen HOST:PORT   address to listen on (default 127.0.0.1:4318; port 0 picks one)
  --duration SECONDS   stop after this long (default: run until interrupted)
  --file PATH...       check saved exports instead of listening: OTLP/JSON (one request, or one per
                       line), protobuf bodies, length-delimited protobuf frames, each gzipped or not
  --json               print the report as JSON on stdout
  --ignore CODE        drop a violation code (repeatable or comma-separated), e.g. missing_default_tag
  --require WHAT       fail unless these metrics arrive: all, a docs section title (or the start of
                       one), or metric names with or without ${DEFAULT_PREFIX} (repeatable; names may be
                       comma-separated); also fails on a required field none of their points carried
  --min-coverage PCT   fail unless at least PCT percent of the documented metrics arrive
  --genai              also count the GenAI view's gen_ai.* metrics (docs/genai.md) in the coverage,
                       as their own section, requireable with --require genai; they are checked
                       against the convention (unit, buckets, attributes) with or without it
  --prefix PREFIX      metric name prefix (default ${DEFAULT_PREFIX})
  --buckets MODE       histogram boundaries to expect: codex (default, what the Codex CLI sends),
                       wide (the package's histogramBuckets: 'wide'), any (not checked)

Limits (see docs/failure-behaviour.md):
  --max-connections N      open connections and requests in progress (default ${DEFAULT_MAX_CONNECTIONS})
  --request-timeout SECONDS  headers, then the body, must each arrive within this (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000})
  --max-points N           data points in one request or saved export (default ${DEFAULT_REQUEST_LIMITS.maxPointsPerRequest})
  --max-violations N       distinct violations kept in the report (default ${DEFAULT_MAX_DISTINCT_VIOLATIONS})
  --max-series N           cumulative series tracked for going down (default ${DEFAULT_MAX_SERIES})
  --max-files N            files read with --file (default ${DEFAULT_MAX_FILES})
  --max-file-bytes N       bytes of one file, read and once decompressed (default ${DEFAULT_MAX_FILE_BYTES})
  --max-empty-exports N    exports without data points in one file (default ${DEFAULT_MAX_EMPTY_EXPORTS})
`;

/** Hooks for embedding and tests; the CLI uses the defaults. */
export interface VerifyIo {
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Called once the receiver listens (with port 0 this is how to learn the port). */
  readonly onListening?: (receiver: OtlpReceiver) => void;
  /** Aborting stops the run like SIGINT does. */
  readonly signal?: AbortSignal;
}

export async function verifyCommand(argv: string[], io: VerifyIo = {}): Promise<number> {
  const out = io.stdout ?? ((text: string) => void process.stdout.write(text));
  const err = io.stderr ?? ((text: string) => void process.stderr.write(text));

  let options: VerifyOptions;
  let required: RequiredMetrics | undefined;
  // The GenAI view is opt-in, so its metrics are coverage targets only when asked for.
  const targets = (prefix: string, genAi: boolean) => [...coverageTargets(METRICS, prefix), ...(genAi ? coverageTargets(GENAI_METRICS, '') : [])];
  try {
    options = parseVerifyArgs(argv);
    if (options.require.length > 0) required = resolveRequired(options.require, targets(options.prefix, options.genAi), { prefix: options.prefix, retired: RETIRED_METRICS });
  } catch (e) {
    const hint = e instanceof RequireError && !argv.includes('--genai') && /gen_?ai/i.test(e.message) ? ' (the GenAI view\'s metrics are targets with --genai)' : '';
    err(`verify: ${e instanceof Error ? e.message : String(e)}${hint}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    out(USAGE);
    return 0;
  }

  const checker = createConformanceChecker({
    specs: METRICS,
    conventionSpecs: GENAI_METRICS,
    defaultTags: DEFAULT_TAGS,
    retired: RETIRED_METRICS,
    prefix: options.prefix,
    ignore: options.ignore,
    histogramBuckets: options.buckets,
    maxDistinctViolations: options.maxViolations,
    maxSeries: options.maxSeries,
  });
  const coverage = createCoverageTracker(targets(options.prefix, options.genAi), { required, minPercent: options.minCoverage });
  const run = createVerifyRun(checker, coverage, (line) => err(`${line}\n`));
  const started = performance.now();
  const measured = options.files ? await checkFiles(options, options.files, run, io, err) : await listen(options, run, io, err);
  if (typeof measured === 'number') return measured;
  try {
    const report = buildRunReport({
      conformance: checker.report(),
      coverage: coverage.report(),
      source: measured.source,
      requests: measured.requests,
      malformedRequestCount: run.malformedRequestCount,
      malformedRequests: run.malformedRequests,
      internalErrors: run.internalErrors,
      limits: measured.limits,
      durationMs: performance.now() - started,
    });
    if (options.json) out(`${JSON.stringify(report, null, 2)}\n`);
    else out(formatRunReport(report));
    return report.ok ? 0 : 1;
  } finally {
    measured.release();
  }
}

/** What a run measured, and how to let go of its signal handlers once the report is out. */
interface Measured {
  readonly source: RunSource;
  readonly requests: number;
  readonly limits: RunLimits;
  readonly release: () => void;
}

/** The live run: a receiver until --duration, a signal or an abort. A number is the exit code when it cannot listen. */
async function listen(options: VerifyOptions, run: VerifyRun, io: VerifyIo, err: (text: string) => void): Promise<Measured | number> {
  let refusalLogged = false;
  let receiver: OtlpReceiver;
  try {
    receiver = await startOtlpReceiver({
      host: options.host,
      port: options.port,
      // The run may last indefinitely: only the checker's running report and a few records are
      // kept, so memory does not grow with the number of points or requests.
      retainPoints: false,
      maxRequestRecords: 0,
      maxConnections: options.maxConnections,
      requestTimeoutMs: options.requestTimeoutMs,
      maxPointsPerRequest: options.maxPoints,
      onPoints: (points, request) => {
        if (request.bytes >= LARGE_REQUEST_BYTES) releaseHeapSoon();
        run.checkExport(points, request.index);
      },
      onError: (record) => {
        if (record.bytes >= LARGE_REQUEST_BYTES) releaseHeapSoon();
        run.rejectExport(malformed(record));
      },
      onConnectionRefused: () => {
        if (refusalLogged) return;
        refusalLogged = true;
        err(`verify: refused a connection: ${options.maxConnections} already open, each with a request in progress (--max-connections); further refusals are only counted\n`);
      },
    });
  } catch (e) {
    err(`verify: cannot listen on ${options.host}:${options.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  err(`verify: listening on ${receiver.metricsUrl}${options.durationMs ? ` for ${options.durationMs / 1000} s` : ''}; Ctrl-C to stop\n`);
  io.onListening?.(receiver);
  // Signals stay caught until the report is out: a second Ctrl-C or TERM must not cut it off.
  const stopping = stopSignal(options.durationMs, io.signal, () => err('verify: already stopping; writing the report\n'));
  try {
    await stopping.stopped;
    await receiver.close();
  } catch (e) {
    stopping.release();
    throw e;
  }
  const stats = receiver.stats();
  return {
    source: { listen: receiver.url, refusedConnections: stats.refusedConnections },
    requests: stats.requests,
    limits: { maxConnections: options.maxConnections, maxDistinctViolations: options.maxViolations, maxSeries: options.maxSeries },
    release: stopping.release,
  };
}

/** The offline run: every export of every file, until the last one or a signal. */
async function checkFiles(options: VerifyOptions, paths: readonly string[], run: VerifyRun, io: VerifyIo, err: (text: string) => void): Promise<Measured> {
  err(`verify: reading ${paths.length} file(s)\n`);
  const stopping = stopSignal(undefined, io.signal, () => err('verify: already stopping; writing the report\n'));
  try {
    const result = await checkExportFiles(paths, run, {
      maxFiles: options.maxFiles,
      maxFileBytes: options.maxFileBytes,
      maxExportBytes: DEFAULT_MAX_BODY_BYTES,
      maxEmptyExports: options.maxEmptyExports,
      requestLimits: { ...DEFAULT_REQUEST_LIMITS, maxPointsPerRequest: options.maxPoints },
      stopRequested: stopping.isStopped,
      afterExport: (bytes) => {
        if (bytes >= LARGE_REQUEST_BYTES) releaseHeapSoon();
      },
    });
    if (result.interrupted) err('verify: stopped before every export was read; writing the report\n');
    return {
      source: { files: result.files, unreadFiles: result.unreadFiles, interrupted: result.interrupted },
      requests: result.exports,
      limits: { maxFiles: options.maxFiles, maxFileBytes: options.maxFileBytes, maxEmptyExports: options.maxEmptyExports, maxDistinctViolations: options.maxViolations, maxSeries: options.maxSeries },
      release: stopping.release,
    };
  } catch (e) {
    stopping.release();
    throw e;
  }
}

interface VerifyOptions {
  readonly help: boolean;
  readonly host: string;
  readonly port: number;
  readonly durationMs?: number;
  /** Set with --file: the saved exports to read instead of listening. */
  readonly files?: readonly string[];
  readonly json: boolean;
  readonly ignore: ViolationCode[];
  readonly require: readonly string[];
  readonly minCoverage?: number;
  readonly prefix: string;
  readonly buckets: 'codex' | 'wide' | 'any';
  /** --genai: the GenAI view's metrics are coverage targets too. */
  readonly genAi: boolean;
  readonly maxConnections: number;
  readonly requestTimeoutMs: number;
  readonly maxPoints: number;
  readonly maxViolations: number;
  readonly maxSeries: number;
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly maxEmptyExports: number;
}

const LIVE_ONLY = ['listen', 'duration', 'max-connections', 'request-timeout'] as const;
const FILES_ONLY = ['max-files', 'max-file-bytes', 'max-empty-exports'] as const;

export function parseVerifyArgs(argv: string[]): VerifyOptions {
  const { values, positionals, tokens } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    tokens: true,
    options: {
      listen: { type: 'string' },
      duration: { type: 'string' },
      file: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      ignore: { type: 'string', multiple: true, default: [] },
      require: { type: 'string', multiple: true, default: [] },
      'min-coverage': { type: 'string' },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      buckets: { type: 'string', default: 'codex' },
      genai: { type: 'boolean', default: false },
      'max-connections': { type: 'string' },
      'request-timeout': { type: 'string' },
      'max-points': { type: 'string', default: String(DEFAULT_REQUEST_LIMITS.maxPointsPerRequest) },
      'max-violations': { type: 'string', default: String(DEFAULT_MAX_DISTINCT_VIOLATIONS) },
      'max-series': { type: 'string', default: String(DEFAULT_MAX_SERIES) },
      'max-files': { type: 'string' },
      'max-file-bytes': { type: 'string' },
      'max-empty-exports': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  // `--file a.json b.json`: a shell glob gives one --file and more paths after it. Command-line
  // order is kept: it is the order of the exports (cumulative series are compared in it).
  const files = values.file
    ? tokens.flatMap((t) => (t.kind === 'positional' ? [t.value] : t.kind === 'option' && t.name === 'file' && t.value !== undefined ? [t.value] : []))
    : undefined;
  if (!files && positionals.length > 0) throw new Error(`unexpected argument ${positionals[0]}; saved exports go after --file`);
  for (const flag of files ? LIVE_ONLY : FILES_ONLY) {
    if (values[flag] !== undefined) throw new Error(files ? `--${flag} is for listening; it cannot be used with --file` : `--${flag} only applies with --file`);
  }
  const { host, port } = parseListen(values.listen ?? '127.0.0.1:4318');
  const durationMs = values.duration !== undefined ? secondsOption('--duration', values.duration) : undefined;
  const ignore = values.ignore.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const code of ignore) {
    if (!(VIOLATION_CODES as readonly string[]).includes(code)) throw new Error(`--ignore ${code}: not a violation code (${VIOLATION_CODES.join(', ')})`);
  }
  if (values.buckets !== 'codex' && values.buckets !== 'wide' && values.buckets !== 'any') throw new Error(`--buckets must be codex, wide or any, got ${values.buckets}`);
  const requestTimeoutMs = secondsOption('--request-timeout', values['request-timeout'] ?? String(DEFAULT_REQUEST_TIMEOUT_MS / 1000));
  let minCoverage: number | undefined;
  if (values['min-coverage'] !== undefined) {
    minCoverage = Number(values['min-coverage'].replace(/%$/, ''));
    if (!DECIMAL.test(values['min-coverage'].replace(/%$/, '')) || minCoverage < 0 || minCoverage > 100) {
      throw new Error(`--min-coverage must be a percentage from 0 to 100, got ${values['min-coverage']}`);
    }
  }
  if (files?.some((f) => f === '')) throw new Error('--file needs a path');
  return {
    help: values.help,
    host,
    port,
    durationMs,
    ...(files ? { files } : {}),
    json: values.json,
    ignore: ignore as ViolationCode[],
    require: values.require,
    ...(minCoverage !== undefined ? { minCoverage } : {}),
    prefix: values.prefix,
    buckets: values.buckets,
    genAi: values.genai,
    maxConnections: positiveInteger('--max-connections', values['max-connections'] ?? String(DEFAULT_MAX_CONNECTIONS)),
    requestTimeoutMs,
    maxPoints: positiveInteger('--max-points', values['max-points']),
    maxViolations: positiveInteger('--max-violations', values['max-violations']),
    maxSeries: positiveInteger('--max-series', values['max-series']),
    maxFiles: positiveInteger('--max-files', values['max-files'] ?? String(DEFAULT_MAX_FILES)),
    maxFileBytes: positiveInteger('--max-file-bytes', values['max-file-bytes'] ?? String(DEFAULT_MAX_FILE_BYTES)),
    maxEmptyExports: positiveInteger('--max-empty-exports', values['max-empty-exports'] ?? String(DEFAULT_MAX_EMPTY_EXPORTS)),
  };
}

/** Plain decimal numbers only: Number() would also take 0x10, 1e3, Infinity and a blank. */
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer in decimal digits, got ${text}`);
  return value;
}

/** Seconds to whole milliseconds, 1 ms to MAX_TIMER_MS (a longer Node timer fires after 1 ms). */
function secondsOption(flag: string, text: string): number {
  const ms = Math.round(Number(text) * 1000);
  if (!DECIMAL.test(text) || !(ms >= 1 && ms <= MAX_TIMER_MS)) {
    throw new Error(`${flag} must be a number of seconds in decimal digits from 0.001 to ${MAX_TIMER_MS / 1000}, got ${text}`);
  }
  return ms;
}

/** `HOST:PORT`, `[::1]:PORT` or a bare `PORT` (loopback). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(listen) ?? /^()()(\d+)$/.exec(listen);
  if (!match) throw new Error(`--listen must be HOST:PORT, got ${listen}`);
  const port = Number(match[3]);
  if (port > 65535) throw new Error(`--listen port out of range: ${port}`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

/**
 * `stopped` resolves (and `isStopped` turns true) after `durationMs`, on SIGINT/SIGTERM or on abort. The signal handlers stay
 * installed (later signals call `again`) until `release()`, so the process is not killed halfway
 * through writing the report.
 */
function stopSignal(durationMs: number | undefined, signal: AbortSignal | undefined, again: () => void): { stopped: Promise<void>; isStopped: () => boolean; release: () => void } {
  let stopped = false;
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  const timer = durationMs !== undefined ? setTimeout(stop, durationMs) : undefined;
  function stop(): void {
    if (stopped) {
      again();
      return;
    }
    stopped = true;
    clearTimeout(timer);
    resolve();
  }
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  signal?.addEventListener('abort', stop, { once: true });
  if (signal?.aborted) stop();
  return {
    stopped: promise,
    isStopped: () => stopped,
    release() {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    },
  };
}
