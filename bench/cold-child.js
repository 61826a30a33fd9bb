// One cold start, run as its own process by bench/cold-import.js: `node bench/cold-child.js SCENARIO`.
// Prints the CPU time of the imports and set-up of SCENARIO, the process's CPU time so far (Node's
// boot included) and the heap in use, as one JSON line.
const cpu = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const cpu0 = cpu();
const t0 = performance.now();
const DEFAULTS = { auth_mode: 'api', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' };
// A loopback port nothing listens on; no scenario exports before the process exits anyway.
const ENDPOINT = 'http://127.0.0.1:9';

const SCENARIOS = {
  /** Node alone: the lower bound. */
  async node() {},
  async api() {
    const { metrics } = await import('@opentelemetry/api');
    metrics.getMeter('codex').createCounter('codex.api_request');
  },
  async sdk_exporter() {
    const { MeterProvider, PeriodicExportingMetricReader } = await import('@opentelemetry/sdk-metrics');
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
    const exporter = new OTLPMetricExporter({ url: `${ENDPOINT}/v1/metrics` });
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter })] });
    provider.getMeter('codex').createCounter('codex.api_request');
  },
  async prom() {
    const { default: client } = await import('prom-client');
    const registry = new client.Registry();
    registry.setDefaultLabels({ auth_mode: 'api' });
    new client.Counter({ name: 'codex_api_request_total', help: 'x', labelNames: ['status'], registers: [registry] });
  },
  async create() {
    const { createCodexMetrics } = await import('codex-otel-metrics');
    createCodexMetrics({ defaults: DEFAULTS });
  },
  async start() {
    const { startCodexMetrics } = await import('codex-otel-metrics');
    startCodexMetrics({ defaults: DEFAULTS, endpoint: ENDPOINT, env: {} });
  },
};

const scenario = SCENARIOS[process.argv[2]];
if (!scenario) {
  process.stderr.write(`unknown scenario ${process.argv[2]}; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
await scenario();
const cpu1 = cpu();
const t1 = performance.now();
process.stdout.write(
  `${JSON.stringify({ setupCpuMs: (cpu1 - cpu0) / 1000, processCpuMs: cpu1 / 1000, setupWallMs: t1 - t0, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 })}\n`,
);
process.exit(0);
