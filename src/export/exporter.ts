// The two OTLP/HTTP exporters: protobuf (the OTLP default) and JSON. Same OTLPMetricExporter API.
import {
  OTLPMetricExporter as JsonExporter,
  AggregationTemporalityPreference,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { ExportConfig } from './config.js';

export function createOtlpExporter(config: ExportConfig): PushMetricExporter {
  const options = {
    url: config.url,
    headers: config.headers,
    timeoutMillis: config.timeoutMillis,
    // The exporter's CompressionAlgorithm enum has exactly these string values.
    compression: config.compression as NonNullable<ConstructorParameters<typeof JsonExporter>[0]>['compression'],
    temporalityPreference: config.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  return config.protocol === 'http/json' ? new JsonExporter(options) : new ProtoExporter(options);
}
