// The OTLP/HTTP exporter of the configured protocol, and only that one is loaded: protobuf
// (exporter-metrics-otlp-proto, the OTLP default) or JSON (exporter-metrics-otlp-http, which sends
// JSON only). Both have the same OTLPMetricExporter API.
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExportConfig } from './config.js';
import type { ResponseWatch } from './partial-success.js';
import { otlpHttpExporter, otlpProtoExporter, sdkMetrics } from './sdk-modules.js';

/**
 * Variables the exporter would read from process.env on its own at construction. The config has
 * already resolved them (from the `env` option, which replaces process.env), so the exporter must
 * not see them: it would log an unparsable endpoint in full even when an endpoint option was given,
 * and merge header values the caller did not ask for. The TLS file variables
 * (`OTEL_EXPORTER_OTLP_*CERTIFICATE`, `*CLIENT_KEY`) are still read from process.env: by the
 * exporter, or by the ResponseWatch's agent factory, which replaces the exporter's.
 */
export const ENV_RESOLVED_BY_CONFIG = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_METRICS_COMPRESSION',
  'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
] as const;

/**
 * `timeoutMillis`: of each export, retries included (the exit timeout for the final export at
 * shutdown). `responses`: sees each response beside the exporter (partial success), through the
 * agent it creates.
 */
export function createOtlpExporter(config: ExportConfig, { timeoutMillis = config.timeoutMillis, responses }: { timeoutMillis?: number; responses?: ResponseWatch } = {}): PushMetricExporter {
  const { AggregationTemporality } = sdkMetrics();
  const options = {
    ...(responses ? { httpAgentOptions: responses.agentFactory } : {}),
    url: config.url,
    headers: { ...config.headers },
    timeoutMillis,
    // The exporter's CompressionAlgorithm enum has exactly these string values.
    compression: config.compression as never,
    temporalityPreference: config.temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
  };
  return withoutEnv(ENV_RESOLVED_BY_CONFIG, () =>
    config.protocol === 'http/json' ? new (otlpHttpExporter().OTLPMetricExporter)(options) : new (otlpProtoExporter().OTLPMetricExporter)(options),
  );
}

/** Runs `build` with `names` absent from process.env (synchronous, so nothing else can observe the gap). */
function withoutEnv<T>(names: readonly string[], build: () => T): T {
  const saved: [string, string | undefined][] = [];
  for (const name of names) {
    if (!Object.prototype.hasOwnProperty.call(process.env, name)) continue;
    saved.push([name, process.env[name]]);
    delete process.env[name];
  }
  try {
    return build();
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
