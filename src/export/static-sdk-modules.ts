// `codex-otel-metrics/start`'s SDK source: static imports, which a bundler (esbuild, Rollup,
// webpack) follows into the bundle, so a bundle works shipped without node_modules. Importing this
// loads sdk-metrics, resources and both OTLP exporters at once (the root entry loads them lazily).
import * as OtlpHttp from '@opentelemetry/exporter-metrics-otlp-http';
import * as OtlpProto from '@opentelemetry/exporter-metrics-otlp-proto';
import * as Resources from '@opentelemetry/resources';
import * as SdkMetrics from '@opentelemetry/sdk-metrics';
import { registerSdkModules } from './sdk-modules.js';

/**
 * The module's full exports. The 2.x packages are CommonJS: imported by Node, the namespace holds
 * the names Node's static analysis found and `default` holds module.exports (all of them); the 3.x
 * packages (and a bundler's view of either) have the names themselves.
 */
function full<T extends object>(namespace: T, name: keyof T): T {
  const exports = (namespace as { default?: unknown }).default;
  return typeof exports === 'object' && exports !== null && name in exports ? (exports as T) : namespace;
}

const sdkMetrics = full(SdkMetrics, 'PeriodicExportingMetricReader');
const resources = full(Resources, 'resourceFromAttributes');
const otlpHttp = full(OtlpHttp, 'OTLPMetricExporter');
const otlpProto = full(OtlpProto, 'OTLPMetricExporter');

registerSdkModules({ sdkMetrics: () => sdkMetrics, resources: () => resources, otlpHttpExporter: () => otlpHttp, otlpProtoExporter: () => otlpProto }, 'static');
