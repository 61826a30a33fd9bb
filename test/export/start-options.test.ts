// startCodexMetrics options OpenTelemetry users expect: views, extra readers (a Prometheus
// exporter here), a resource merged over the package's. Checked on what real readers collect.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  createAllowListAttributesProcessor,
  DataPointType,
  InMemoryMetricExporter,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketsFor, METRICS, startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { DEFAULTS } from '../faults/harness.js';

let sessions: CodexMetricsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  sessions = [];
});

function start(options: Parameters<typeof startCodexMetrics>[0]): { session: CodexMetricsSession; exporter: InMemoryMetricExporter } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const session = startCodexMetrics({ exporter, defaults: DEFAULTS, exportIntervalMillis: 60_000, env: {}, ...options });
  sessions.push(session);
  return { session, exporter };
}

function metric(rms: ResourceMetrics[] | ResourceMetrics, name: string): MetricData {
  const all = (Array.isArray(rms) ? rms : [rms]).flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
  const found = all.filter((m) => m.descriptor.name === name);
  expect(found.length, `${name} collected`).toBeGreaterThan(0);
  return found[found.length - 1];
}

function record(session: CodexMetricsSession): void {
  session.metrics.add('api_request', { status: 200, success: true }, 3);
  session.metrics.add('tool.call', { tool: 'shell', success: true });
  session.metrics.record('api_request.duration_ms', 42, { status: 200, success: true });
  session.metrics.record('api_request.duration_ms', 420, { status: 200, success: true });
}

describe('startCodexMetrics: views, readers, resource', () => {
  it('readers: a Prometheus exporter reader on the same provider sees counters and histograms; the OTLP side still gets them', async () => {
    const prometheus = new PrometheusExporter({ preventServerStart: true });
    const { session, exporter } = start({ readers: [prometheus] });
    record(session);
    const { resourceMetrics, errors } = await prometheus.collect();
    expect(errors).toEqual([]);
    const counter = metric(resourceMetrics, 'codex.api_request');
    expect(counter.dataPoints.map((p) => p.value)).toEqual([3]);
    const histogram = metric(resourceMetrics, 'codex.api_request.duration_ms') as HistogramMetricData;
    expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(histogram.dataPoints[0].value).toMatchObject({ count: 2, sum: 462, min: 42, max: 420 });
    await session.forceFlush();
    const exported = metric(exporter.getMetrics(), 'codex.api_request.duration_ms') as HistogramMetricData;
    expect(exported.dataPoints[0].value).toMatchObject({ count: 2, sum: 462 });
  });

  it('views: histogram buckets and attribute filters apply (histograms go through the SDK)', async () => {
    const { session, exporter } = start({
      views: [
        { instrumentName: 'codex.api_request.duration_ms', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [100, 1000] } } },
        { instrumentName: 'codex.tool.call', attributesProcessors: [createAllowListAttributesProcessor(['tool'])] },
      ],
    });
    record(session);
    await session.forceFlush();
    const histogram = metric(exporter.getMetrics(), 'codex.api_request.duration_ms') as HistogramMetricData;
    expect(histogram.dataPoints[0].value.buckets).toEqual({ boundaries: [100, 1000], counts: [1, 1, 0] });
    const toolCall = metric(exporter.getMetrics(), 'codex.tool.call');
    expect(toolCall.dataPoints.map((p) => p.attributes)).toEqual([{ tool: 'shell' }]);
  });

  it("without views or readers the histogram buckets are the catalog's (aggregated in the package)", async () => {
    const { session, exporter } = start({});
    record(session);
    await session.forceFlush();
    const histogram = metric(exporter.getMetrics(), 'codex.api_request.duration_ms') as HistogramMetricData;
    const spec = METRICS.find((m) => m.name === 'api_request.duration_ms')!;
    expect(histogram.dataPoints[0].value.buckets.boundaries).toEqual([...bucketsFor(spec)]);
    expect(histogram.dataPoints[0].value.buckets.boundaries).not.toEqual([100, 1000]);
  });

  it("resource: merged over the package's (its attributes win), SDK attributes kept", async () => {
    const { session, exporter } = start({ resource: resourceFromAttributes({ 'service.name': 'my-agent', 'deployment.environment.name': 'ci' }) });
    record(session);
    await session.forceFlush();
    const attributes = exporter.getMetrics()[0].resource.attributes;
    expect(attributes).toMatchObject({ 'service.name': 'my-agent', 'deployment.environment.name': 'ci', 'service.version': '0.64.0', 'telemetry.sdk.language': 'nodejs' });
  });
});
