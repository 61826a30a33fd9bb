// `codex-otel-metrics verify`: an OTLP/HTTP endpoint that checks everything sent to it against the
// metric registry, then reports and exits 1 on any violation or malformed request.
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from '../catalog/spec.js';
import { DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../generated/catalog.js';
import { LARGE_REQUEST_BYTES, releaseHeapSoon } from './heap-release.js';
import { DEFAULT_MAX_DISTINCT_VIOLATIONS, createConformanceChecker } from '../verify/checker.js';
import { DEFAULT_MAX_SERIES } from '../verify/monotonic.js';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_TIMEOUT_MS, startOtlpReceiver } from '../verify/receiver.js';
import type { OtlpReceiver } from '../verify/receiver.js';
import { buildRunReport, formatRunReport, malformed, malformedLine } from '../verify/run-report.js';
import type { MalformedRequest } from '../verify/run-report.js';
import { DEFAULT_REQUEST_LIMITS } from '../verify/request-limits.js';
import { VIOLATION_CODES, violationKey } from '../verify/violations.js';
import type { ViolationCode } from '../verify/violations.js';

const USAGE = `usage: codex-otel-metrics verify [--listen HOST:PORT] [--duration SECONDS] [--json] [--ignore CODE]...

Receives OTLP/HTTP metrics on POST /v1/metrics (protobuf or JSON, gzip or not) and checks every
data point against the Codex metric registry. Stops after --duration or on SIGINT/SIGTERM, prints a
summary (JSON on stdout with --json) and exits 1 on any violation, malformed request or refused
connection.

  --listen HOST:PORT   address to listen on (default 127.0.0.1:4318; port 0 picks one)
  --duration SECONDS   stop after this long (default: run until interrupted)
  --json               print the report as JSON on stdout
  --ignore CODE        drop a violation code (repeatable or comma-separated), e.g. missing_default_tag
  --prefix PREFIX      metric name prefix (default ${DEFAULT_PREFIX})
  --buckets MODE       histogram boundaries to expect: codex (default, what the Codex CLI sends),
                       wide (the package's histogramBuckets: 'wide'), any (not checked)

Limits (see docs/failure-behaviour.md):
  --max-connections N      open connections and requests in progress (default ${DEFAULT_MAX_CONNECTIONS})
  --request-timeout SECONDS  headers, then the body, must each arrive within this (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000})
  --max-points N           data points in one request (default ${DEFAULT_REQUEST_LIMITS.maxPointsPerRequest})
  --max-violations N       distinct violations kept in the report (default ${DEFAULT_MAX_DISTINCT_VIOLATIONS})
  --max-series N           cumulative series tracked for going down (default ${DEFAULT_MAX_SERIES})
`;

