// No silent drops (issue #21): a measurement after the session's shutdown() is counted in
// stats().dropped.after_shutdown (one diag warning), and the SDK path follows the global
// MeterProvider when it is shut down and replaced, as the docs promise for a provider registered
// later: nothing goes on into a provider that will never export it.
import { diag, metrics as otelMetrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createCodexMetrics, startCodexMetrics, type CodexMetrics, type StartCodexMetricsOptions } from '../../src/index.js';
import { createTestCodexMetrics, flattenResourceMetrics, type RecordedPoint } from '../../src/testing/index.js';
import { captureDiag, DEFAULTS, healthy, startCollector, type Collector, type DiagCapture } from '../faults/harness.js';

let logs: DiagCapture | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  logs?.dispose();
  await collector?.close();
  logs = collector = undefined;
  otelMetrics.disable();
  diag.disable();
});

/** Every way to record, once each: 4 measurements. */
function recordEachWay(metrics: CodexMetrics): void {
  metrics.add('tool.call', { tool: 'shell', success: true });
  metrics.record('turn.e2e_duration_ms', 5);
  metrics.withDefaults({ model: 'other' }).add('tool.call', { tool: 'shell', success: true }, 2);
  metrics.startTimer('turn.e2e_duration_ms')();
}

class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
  async points(): Promise<RecordedPoint[]> {
    return flattenResourceMetrics((await this.collect()).resourceMetrics);
  }
}

const toolCalls = (points: readonly RecordedPoint[]) => points.filter((p) => p.name === 'codex.tool.call').reduce((n, p) => n + (p.value ?? 0), 0);
const turns = (points: readonly RecordedPoint[]) => points.filter((p) => p.name === 'codex.turn.e2e_duration_ms').reduce((n, p) => n + (p.count ?? 0), 0);

describe('measurements after shutdown() are counted', () => {
  const setUps: [string, Partial<StartCodexMetricsOptions>][] = [
    ['in-package aggregation (the default)', {}],
    ['SDK instruments (views given)', { views: [{ instrumentName: 'codex.tool.call' }] }],
  ];
  for (const [label, extra] of setUps) {
    it(`startCodexMetrics, ${label}: dropped.after_shutdown counts each one, one warning, nothing more is sent`, async () => {
      logs = captureDiag();
      collector = await startCollector(healthy);
      const session = startCodexMetrics({ endpoint: collector.url, defaults: DEFAULTS, env: {}, exportIntervalMillis: 60_000, ...extra });
      recordEachWay(session.metrics);
      await session.shutdown();
      const requests = collector.receiver.requests().length;
      recordEachWay(session.metrics);
      recordEachWay(session.metrics);
      expect(session.metrics.stats().dropped).toEqual({ after_shutdown: 8 });
      expect(logs.count(/measurements after shutdown\(\) are dropped \(counted in stats\(\)\.dropped\.after_shutdown\)/)).toBe(1);
      await session.forceFlush();
      await session.shutdown();
      expect(collector.receiver.requests()).toHaveLength(requests);
    });
  }

  it('strict mode does not throw for it either (a host shutting down may race its last measurements)', async () => {
    const t = createTestCodexMetrics({ strict: true });
    await t.shutdown();
    expect(() => recordEachWay(t.metrics)).not.toThrow();
    expect(t.metrics.stats().dropped).toEqual({ after_shutdown: 4 });
  });
});

describe('the global MeterProvider shut down and replaced is followed', () => {
  for (const aggregateInPackage of [true, false]) {
    it(`aggregateInPackage: ${aggregateInPackage}: counted while none is registered, then recorded into the new one; totals exact`, async () => {
      logs = captureDiag();
      const exporterA = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
      const providerA = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: exporterA, exportIntervalMillis: 60_000 })] });
      otelMetrics.setGlobalMeterProvider(providerA);
      const metrics = createCodexMetrics({ defaults: DEFAULTS, aggregateInPackage });
      for (let i = 0; i < 3; i++) recordEachWay(metrics);

      // Shut down (its final export carries what was recorded) and unregistered.
      await providerA.shutdown();
      otelMetrics.disable();
      const exportedByA = flattenResourceMetrics(exporterA.getMetrics().at(-1)!);
      expect([toolCalls(exportedByA), turns(exportedByA)]).toEqual([9, 6]);
      recordEachWay(metrics);
      expect(metrics.stats().dropped).toEqual({ no_meter_provider: 4 });

      // A new provider: recording goes there, A gets nothing more.
      const reader = new ManualReader();
      otelMetrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
      for (let i = 0; i < 5; i++) recordEachWay(metrics);
      const inB = await reader.points();
      expect([toolCalls(inB), turns(inB)]).toEqual([15, 10]);
      expect(metrics.stats().dropped).toEqual({ no_meter_provider: 4 });
      expect(exporterA.getMetrics().length).toBe(1);
      expect(logs.count(/no global MeterProvider is registered/)).toBe(1);
    });
  }

  it('swapped directly (no gap): sums waiting for a collection go to the new provider, nothing is lost or counted', async () => {
    const readerA = new ManualReader();
    otelMetrics.setGlobalMeterProvider(new MeterProvider({ readers: [readerA] }));
    const metrics = createCodexMetrics({ defaults: DEFAULTS });
    for (let i = 0; i < 3; i++) metrics.add('tool.call', { tool: 'shell', success: true });
    expect(toolCalls(await readerA.points())).toBe(3);
    // 4 more: the first goes to A's instrument at once, 3 wait in the package for A's next collection…
    for (let i = 0; i < 4; i++) metrics.add('tool.call', { tool: 'shell', success: true });
    otelMetrics.disable();
    const readerB = new ManualReader();
    otelMetrics.setGlobalMeterProvider(new MeterProvider({ readers: [readerB] }));
    // …which never comes: the next measurement sees the swap, the waiting sums go to B.
    metrics.record('turn.e2e_duration_ms', 1);
    metrics.add('tool.call', { tool: 'other', success: true });
    const inA = toolCalls(await readerA.points());
    const inB = toolCalls(await readerB.points());
    expect(inA + inB).toBe(8);
    expect(inB).toBeGreaterThanOrEqual(4);
    expect(metrics.stats().dropped).toEqual({});
  });
});
