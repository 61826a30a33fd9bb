// Export settings from options first, then the standard OTEL_* variables, then defaults.
// Header values are carried but never printed: describeConfig() masks them.
import { diag } from '@opentelemetry/api';
import { DEFAULT_CARDINALITY_LIMIT } from '../runtime/limits.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type Temporality = 'cumulative' | 'delta';

export interface ExportOptions {
  /** OTLP/HTTP base URL (`http://host:4318`) or full metrics URL (`…/v1/metrics`). */
  endpoint?: string;
  /** Extra request headers (e.g. auth). Merged with `OTEL_EXPORTER_OTLP_(METRICS_)HEADERS`. */
  headers?: Record<string, string>;
  protocol?: OtlpProtocol;
  exportIntervalMillis?: number;
  /** Timeout of one export, and the bound of `shutdown()`; default 10 s. */
  exportTimeoutMillis?: number;
  temporality?: Temporality;
  /** `service.name` resource attribute (default `codex`; `OTEL_SERVICE_NAME` wins). */
  serviceName?: string;
  /** Series per instrument before the SDK folds new ones into `otel.metric.overflow=true`; default 2000. */
  cardinalityLimit?: number;
}

export interface ExportConfig {
  readonly disabled: boolean;
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly compression: 'gzip' | 'none';
  readonly headers: Record<string, string>;
  /** From OTEL_RESOURCE_ATTRIBUTES (service.name resolved into serviceName). */
  readonly resourceAttributes: Record<string, string>;
  readonly intervalMillis: number;
  readonly timeoutMillis: number;
  readonly temporality: Temporality;
  readonly serviceName: string;
  readonly cardinalityLimit: number;
}

type Env = Record<string, string | undefined>;

const DEFAULT_BASE = 'http://localhost:4318';
const DEFAULT_INTERVAL = 60_000;
const DEFAULT_TIMEOUT = 10_000;

export function resolveExportConfig(options: ExportOptions = {}, env: Env = process.env): ExportConfig {
  const config = resolve(options, env);
  // Header values are credentials: keep them off JSON.stringify, console.log and util.inspect.
  Object.defineProperty(config, 'headers', { enumerable: false });
  return config;
}

function resolve(options: ExportOptions, env: Env): ExportConfig {
  const disabled = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true';
  const intervalMillis = positive(options.exportIntervalMillis, 'exportIntervalMillis') ?? envMillis(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_INTERVAL;
  const timeout = positive(options.exportTimeoutMillis, 'exportTimeoutMillis') ?? envMillis(env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? DEFAULT_TIMEOUT;
  const resourceAttributes = parseHeaders(env.OTEL_RESOURCE_ATTRIBUTES);
  const resourceServiceName = resourceAttributes['service.name'];
  delete resourceAttributes['service.name'];
  return {
    disabled,
    url: metricsUrl(options.endpoint, env),
    protocol: protocol(options.protocol, env),
    compression: (nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_COMPRESSION) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_COMPRESSION)) === 'gzip' ? 'gzip' : 'none',
    resourceAttributes,
    headers: { ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseHeaders(env.OTEL_EXPORTER_OTLP_METRICS_HEADERS), ...(options.headers ?? {}) },
    intervalMillis,
    // The SDK requires timeout <= interval.
    timeoutMillis: Math.min(timeout, intervalMillis),
    temporality: temporality(options.temporality, env),
    // OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES (OTel spec), both over the option.
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? nonEmpty(resourceServiceName) ?? options.serviceName ?? 'codex',
    cardinalityLimit: positive(options.cardinalityLimit, 'cardinalityLimit') ?? DEFAULT_CARDINALITY_LIMIT,
  };
}

/** Safe to print: header names only, values masked; credentials and query of the URL masked. */
export function describeConfig(config: ExportConfig): string {
  const headers = Object.keys(config.headers).map((k) => `${k}=***`).join(',') || 'none';
  return `${config.protocol} ${maskUrl(config.url)} every ${config.intervalMillis} ms, timeout ${config.timeoutMillis} ms, ${config.temporality}, headers: ${headers}`;
}

function metricsUrl(endpoint: string | undefined, env: Env): string {
  if (nonEmpty(endpoint)) return withMetricsPath(endpoint!.trim());
  const specific = nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT);
  if (specific) return specific; // used as-is, per the OTLP exporter spec
  const base = nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  return `${(base ?? DEFAULT_BASE).replace(/\/+$/, '')}/v1/metrics`;
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

function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    if (parsed.search) parsed.search = '?***';
    return parsed.toString();
  } catch {
    return '<invalid url>';
  }
}

function protocol(option: OtlpProtocol | undefined, env: Env): OtlpProtocol {
  const value = option ?? nonEmpty(env.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL) ?? nonEmpty(env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf';
  if (value === 'http/json' || value === 'http/protobuf') return value;
  diag.warn(`codex-otel-metrics: OTLP protocol "${String(value).slice(0, 32)}" is not supported; using http/protobuf`);
  return 'http/protobuf';
}

function temporality(option: Temporality | undefined, env: Env): Temporality {
  if (option === 'delta' || option === 'cumulative') return option;
  const pref = (env.OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ?? '').trim().toLowerCase();
  // lowmemory is delta for synchronous counters and histograms, which is all this package records.
  return pref === 'delta' || pref === 'lowmemory' ? 'delta' : 'cumulative';
}

/** `k1=v1,k2=v2`, values URL-decoded (the OTLP exporter spec format). Malformed pairs are skipped. */
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

function envMillis(env: Env, name: string): number | undefined {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (Number.isFinite(n) && n > 0) return n;
  diag.warn(`codex-otel-metrics: ignoring ${name}: not a positive number of milliseconds`);
  return undefined;
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new TypeError(`${name} must be a positive number`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}
