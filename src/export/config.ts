// Export settings from options first, then the standard OTEL_* variables, then defaults.
// Credentials (header values, URL user info and query) are carried but never printed: they are
// kept off JSON.stringify/util.inspect of the config, and describeConfig() masks them.
import { DEFAULT_CARDINALITY_LIMIT } from '../runtime/limits.js';
import { ExportConfigError } from './errors.js';
import { durationFromEnv, durationOption } from './durations.js';
import { headersFromEnv, headersFromOption } from './headers.js';
import { maskHeaders, maskUrl } from './mask.js';
import { isLogLevel, reportLine, type LogLevel } from './report.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type Temporality = 'cumulative' | 'delta';

export interface ExportOptions {
  /** OTLP/HTTP base URL (`http://host:4318`) or full metrics URL (`…/v1/metrics`). */
  endpoint?: string;
  /** Extra request headers (e.g. auth). Merged with `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`. */
  headers?: Record<string, string>;
  protocol?: OtlpProtocol;
  exportIntervalMillis?: number;
  /** Timeout of one export (retries included) and of `forceFlush()`; default 10 s. */
  exportTimeoutMillis?: number;
  /**
   * Timeout of the final export at `shutdown()` (retries included), and so the bound of
   * `shutdown()`: default 2 s, at most the export timeout (`CODEX_OTEL_METRICS_EXIT_TIMEOUT`).
   */
  exitTimeoutMillis?: number;
  temporality?: Temporality;
  /** `service.name` resource attribute (default `codex`; `OTEL_SERVICE_NAME` wins). */
  serviceName?: string;
  /** Series per instrument before the SDK folds new ones into `otel.metric.overflow=true`; default 2000. */
  cardinalityLimit?: number;
  /**
   * Installs an OpenTelemetry DiagConsoleLogger at this level (`CODEX_OTEL_METRICS_LOG_LEVEL`);
   * `none` installs a silent one. Unset (default): the host's diag logger is left alone.
   */
  logLevel?: LogLevel;
  /** Configuration problems (an unsupported protocol, a bad log level) throw instead of warning. */
  strict?: boolean;
}

export interface ExportConfig {
  readonly disabled: boolean;
  /** The metrics URL. Not enumerable (it may hold credentials): print describeConfig(config). */
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly compression: 'gzip' | 'none';
  /** Header values are credentials: not enumerable, never printed. */
  readonly headers: Record<string, string>;
  /** From OTEL_RESOURCE_ATTRIBUTES (service.name resolved into serviceName). */
  readonly resourceAttributes: Record<string, string>;
  readonly intervalMillis: number;
  readonly timeoutMillis: number;
  /** The final export's timeout at shutdown(): never more than timeoutMillis. */
  readonly exitTimeoutMillis: number;
  readonly temporality: Temporality;
  readonly serviceName: string;
  readonly cardinalityLimit: number;
  /** Asked-for diag console logging, if any. */
  readonly logLevel: LogLevel | undefined;
  /** `CODEX_OTEL_METRICS_GENAI` (`true`/`false`), when set and valid; the `genAi` option wins over it. */
  readonly genAi: boolean | undefined;
}

type Env = Record<string, string | undefined>;

/** util.inspect.custom, a registered symbol: importing node:util for it would add to the package's cold import. */
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');
const DEFAULT_BASE = 'http://localhost:4318';
const DEFAULT_INTERVAL = 60_000;
const DEFAULT_TIMEOUT = 10_000;
/** Long enough for a live collector to take the final export, short enough that a dead one does not hold up an exit. */
export const DEFAULT_EXIT_TIMEOUT = 2_000;

export function resolveExportConfig(options: ExportOptions = {}, env: Env = process.env): ExportConfig {
  const config = resolve(options, env);
  // Credentials stay off JSON.stringify, console.log, util.inspect and Object.entries; the
  // printable forms show the masked URL and the header names only.
  Object.defineProperty(config, 'url', { enumerable: false });
  Object.defineProperty(config, 'headers', { enumerable: false });
  const printable = () => ({ ...config, url: maskUrl(config.url), headers: maskHeaders(config.headers) });
  Object.defineProperty(config, 'toJSON', { value: printable, enumerable: false });
  Object.defineProperty(config, INSPECT_CUSTOM, { value: () => printable(), enumerable: false });
  return config;
}

