// `codex-otel-metrics/start`: the root's API, with startCodexMetrics using an SDK imported
// statically (export/static-sdk-modules.ts), so that a bundler includes it and the bundle runs
// without node_modules. It loads sdk-metrics, resources and both OTLP exporters at import.
import './export/static-sdk-modules.js';

export * from './public-api.js';
