// A consumer of codex-otel-metrics/start as a bundler sees it (check.mjs bundles it with esbuild
// and Rollup, copies the bundle alone into an empty directory and runs it). No top-level await:
// the same source is bundled to CommonJS. Prints exportStats() as one JSON line.
import { startCodexMetrics } from 'codex-otel-metrics/start';

const session = startCodexMetrics({ defaults: { model: process.env.CONSUMER_MODEL }, endpoint: process.env.CONSUMER_ENDPOINT });
session.metrics.add('api_request', { status: 200, success: true }, 3);
session.metrics.record('api_request.duration_ms', 42, { status: 200, success: true });
session.shutdown().then(() => process.stdout.write(`${JSON.stringify(session.exportStats())}\n`));