function resolve(options: ExportOptions, env: Env): ExportConfig {
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const strict = options.strict === true;
  // Ranges and spellings in durations.ts.
  const intervalMillis =
    durationOption(options.exportIntervalMillis, 'exportIntervalMillis', strict) ?? durationFromEnv(env, 'OTEL_METRIC_EXPORT_INTERVAL', 'exportIntervalMillis', strict) ?? DEFAULT_INTERVAL;
  const timeout =
    durationOption(options.exportTimeoutMillis, 'exportTimeoutMillis', strict) ?? durationFromEnv(env, 'OTEL_METRIC_EXPORT_TIMEOUT', 'exportTimeoutMillis', strict) ?? DEFAULT_TIMEOUT;
  const exitTimeout =
    durationOption(options.exitTimeoutMillis, 'exitTimeoutMillis', strict) ?? durationFromEnv(env, 'CODEX_OTEL_METRICS_EXIT_TIMEOUT', 'exitTimeoutMillis', strict) ?? DEFAULT_EXIT_TIMEOUT;
  const resourceAttributes = parseHeaders(env.OTEL_RESOURCE_ATTRIBUTES);
  const resourceServiceName = resourceAttributes['service.name'];
  delete resourceAttributes['service.name'];
  const url = metricsUrl(options.endpoint, env, disabled);
  return {
    disabled,
    url,
    protocol: protocol(options.protocol, env, url, options.strict === true),
    compression: (nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_COMPRESSION) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_COMPRESSION)) === 'gzip' ? 'gzip' : 'none',
    resourceAttributes,
    // Checked entry by entry (headers.ts); unused, so unchecked, when export is disabled.
    headers: disabled
      ? {}
      : {
          ...headersFromEnv(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', strict),
          ...headersFromEnv(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS', strict),
          ...headersFromOption(options.headers, strict),
        },
    intervalMillis,
    // The SDK requires timeout <= interval.
    timeoutMillis: Math.min(timeout, intervalMillis),
    exitTimeoutMillis: Math.min(exitTimeout, timeout, intervalMillis),
    temporality: temporality(options.temporality, env),
    // OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES (OTel spec), both over the option.
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? nonEmpty(resourceServiceName) ?? options.serviceName ?? 'codex',
    cardinalityLimit: positive(options.cardinalityLimit, 'cardinalityLimit') ?? DEFAULT_CARDINALITY_LIMIT,
    logLevel: logLevel(options.logLevel, env, options.strict === true),
    genAi: genAiFromEnv(env, options.strict === true),
  };
}

/** Safe to print: header names only, values masked; credentials and query of the URL masked. */
export function describeConfig(config: ExportConfig): string {
  return `${config.protocol} ${maskUrl(config.url)} every ${config.intervalMillis} ms, timeout ${config.timeoutMillis} ms, ${config.temporality}, headers: ${maskHeaders(config.headers)}`;
}

function metricsUrl(endpoint: string | undefined, env: Env, disabled: boolean): string {
  const [url, source] = rawMetricsUrl(endpoint, env);
  if (!disabled) checkUrl(url, source);
  return url;
}

function rawMetricsUrl(endpoint: string | undefined, env: Env): [url: string, source: string] {
  if (nonEmpty(endpoint)) return [withMetricsPath(endpoint!.trim()), 'the endpoint option'];
  const specific = nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
  if (specific) return [specific, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT']; // used as-is, per the OTLP exporter spec
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return [`${(base ?? DEFAULT_BASE).replace(/\/+$/, '')}/v1/metrics`, base ? 'OTEL_EXPORTER_OTLP_ENDPOINT' : 'the default endpoint'];
}

/** An endpoint the exporter cannot use is an error now, described without quoting it (it may hold a password). */
function checkUrl(url: string, source: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ExportConfigError('invalid_endpoint', `${source} is not a valid URL (${url.length} characters, not shown as it may hold credentials); expected e.g. http://collector:4318`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    // `localhost:4318` parses as the scheme `localhost:`: the usual mistake, named as such.
    const hint = url.includes('://') ? '' : ' (it has no scheme: put http:// in front)';
    throw new ExportConfigError('invalid_endpoint', `${source} must be an http:// or https:// URL (OTLP/HTTP), e.g. http://collector:4318${hint}`);
  }
}

/** The `endpoint` option is a base URL like OTEL_EXPORTER_OTLP_ENDPOINT, unless it already names /v1/metrics. */
function withMetricsPath(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.pathname.replace(/\/+$/, '').endsWith('/v1/metrics')) return url;
    parsed.pathname = `${parsed.pathname.replace(/\/+$/, '')}/v1/metrics`;
    return parsed.toString();
  } catch {
    return url; // not a URL: the exporter reports it
  }
}

