// The OpenTelemetry SDK and the OTLP exporters as startCodexMetrics uses them, from whichever
// source the entry point registered:
// - the package root (`codex-otel-metrics`) registers node-sdk-modules.ts: loaded on first use, so
//   `import { createCodexMetrics }` costs only @opentelemetry/api; it resolves the packages at run
//   time, which a bundler cannot follow;
// - `codex-otel-metrics/start` registers static-sdk-modules.ts: static imports a bundler follows
//   (the SDK is loaded with the entry).
// This file has neither import.meta nor a loader, so a bundle of `/start` holds neither.
import type * as OtlpHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as OtlpProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';

/** Each module on first call: only the exporter of the configured protocol is loaded. */
export interface SdkModuleSource {
  sdkMetrics(): typeof SdkMetrics;
  resources(): typeof Resources;
  otlpHttpExporter(): typeof OtlpHttp;
  otlpProtoExporter(): typeof OtlpProto;
}

let registered: SdkModuleSource | undefined;

/**
 * Registers where the SDK comes from. Static modules (`/start`) win over the run-time loader of
 * the root, whichever entry was imported first.
 */
export function registerSdkModules(source: SdkModuleSource, kind: 'static' | 'loader'): void {
  if (kind === 'static' || registered === undefined) registered = source;
}

function source(): SdkModuleSource {
  if (registered === undefined) {
    throw new Error("codex-otel-metrics: no OpenTelemetry SDK registered; import startCodexMetrics from 'codex-otel-metrics' or 'codex-otel-metrics/start'");
  }
  return registered;
}

export const sdkMetrics = (): typeof SdkMetrics => source().sdkMetrics();
export const resources = (): typeof Resources => source().resources();
export const otlpHttpExporter = (): typeof OtlpHttp => source().otlpHttpExporter();
export const otlpProtoExporter = (): typeof OtlpProto => source().otlpProtoExporter();
