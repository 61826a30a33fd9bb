// withDefaults views: shared caches, bounded, and never able to switch the fast path off for good.
import type { Meter, MeterProvider } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createCodexMetrics } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';

/** A MeterProvider that only counts what reaches the SDK's counters. */
function countingProvider(): { provider: MeterProvider; adds: () => number } {
  let adds = 0;
  const meter = {
    createCounter: () => ({ add: () => void adds++ }),
    createHistogram: () => ({ record: () => {} }),
    createObservableGauge: () => ({ addCallback: () => {}, removeCallback: () => {} }),
    addBatchObservableCallback: () => {},
  } as unknown as Meter;
  return { provider: { getMeter: () => meter }, adds: () => adds };
}

describe('withDefaults views', () => {
  it('thousands of per-turn views leave the root view on the cached fast path', () => {
    const { provider, adds } = countingProvider();
    const root = createCodexMetrics({ defaults: { model: 'm' }, meterProvider: provider, maxSeriesPerMetric: 10_000 });
    for (let turn = 0; turn < 2500; turn++) root.withDefaults({ model: `m${turn}` }).add('tool.call', { tool: 'shell', success: true });
    const before = adds();
    for (let i = 0; i < 1000; i++) root.add('tool.call', { tool: 'shell', success: true });
    // Cached: the interval's first increment reaches the SDK, the other 999 wait for the collection.
    expect(adds() - before).toBe(1);
  });

  it('past maxSeriesPerMetric further series go to the overflow series, totals exact', async () => {
    const t = createTestCodexMetrics({ maxSeriesPerMetric: 3 });
    for (let k = 0; k < 5; k++) for (let i = 0; i < 3; i++) t.metrics.add('thread.fork', { source: `s${k}` });
    const points = await t.snapshot();
    expect(points.map((p) => [p.attributes.source ?? p.attributes['otel.metric.overflow'], p.value])).toEqual([
      ['s0', 3],
      ['s1', 3],
      ['true', 9],
    ]);
    expect(t.metrics.stats().sanitized.series_limit).toBe(9);
    await t.shutdown();
  });

  it('a required field that is also a default tag keeps the default when missing', async () => {
    const t = createTestCodexMetrics({ defaults: { originator: 'codex_cli_rs' } });
    (t.metrics.add as (name: string, fields: object) => void)('windows_sandbox.setup_success', { mode: 'elevated' });
    const [point] = await t.snapshot();
    expect(point.attributes.originator).toBe('codex_cli_rs');
    expect(t.metrics.stats().sanitized.missing_field).toBe(1);
    await t.shutdown();
  });

  it('rejects a maxSeriesPerMetric that is not a positive integer', () => {
    for (const bad of [Number.NaN, 0, -1, 1.5, Infinity]) expect(() => createCodexMetrics({ maxSeriesPerMetric: bad })).toThrow(/maxSeriesPerMetric/);
  });
});
