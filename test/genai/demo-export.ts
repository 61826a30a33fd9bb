// Test helper: the demo workload exported once over real OTLP/HTTP JSON (startCodexMetrics, the
// package's exporter) to a loopback receiver, as the raw request body normalised for comparison:
// time fields zeroed, the SDK's own version and the random service.instance.id removed from the
// resource; nothing else touched.
import { PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } from '@opentelemetry/sdk-metrics';
import { DEMO_DEFAULTS } from '../../src/cli/demo.js';
import { runDemoWorkload } from '../../src/demo/workload.js';
import { startCodexMetrics, type StartCodexMetricsOptions } from '../../src/export/start.js';
import { METRICS_PATH, startOtlpReceiver } from '../../src/verify/receiver.js';

/** How the package records: its own reader with CodexMetricProducer, or SDK instruments (a second reader forces them). */
export type ExportSetup = 'producer' | 'sdk';

const TIME_FIELDS = new Set(['timeUnixNano', 'startTimeUnixNano']);
const RANDOM_OR_VERSIONED = new Set(['telemetry.sdk.version', 'service.instance.id']);

/** The request bodies (parsed JSON) of one demo run, normalised. */
export async function demoExport(setup: ExportSetup, options: Pick<StartCodexMetricsOptions, 'genAi' | 'env'> = {}): Promise<unknown[]> {
  const bodies: Buffer[] = [];
  const receiver = await startOtlpReceiver({
    respond: (request) => {
      if (request.method === 'POST' && request.path === METRICS_PATH) bodies.push(request.body);
      return undefined;
    },
  });
  try {
    const session = startCodexMetrics({
      defaults: DEMO_DEFAULTS,
      endpoint: receiver.url,
      protocol: 'http/json',
      exportIntervalMillis: 60_000,
      exportTimeoutMillis: 5_000,
      strict: true,
      env: options.env ?? {},
      ...(options.genAi !== undefined ? { genAi: options.genAi } : {}),
      
      ...(setup === 'sdk' ? { readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 60_000 })] } : {}),
    });
    // The demo's one timer measures real time: frozen, so the export is the same run to run.
    const now = performance.now;
    const frozen = now.call(performance);
    performance.now = () => frozen;
    try {
      runDemoWorkload(session.metrics);
    } finally {
      performance.now = now;
    }
    await session.shutdown();
  } finally {
    await receiver.close();
  }
  return bodies.map((b) => normalise(JSON.parse(b.toString('utf8'))));
}

function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (TIME_FIELDS.has(k)) out[k] = '0';
    else if (k === 'attributes' && Array.isArray(v)) out[k] = v.filter((a: { key?: string }) => !RANDOM_OR_VERSIONED.has(a.key ?? '')).map(normalise);
    else out[k] = normalise(v);
  }
  return out;
}
