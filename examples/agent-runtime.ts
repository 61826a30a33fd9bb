// How an agent runtime wires codex-otel-metrics in: one call at start-up, one line per measurement.
// `npm test` type-checks this file against the package. Copy it into your runtime and point it at
// a collector with OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 (or try the full simulated
// session against one with `npm run demo -- --endpoint http://localhost:4318`).
import { startCodexMetrics, type CodexMetrics } from 'codex-otel-metrics';

const session = startCodexMetrics({
  defaults: { auth_mode: 'api', originator: 'codex_sdk_ts', session_source: 'exec', model: 'gpt-5.1-codex', 'app.version': '0.64.0' },
  // endpoint, headers, protocol, interval and temporality also come from the OTEL_* variables.
  flushOnExit: true,
});

async function callModel(metrics: CodexMetrics, prompt: string): Promise<string> {
  const stop = metrics.startTimer('api_request.duration_ms');
  try {
    const reply = `echo: ${prompt}`; // stand-in for the real HTTP call
    metrics.add('api_request', { status: 200, success: true });
    stop({ status: 200, success: true });
    return reply;
  } catch (err) {
    metrics.add('api_request', { status: 'none', success: false });
    stop({ status: 'none', success: false });
    throw err;
  }
}

async function runTool(metrics: CodexMetrics, tool: 'shell' | 'apply_patch', work: () => Promise<void>): Promise<void> {
  // `tool` is the tool's name, never the command or patch it runs.
  const stop = metrics.startTimer('tool.call.duration_ms', { tool });
  let success = true;
  try {
    await work();
  } catch {
    success = false;
  } finally {
    metrics.add('tool.call', { tool, success });
    stop({ success });
  }
}

async function turn(model: string, prompt: string): Promise<void> {
  // Per-turn defaults without re-creating instruments.
  const metrics = session.metrics.withDefaults({ model });
  const started = performance.now();
  await callModel(metrics, prompt);
  await runTool(metrics, 'shell', async () => {});
  metrics.record('turn.token_usage', 1_234, { token_type: 'input', tmp_mem_enabled: false });
  metrics.record('turn.e2e_duration_ms', Math.round(performance.now() - started));
}

await turn('gpt-5.1-codex', 'hello');
await turn('gpt-5.1-codex-mini', 'again');
await session.shutdown(); // bounded by the export timeout even if the collector hangs
