// Per-writer identity: startCodexMetrics puts a random service.instance.id on its resource (the
// Collector's prometheus exporter turns it into the `instance` label), unless OTEL_RESOURCE_ATTRIBUTES
// or the resource option sets one. The host set-ups (createCodexMetrics on the host's MeterProvider,
// CodexMetricProducer on the host's reader) get theirs from the host's resource: what
// docs/fleet.md shows, checked here on what real readers collect.
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CodexMetricProducer, createCodexMetrics, startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { DEFAULTS } from '../faults/harness.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let sessions: CodexMetricsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  sessions = [];
});

/** The resource attributes of what one session exported. */
async function exportedResource(options: Parameters<typeof startCodexMetrics>[0] = {}): Promise<Record<string, unknown>> {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const session = startCodexMetrics({ exporter, defaults: DEFAULTS, exportIntervalMillis: 60_000, env: {}, ...options });
  sessions.push(session);
  session.metrics.add('api_request', { status: 200, success: true });
  await session.forceFlush();
  const [first] = exporter.getMetrics();
  expect(first, 'an export arrived').toBeDefined();
  return first.resource.attributes;
}

describe('service.instance.id', () => {
  it('startCodexMetrics: a random UUID per session, so two replicas of one service never share series', async () => {
    const a = await exportedResource({ serviceName: 'agent-runtime' });
    const b = await exportedResource({ serviceName: 'agent-runtime' });
    expect(a['service.instance.id']).toMatch(UUID_V4);
    expect(b['service.instance.id']).toMatch(UUID_V4);
    expect(a['service.instance.id']).not.toBe(b['service.instance.id']);
    expect(a['service.name']).toBe(b['service.name']);
  });

  it('OTEL_RESOURCE_ATTRIBUTES sets a stable one (e.g. the pod name), the resource option wins over both', async () => {
    const fromEnv = await exportedResource({ env: { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=agent-7,team=platform' } });
    expect(fromEnv).toMatchObject({ 'service.instance.id': 'agent-7', team: 'platform' });
    const fromOption = await exportedResource({
      env: { OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=agent-7' },
      resource: resourceFromAttributes({ 'service.instance.id': 'pod-a-0' }),
    });
    expect(fromOption['service.instance.id']).toBe('pod-a-0');
  });

  it('is not set when the SDK is disabled (nothing is exported at all)', () => {
    const session = startCodexMetrics({ env: { OTEL_SDK_DISABLED: 'true' } });
    sessions.push(session);
    expect(session.meterProvider).toBeUndefined();
  });

  it("host set-up, createCodexMetrics on the host's provider: the host's resource carries it (serviceInstanceIdDetector)", async () => {
    // As docs/fleet.md shows: the detector sdk-node uses for OTEL_NODE_RESOURCE_DETECTORS=serviceinstance.
    const detected = detectResources({ detectors: [serviceInstanceIdDetector, envDetector] });
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ resource: defaultResource().merge(detected), readers: [reader] });
    const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider });
    metrics.add('api_request', { status: 200, success: true });
    await meterProvider.forceFlush();
    expect(exporter.getMetrics()[0].resource.attributes['service.instance.id']).toMatch(UUID_V4);
    await meterProvider.shutdown();
  });

  it("host set-up, CodexMetricProducer on the host's reader: the provider's resource is the export's resource", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const producer = new CodexMetricProducer({ temporality: 'cumulative' });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, metricProducers: [producer] });
    const id = randomUUID();
    const meterProvider = new MeterProvider({
      resource: defaultResource().merge(resourceFromAttributes({ 'service.name': 'agent-runtime', 'service.instance.id': id })),
      readers: [reader],
    });
    const metrics = createCodexMetrics({ defaults: DEFAULTS, metricProducer: producer });
    metrics.add('api_request', { status: 200, success: true });
    await meterProvider.forceFlush();
    const exported = exporter.getMetrics();
    const names = exported.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
    expect(names).toContain('codex.api_request');
    expect(exported.every((rm) => rm.resource.attributes['service.instance.id'] === id)).toBe(true);
    await meterProvider.shutdown();
  });
});