/** Malformed requests listed in the final report; all of them are counted and logged live. */
export const MAX_REPORTED_MALFORMED = 100;

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
  try {
    options = parseVerifyArgs(argv);
  } catch (e) {
    err(`verify: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    out(USAGE);
    return 0;
  }

  const checker = createConformanceChecker({
    specs: METRICS,
    defaultTags: DEFAULT_TAGS,
    retired: RETIRED_METRICS,
    prefix: options.prefix,
    ignore: options.ignore,
    histogramBuckets: options.buckets,
    maxDistinctViolations: options.maxViolations,
    maxSeries: options.maxSeries,
  });
  // Bounded by the checker: only tallied violations are returned, at most maxViolations distinct.
  const announced = new Set<string>();
  const recentMalformed: MalformedRequest[] = [];
  let internalErrors = 0;
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
        try {
          // Live feedback: each distinct violation the first time it shows up.
          for (const v of checker.check(points)) {
            const key = violationKey(v);
            if (announced.has(key)) continue;
            announced.add(key);
            err(`violation ${v.code}: ${v.message}\n`);
          }
        } catch (e) {
          // A checker bug must fail the run, not vanish (the receiver swallows callback errors).
          internalErrors++;
          err(`verify: internal error while checking request #${request.index}: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      },
      onError: (record) => {
        if (record.bytes >= LARGE_REQUEST_BYTES) releaseHeapSoon();
        const m = malformed(record);
        err(`${malformedLine(m)}\n`);
        recentMalformed.push(m);
        if (recentMalformed.length > MAX_REPORTED_MALFORMED) recentMalformed.shift();
      },
      onConnectionRefused: () => {
        if (refusalLogged) return;
        refusalLogged = true;
        err(`verify: refused a connection: ${options.maxConnections} already open (--max-connections); further refusals are only counted\n`);
      },
    });
  } catch (e) {
    err(`verify: cannot listen on ${options.host}:${options.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }

  const started = performance.now();
  err(`verify: listening on ${receiver.metricsUrl}${options.durationMs ? ` for ${options.durationMs / 1000} s` : ''}; Ctrl-C to stop\n`);
  io.onListening?.(receiver);
  // Signals stay caught until the report is out: a second Ctrl-C or TERM must not cut it off.
  const stopping = stopSignal(options.durationMs, io.signal, () => err('verify: already stopping; writing the report\n'));
  try {
    await stopping.stopped;
    await receiver.close();

    const stats = receiver.stats();
    const report = buildRunReport({
      conformance: checker.report(),
      requests: stats.requests,
      malformedRequestCount: stats.rejected,
      malformedRequests: recentMalformed,
      refusedConnections: stats.refusedConnections,
      internalErrors,
      limits: { maxConnections: options.maxConnections, maxDistinctViolations: options.maxViolations, maxSeries: options.maxSeries },
      listen: receiver.url,
      durationMs: performance.now() - started,
    });
    if (options.json) out(`${JSON.stringify(report, null, 2)}\n`);
    else out(formatRunReport(report));
    return report.ok ? 0 : 1;
  } finally {
    stopping.release();
  }
}

interface VerifyOptions {
  readonly help: boolean;
  readonly host: string;
  readonly port: number;
  readonly durationMs?: number;
  readonly json: boolean;
  readonly ignore: ViolationCode[];
  readonly prefix: string;
  readonly buckets: 'codex' | 'wide' | 'any';
  readonly maxConnections: number;
  readonly requestTimeoutMs: number;
  readonly maxPoints: number;
  readonly maxViolations: number;
  readonly maxSeries: number;
}

export function parseVerifyArgs(argv: string[]): VerifyOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      listen: { type: 'string', default: '127.0.0.1:4318' },
      duration: { type: 'string' },
      json: { type: 'boolean', default: false },
      ignore: { type: 'string', multiple: true, default: [] },
      prefix: { type: 'string', default: DEFAULT_PREFIX },
      buckets: { type: 'string', default: 'codex' },
      'max-connections': { type: 'string', default: String(DEFAULT_MAX_CONNECTIONS) },
      'request-timeout': { type: 'string', default: String(DEFAULT_REQUEST_TIMEOUT_MS / 1000) },
      'max-points': { type: 'string', default: String(DEFAULT_REQUEST_LIMITS.maxPointsPerRequest) },
      'max-violations': { type: 'string', default: String(DEFAULT_MAX_DISTINCT_VIOLATIONS) },
      'max-series': { type: 'string', default: String(DEFAULT_MAX_SERIES) },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const { host, port } = parseListen(values.listen);
  let durationMs: number | undefined;
  if (values.duration !== undefined) {
    const seconds = Number(values.duration);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--duration must be a positive number of seconds, got ${values.duration}`);
    durationMs = seconds * 1000;
  }
  const ignore = values.ignore.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const code of ignore) {
    if (!(VIOLATION_CODES as readonly string[]).includes(code)) throw new Error(`--ignore ${code}: not a violation code (${VIOLATION_CODES.join(', ')})`);
  }
  if (values.buckets !== 'codex' && values.buckets !== 'wide' && values.buckets !== 'any') throw new Error(`--buckets must be codex, wide or any, got ${values.buckets}`);
  const requestTimeoutSeconds = Number(values['request-timeout']);
  if (!Number.isFinite(requestTimeoutSeconds) || requestTimeoutSeconds <= 0) {
    throw new Error(`--request-timeout must be a positive number of seconds, got ${values['request-timeout']}`);
  }
  return {
    help: values.help,
    host,
    port,
    durationMs,
    json: values.json,
    ignore: ignore as ViolationCode[],
    prefix: values.prefix,
    buckets: values.buckets,
    maxConnections: positiveInteger('--max-connections', values['max-connections']),
    requestTimeoutMs: Math.round(requestTimeoutSeconds * 1000),
    maxPoints: positiveInteger('--max-points', values['max-points']),
    maxViolations: positiveInteger('--max-violations', values['max-violations']),
    maxSeries: positiveInteger('--max-series', values['max-series']),
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${text}`);
  return value;
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
 * `stopped` resolves after `durationMs`, on SIGINT/SIGTERM or on abort. The signal handlers stay
 * installed (later signals call `again`) until `release()`, so the process is not killed halfway
 * through writing the report.
 */
function stopSignal(durationMs: number | undefined, signal: AbortSignal | undefined, again: () => void): { stopped: Promise<void>; release: () => void } {
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
    release() {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
    },
  };
}
