// Runs inside a fresh consumer project (copied there by check.mjs), with the Node under test:
// records through the installed package and checks what arrives at a loopback receiver.
//   node scenario.mjs quickstart   startCodexMetrics, as the README's quick start
//   node scenario.mjs nodesdk      createCodexMetrics on the MeterProvider of @opentelemetry/sdk-node
//   node scenario.mjs nodesdk-producer   the README's sdk-node quick start: the package's producer on
//                                  the reader given to NodeSDK({ metricReaders })
//   node scenario.mjs import KIND  cold import: api | light | sdk-exporter | start-proto | start-json
// Prints one JSON line on stdout; exits 1 on a failed check.
import * as nodeModule from 'node:module';

const [scenario, kind] = process.argv.slice(2);
const DEFAULTS = { auth_mode: 'api', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' };

/** OpenTelemetry packages loaded so far (module hooks where Node has them, else the CommonJS cache). */
const loaded = new Set();
const hooked = typeof nodeModule.registerHooks === 'function';
if (hooked) {
  nodeModule.registerHooks({
    load(url, context, next) {
      const m = /node_modules\/@opentelemetry\/([^/]+)\//.exec(url);
      if (m) loaded.add(m[1]);
      return next(url, context);
    },
  });
}
function otelLoaded() {
  const names = new Set(loaded);
  for (const key of Object.keys(nodeModule.createRequire(import.meta.url).cache)) {
    const m = /node_modules\/@opentelemetry\/([^/]+)\//.exec(key);
    if (m) names.add(m[1]);
  }
  return [...names].sort();
}

function fail(message, extra = {}) {
  process.stdout.write(`${JSON.stringify({ ok: false, scenario, message, ...extra })}\n`);
  process.exit(1);
}

function codexPoints(receiver) {
  return receiver.points().filter((p) => p.metric.startsWith('codex.'));
}

function checkArrival(receiver, expected) {
  const points = codexPoints(receiver);
  const names = [...new Set(points.map((p) => p.metric))].sort();
  for (const name of expected) if (!names.includes(name)) fail(`${name} did not arrive`, { arrived: names });
  const untagged = points.filter((p) => p.attributes.model !== DEFAULTS.model);
  if (untagged.length > 0) fail('points without the default tags', { example: untagged[0] });
  const counter = points.find((p) => p.metric === 'codex.api_request');
  if (counter?.value !== 3) fail(`codex.api_request should sum to 3, got ${counter?.value}`);
  const histogram = points.find((p) => p.metric === 'codex.api_request.duration_ms');
  if (histogram?.count !== 2 || histogram?.sum !== 462) fail('codex.api_request.duration_ms should have count 2, sum 462', { histogram });
  return { points: points.length, metrics: names };
}

function record(metrics) {
  metrics.add('api_request', { status: 200, success: true }, 3);
  metrics.record('api_request.duration_ms', 42, { status: 200, success: true });
  metrics.record('api_request.duration_ms', 420, { status: 200, success: true });
  const stop = metrics.startTimer('tool.call.duration_ms', { tool: 'shell' });
  stop({ success: true });
}

const EXPECTED = ['codex.api_request', 'codex.api_request.duration_ms', 'codex.tool.call.duration_ms'];

if (scenario === 'quickstart') {
  const { startOtlpReceiver } = await import('codex-otel-metrics/verify');
  const receiver = await startOtlpReceiver();
  const { startCodexMetrics } = await import('codex-otel-metrics');
  const { metrics, shutdown, exportStats } = startCodexMetrics({ defaults: DEFAULTS, endpoint: receiver.url });
  record(metrics);
  await shutdown();
  const result = checkArrival(receiver, EXPECTED);
  await receiver.close();
  const stats = exportStats();
  if (stats.succeeded < 1) fail('exportStats() shows no accepted export', { stats });
  process.stdout.write(`${JSON.stringify({ ok: true, scenario, ...result, otel: otelLoaded() })}\n`);
} else if (scenario === 'nodesdk') {
  const { startOtlpReceiver } = await import('codex-otel-metrics/verify');
  const receiver = await startOtlpReceiver();
  // The NodeSDK configured the usual way, by environment: OTLP/HTTP protobuf metrics to the receiver.
  Object.assign(process.env, {
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.metricsUrl,
    OTEL_METRIC_EXPORT_INTERVAL: '60000',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    // A service.instance.id per process (docs/fleet.md): what both 0.2xx and 0.3xx accept; env last.
    OTEL_NODE_RESOURCE_DETECTORS: 'serviceinstance,host,os,process,env',
  });
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { metrics: otelMetrics } = await import('@opentelemetry/api');
  const sdk = new NodeSDK({ instrumentations: [] });
  sdk.start();
  const { createCodexMetrics } = await import('codex-otel-metrics');
  record(createCodexMetrics({ defaults: DEFAULTS, meterProvider: otelMetrics.getMeterProvider() }));
  await sdk.shutdown();
  const result = checkArrival(receiver, EXPECTED);
  const ids = new Set(codexPoints(receiver).map((p) => p.resource['service.instance.id']));
  if (ids.size !== 1 || !/^[0-9a-f-]{36}$/.test(String([...ids][0]))) fail('no service.instance.id from OTEL_NODE_RESOURCE_DETECTORS=serviceinstance', { ids: [...ids] });
  await receiver.close();
  process.stdout.write(`${JSON.stringify({ ok: true, scenario, ...result })}\n`);
} else if (scenario === 'nodesdk-producer') {
  const { startOtlpReceiver } = await import('codex-otel-metrics/verify');
  const receiver = await startOtlpReceiver();
  Object.assign(process.env, { OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  // As the README writes it (the exporter pointed at the receiver instead of the default endpoint).
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdkMetrics = await import('@opentelemetry/sdk-metrics');
  const { PeriodicExportingMetricReader } = sdkMetrics.default ?? sdkMetrics;
  const proto = await import('@opentelemetry/exporter-metrics-otlp-proto');
  const { OTLPMetricExporter } = proto.default ?? proto;
  const { CodexMetricProducer, createCodexMetrics } = await import('codex-otel-metrics');
  const producer = new CodexMetricProducer();
  const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: receiver.metricsUrl }), metricProducers: [producer] });
  const sdk = new NodeSDK({ metricReaders: [reader], instrumentations: [] });
  sdk.start();
  record(createCodexMetrics({ defaults: DEFAULTS, metricProducer: producer }));
  await sdk.shutdown();
  const result = checkArrival(receiver, EXPECTED);
  await receiver.close();
  process.stdout.write(`${JSON.stringify({ ok: true, scenario, ...result })}\n`);
} else if (scenario === 'import') {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  if (kind === 'api') await import('@opentelemetry/api');
  else if (kind === 'light') await import('codex-otel-metrics');
  else if (kind === 'sdk-exporter') {
    await import('@opentelemetry/sdk-metrics');
    await import('@opentelemetry/exporter-metrics-otlp-proto');
  } else if (kind === 'start-proto' || kind === 'start-json') {
    const { startCodexMetrics } = await import('codex-otel-metrics');
    startCodexMetrics({ protocol: kind === 'start-json' ? 'http/json' : 'http/protobuf', env: {}, exportIntervalMillis: 60_000 });
  } else fail(`unknown import kind ${kind}`);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000; // less sensitive than wall time to other processes on the machine
  process.stdout.write(`${JSON.stringify({ ok: true, scenario, kind, ms, cpuMs, otel: otelLoaded(), hooked })}\n`);
  process.exit(0); // the started session's timers are unref'd; exit at once either way
} else {
  fail(`unknown scenario ${scenario}`);
}
