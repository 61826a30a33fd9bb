// The package root in a bundle: createCodexMetrics works (it needs only @opentelemetry/api, bundled),
// startCodexMetrics cannot load the SDK it resolves at run time and must say so in one line that
// names codex-otel-metrics/start. Prints { error } as one JSON line.
import { createCodexMetrics, startCodexMetrics } from 'codex-otel-metrics';

createCodexMetrics({}).add('api_request', { status: 200, success: true });
let error = null;
try {
  startCodexMetrics({ endpoint: process.env.CONSUMER_ENDPOINT });
} catch (err) {
  error = err instanceof Error ? err.message : String(err);
}
process.stdout.write(`${JSON.stringify({ error })}\n`);
