// Public entry point: `import 'codex-otel-metrics'` loads @opentelemetry/api only; the first
// startCodexMetrics call loads the SDK from node_modules at run time (export/node-sdk-modules.ts).
import './export/node-sdk-modules.js';

export * from './public-api.js';
