// bundle-app.mjs written as CommonJS (require of the ESM package), bundled by esbuild to CommonJS.
const { startCodexMetrics } = require('codex-otel-metrics/start');

const session = startCodexMetrics({ defaults: { model: process.env.CONSUMER_MODEL }, endpoint: process.env.CONSUMER_ENDPOINT });
session.metrics.add('api_request', { status: 200, success: true }, 3);
session.metrics.record('api_request.duration_ms', 42, { status: 200, success: true });
session.shutdown().then(() => process.stdout.write(`${JSON.stringify(session.exportStats())}\n`));
