// The package root's SDK source: sdk-metrics, resources and the one exporter a protocol needs,
// loaded synchronously on the first startCodexMetrics call (importing the package loads only
// @opentelemetry/api).
//
// Dual-package hazard: sdk-metrics 3.x ships both an ESM and a CommonJS build. A plain require()
// would load the CommonJS copy while the host's `import` loads the ESM one, and the host's readers,
// views and resources would meet a second SDK instance. So the file is resolved as `import` would
// resolve it and then loaded with require(), which for an ES module (Node >= 20.19 / 22.12) returns
// the very instance `import` gives. The 2.x packages are CommonJS only: both paths load the same file.
//
// A bundler cannot follow this (nor is import.meta there in a CommonJS bundle): a bundle that
// cannot load a module gets one clear error naming `codex-otel-metrics/start`, which imports the
// SDK statically (docs/bundlers.md).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { registerSdkModules, type SdkModuleSource } from './sdk-modules.js';

let requireFn: NodeJS.Require | undefined;
/** Created on first use: importing the package touches neither import.meta nor the loader. */
const requireModule = (): NodeJS.Require => (requireFn ??= createRequire(import.meta.url));
const loaded = new Map<string, unknown>();

/** Thrown when a module cannot be loaded; its message is one line a user can act on. */
export class SdkLoadError extends Error {
  override readonly name = 'SdkLoadError';
}

function load<T>(specifier: string): T {
  let module = loaded.get(specifier);
  if (module === undefined) {
    try {
      module = requireModule()(importPath(specifier));
    } catch (err) {
      const why = err instanceof Error ? (err as { code?: string }).code ?? err.message.split('\n')[0] : String(err);
      throw new SdkLoadError(
        `codex-otel-metrics: startCodexMetrics cannot load ${specifier} (${why}). Installed? It is a dependency of codex-otel-metrics. ` +
          "In a bundle, import startCodexMetrics from 'codex-otel-metrics/start' instead, so that the bundler includes the SDK (docs/bundlers.md).",
      );
    }
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

export const NODE_SDK_MODULES: SdkModuleSource = {
  sdkMetrics: () => load('@opentelemetry/sdk-metrics'),
  resources: () => load('@opentelemetry/resources'),
  otlpHttpExporter: () => load('@opentelemetry/exporter-metrics-otlp-http'),
  otlpProtoExporter: () => load('@opentelemetry/exporter-metrics-otlp-proto'),
};

registerSdkModules(NODE_SDK_MODULES, 'loader');
