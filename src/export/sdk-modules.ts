// The OpenTelemetry SDK and the OTLP exporters, loaded on first use. `import 'codex-otel-metrics'`
// then costs only @opentelemetry/api (what createCodexMetrics needs); startCodexMetrics, which is
// synchronous, loads sdk-metrics, resources and the one exporter its protocol needs.
//
// Dual-package hazard: sdk-metrics 3.x ships both an ESM and a CommonJS build. A plain require()
// would load the CommonJS copy while the host's `import` loads the ESM one, and the host's readers,
// views and resources would meet a second SDK instance. So the file is resolved as `import` would
// resolve it and then loaded with require(), which for an ES module (Node >= 20.19 / 22.12) returns
// the very instance `import` gives. The 2.x packages are CommonJS only: both paths load the same file.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as OtlpHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';

let requireFn: NodeJS.Require | undefined;
/** Created on first use: importing the package touches neither import.meta nor the loader. */
const requireModule = (): NodeJS.Require => (requireFn ??= createRequire(import.meta.url));
const loaded = new Map<string, unknown>();

function load<T>(specifier: string): T {
  let module = loaded.get(specifier);
  if (module === undefined) {
    module = requireModule()(importPath(specifier));
    loaded.set(specifier, module);
  }
  return module as T;
}

/** Where `import specifier` from this file would load from (require's resolution where import.meta.resolve is missing). */
function importPath(specifier: string): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      const url = resolve(specifier);
      if (url.startsWith('file:')) return fileURLToPath(url);
    } catch {
      // fall back to require's resolution below
    }
  }
  return requireModule().resolve(specifier);
}

export const sdkMetrics = (): typeof SdkMetrics => load('@opentelemetry/sdk-metrics');
export const resources = (): typeof Resources => load('@opentelemetry/resources');
export const otlpHttpExporter = (): typeof OtlpHttp => load('@opentelemetry/exporter-metrics-otlp-http');
export const otlpProtoExporter = (): typeof OtlpProto => load('@opentelemetry/exporter-metrics-otlp-proto');

/** The part of otlp-transformer used (typed here: it is not a dependency of the package). */
interface OtlpTransformer {
  readonly ProtobufMetricsSerializer: {
    deserializeResponse(body: Uint8Array): { partialSuccess?: { rejectedDataPoints?: unknown; errorMessage?: unknown } };
  };
}

let transformer: OtlpTransformer | undefined;
/**
 * The protobuf exporter's own @opentelemetry/otlp-transformer (its dependency, not the package's),
 * resolved from where that exporter lives, for reading OTLP responses (partial success).
 */
export const otlpTransformer = (): OtlpTransformer =>
  (transformer ??= createRequire(importPath('@opentelemetry/exporter-metrics-otlp-proto'))('@opentelemetry/otlp-transformer'));
