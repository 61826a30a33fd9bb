// Test helper: records with a real sdk-metrics MeterProvider and exports once to a receiver with
// the real OTLP exporters, so decoding is tested against what the SDK actually puts on the wire.
import type { Meter } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

export interface SdkExportOptions {
  readonly protocol?: 'protobuf' | 'json';
  readonly gzip?: boolean;
  readonly delta?: boolean;
}

/** A provider whose `flush()` exports everything recorded so far (and `shutdown()` once more). */
export function sdkPipeline(url: string, options: SdkExportOptions = {}) {
  // CompressionAlgorithm lives in otlp-exporter-base, not a direct dependency; its values are 'gzip' | 'none'.
  type Config = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;
  const compression = (options.gzip ? 'gzip' : 'none') as Config['compression'];
  const config: Config = {
    url,
    compression,
    temporalityPreference: options.delta ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = options.protocol === 'json' ? new JsonExporter(config) : new ProtoExporter(config);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'verify-test' }),
    readers: [reader],
  });
  const meter: Meter = provider.getMeter('codex', '1.2.3');
  return {
    meter,
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Records, then shuts down, which exports exactly once. */
export async function exportOnce(url: string, record: (meter: Meter) => void, options: SdkExportOptions = {}): Promise<void> {
  const pipeline = sdkPipeline(url, options);
  try {
    record(pipeline.meter);
  } finally {
    await pipeline.shutdown();
  }
}