/**
 * http/protobuf or http/json. Anything else (`grpc` above all, which would otherwise be sent as
 * http/protobuf to a gRPC port without a word) is an error in strict mode, else a warning naming
 * what is used instead.
 */
function protocol(option: string | undefined, env: Env, url: string, strict: boolean): OtlpProtocol {
  const [value, source] =
    option !== undefined
      ? [option, 'the protocol option']
      : nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) !== undefined
        ? [nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL)!, 'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL']
        : [nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf', 'OTEL_EXPORTER_OTLP_PROTOCOL'];
  if (value === 'http/json' || value === 'http/protobuf') return value;
  const shown = JSON.stringify(String(value).slice(0, 32));
  const why =
    value === 'grpc'
      ? `codex-otel-metrics exports OTLP/HTTP only; a gRPC endpoint (port 4317) does not accept it: use http/protobuf and the collector's OTLP/HTTP port (4318)`
      : 'expected http/protobuf or http/json';
  if (strict) throw new ExportConfigError('unsupported_protocol', `OTLP protocol ${shown} from ${source} is not supported: ${why}`);
  reportLine('warn', `codex-otel-metrics: OTLP protocol ${shown} from ${source} is not supported; sending http/protobuf to ${maskUrl(url)} instead (${why})`);
  return 'http/protobuf';
}

function logLevel(option: LogLevel | undefined, env: Env, strict: boolean): LogLevel | undefined {
  const [value, source] = option !== undefined ? [option, 'the logLevel option'] : [nonEmpty(env.CODEX_OTEL_METRICS_LOG_LEVEL)?.toLowerCase(), 'CODEX_OTEL_METRICS_LOG_LEVEL'];
  if (value === undefined || isLogLevel(value)) return value;
  const message = `${source} ${JSON.stringify(String(value).slice(0, 32))} is not one of none, error, warn, info, debug, verbose, all`;
  if (strict) throw new ExportConfigError('invalid_option', message);
  reportLine('warn', `codex-otel-metrics: ignoring ${message}`);
  return undefined;
}

/** CODEX_OTEL_METRICS_GENAI: `true` or `false` (any case); anything else is an error (strict) or ignored with a warning. */
function genAiFromEnv(env: Env, strict: boolean): boolean | undefined {
  const value = nonEmpty(env.CODEX_OTEL_METRICS_GENAI)?.toLowerCase();
  if (value === undefined) return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  const message = `CODEX_OTEL_METRICS_GENAI ${JSON.stringify(value.slice(0, 32))} is not true or false`;
  if (strict) throw new ExportConfigError('invalid_option', message);
  reportLine('warn', `codex-otel-metrics: ignoring ${message}`);
  return undefined;
}

function temporality(option: Temporality | undefined, env: Env): Temporality {
  if (option === 'delta' || option === 'cumulative') return option;
  const pref = (env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ?? '').trim().toLowerCase();
  // lowmemory is delta for synchronous counters and histograms, which is all this package records.
  return pref === 'delta' || pref === 'lowmemory' ? 'delta' : 'cumulative';
}

/** `k1=v1,k2=v2`, values URL-decoded (OTEL_RESOURCE_ATTRIBUTES; headers are checked in headers.ts). Malformed pairs are skipped. */
export function parseHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const pair of raw.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    const key = pair.slice(0, i).trim();
    let value = pair.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep as written
    }
    if (key) out[key] = value;
  }
  return out;
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new TypeError(`${name} must be a positive number`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
