// The runtime's bounds (docs/failure-behaviour.md, "Runtime limits"): series per metric for the
// process lifetime, no input string kept alive by a value cut from it, bounded view caches,
// non-finite sums dropped, shutdown bounded at the series limit. Memory is checked after a full GC,
// as test/faults/outage.test.ts does; nothing here asserts milliseconds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DiagLogLevel } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startCodexMetrics, type CodexMetrics } from '../../src/index.js';
import { createTestCodexMetrics, type TestCodexMetrics } from '../../src/testing/index.js';
import { captureDiag, DEFAULTS, hostGuard, startCollector } from '../faults/harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
type Loose = { add(name: string, fields?: unknown, increment?: unknown): void; record(name: string, value: unknown, fields?: unknown): void };
const loose = (m: CodexMetrics) => m as unknown as Loose;

let t: TestCodexMetrics | undefined;
afterEach(async () => {
  await t?.shutdown();
  t = undefined;
});

describe.each(['cumulative', 'delta'] as const)('series limit for the process lifetime (%s)', (temporality) => {
  it('1,000,000 distinct values: at most 2000 series exported, the rest counted in the overflow series, heap bounded', { timeout: 600_000 }, async () => {
    const DISTINCT = 1_000_000;
    const COLLECT_EVERY = 100_000;
    t = createTestCodexMetrics({ defaults: DEFAULTS, temporality });
    const before = heapAfterGc();
    let exportedMax = 0;
    let total = 0;
    for (let i = 0; i < DISTINCT; i++) {
      t.metrics.add('tool.call', { tool: `tool_${i}`, success: true });
      if ((i + 1) % COLLECT_EVERY === 0) {
        const points = (await t.snapshot()).filter((p) => p.name === 'codex.tool.call');
        exportedMax = Math.max(exportedMax, points.length);
        const sum = points.reduce((s, p) => s + p.value!, 0);
        total = temporality === 'cumulative' ? sum : total + sum;
      }
    }
    const growth = heapAfterGc() - before;
    expect(exportedMax).toBeLessThanOrEqual(2000);
    expect(total).toBe(DISTINCT); // nothing lost: the overflow series holds the rest
    expect(t.metrics.stats().sanitized.series_limit).toBe(DISTINCT - 1999);
    expect(growth, `heap growth ${mb(growth)}`).toBeLessThan(100 * MB);
  });
});

describe('values cut from long strings', () => {
  it('do not keep the original strings alive (500 series from 1 MB inputs)', { timeout: 120_000 }, async () => {
    t = createTestCodexMetrics({ defaults: DEFAULTS, maxSeriesPerMetric: 5000 });
    const before = heapAfterGc();
    for (let i = 0; i < 500; i++) {
      // Too long: truncated to 256 characters.
      const long = `${i}_`.padEnd(MB, 'x');
      t.metrics.add('tool.call', { tool: long, success: true });
      // Valid as given: a 200-character slice of its own 1 MB string.
      const slice = `${i}v`.padEnd(MB, 'y').slice(0, 200);
      t.metrics.add('tool.call', { tool: slice, success: false });
    }
    const growth = heapAfterGc() - before;
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.tool.call');
    expect(points).toHaveLength(1000);
    expect(points.every((p) => p.attributes.tool.length <= 256)).toBe(true);
    // 1000 series (attributes, cells, cache entries) take well under a megabyte each; 500 MB if the inputs were kept.
    expect(growth, `heap growth ${mb(growth)}`).toBeLessThan(50 * MB);
  });
});

describe('view caches', () => {
  it('1,000 withDefaults views x 500 series stay bounded', { timeout: 300_000 }, async () => {
    t = createTestCodexMetrics({ defaults: DEFAULTS });
    const before = heapAfterGc();
    for (let v = 0; v < 1000; v++) {
      const view = t.metrics.withDefaults({ model: `model-${v}` });
      for (let k = 0; k < 500; k++) view.add('tool.call', { tool: `tool_${k}`, success: true });
    }
    const growth = heapAfterGc() - before;
    // Before the lifetime limit and the cache budget: about 230 MB.
    expect(growth, `heap growth ${mb(growth)}`).toBeLessThan(20 * MB);
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.tool.call');
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points.reduce((s, p) => s + p.value!, 0)).toBe(500_000);
  });

  it('1,000 views x 500 integer values (the integer tables included) stay bounded', { timeout: 300_000 }, async () => {
    t = createTestCodexMetrics({ defaults: DEFAULTS });
    const before = heapAfterGc();
    for (let v = 0; v < 1000; v++) {
      const view = t.metrics.withDefaults({ model: `model-${v}` });
      // Spread values: tables of up to 8 slots per key.
      for (let k = 0; k < 500; k++) view.add('api_request', { status: 100 + 7 * k, success: true });
    }
    const growth = heapAfterGc() - before;
    expect(growth, `heap growth ${mb(growth)}`).toBeLessThan(20 * MB);
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.api_request');
    expect(points.length).toBeLessThanOrEqual(2000);
    expect(points.reduce((s, p) => s + p.value!, 0)).toBe(500_000);
  });

  it('many views sharing series (fields that override a default tag) keep a bounded cache', { timeout: 300_000 }, async () => {
    // windows_sandbox.setup_* document `originator`, which wins over the default tag: views that only
    // differ in it share the metric's series, so each view's cache points at the same 1000 cells.
    t = createTestCodexMetrics({ defaults: DEFAULTS });
    const fields = Array.from({ length: 1000 }, (_, k) => ({ originator: 'codex_cli_rs', mode: `mode_${k}` }));
    const before = heapAfterGc();
    for (let v = 0; v < 600; v++) {
      const view = loose(t.metrics.withDefaults({ originator: `client_${v}` }));
      for (const f of fields) view.add('windows_sandbox.setup_success', f);
    }
    const growth = heapAfterGc() - before;
    // Unbounded, 600,000 cache entries (about 18 MB); the global budget keeps 100,000 (about 4 MB).
    expect(growth, `heap growth ${mb(growth)}`).toBeLessThan(10 * MB);
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.windows_sandbox.setup_success');
    expect(points).toHaveLength(1000);
    expect(points.every((p) => p.value === 600)).toBe(true);
  });
});

describe('non-finite sums', () => {
  it.each(['cumulative', 'delta'] as const)('are dropped and counted, never exported (%s)', async (temporality) => {
    t = createTestCodexMetrics({ defaults: DEFAULTS, temporality });
    const m = loose(t.metrics);
    m.add('api_request', { status: 200, success: true }, Number.MAX_VALUE);
    m.add('api_request', { status: 200, success: true }, Number.MAX_VALUE);
    m.record('api_request.duration_ms', Number.MAX_VALUE, { status: 200, success: true });
    m.record('api_request.duration_ms', Number.MAX_VALUE, { status: 200, success: true });
    const points = await t.snapshot();
    expect(points.find((p) => p.kind === 'counter')!.value).toBe(Number.MAX_VALUE);
    expect(points.find((p) => p.kind === 'histogram')).toMatchObject({ sum: Number.MAX_VALUE, count: 1 });
    expect(t.metrics.stats().dropped.non_finite).toBe(2);
    if (temporality === 'cumulative') {
      // A later interval that would pass the total is dropped too.
      m.add('api_request', { status: 200, success: true }, Number.MAX_VALUE);
      expect((await t.snapshot()).find((p) => p.kind === 'counter')!.value).toBe(Number.MAX_VALUE);
      expect(t.metrics.stats().dropped.non_finite).toBe(3);
    }
  });

  it('also on a host MeterProvider (SDK path)', async () => {
    t = createTestCodexMetrics({ defaults: DEFAULTS, aggregateInPackage: false });
    const m = loose(t.metrics);
    for (let i = 0; i < 3; i++) m.add('api_request', { status: 200, success: true }, Number.MAX_VALUE);
    expect((await t.snapshot())[0].value).toBe(Number.MAX_VALUE);
    expect(t.metrics.stats().dropped.non_finite).toBe(2);
  });
});

describe('shutdown at the series limit', () => {
  it('2,000 series per instrument and a 100 ms export timeout: shutdown within timeout + 100 ms, collector hanging', async () => {
    const guard = hostGuard();
    const logs = captureDiag(DiagLogLevel.WARN);
    const collector = await startCollector(() => 'hang');
    const session = startCodexMetrics({ endpoint: collector.url, defaults: DEFAULTS, exportIntervalMillis: 60_000, exportTimeoutMillis: 100, env: {} });
    try {
      const record = (round: number) => {
        for (let i = 0; i < 2000; i++) {
          const fields = { tool: `tool_${i}`, success: true };
          session.metrics.add('tool.call', fields);
          session.metrics.record('tool.call.duration_ms', i + round, fields);
        }
      };
      // A process that has exported before: the exporter's lazily loaded serializer is in place.
      record(0);
      await session.forceFlush();
      record(1);
      const timeout = session.config.timeoutMillis;
      const { ms, lateness, cpuMs } = await timeShutdown(() => session.shutdown(), timeout + 50);
      // Waiting: never past the deadline (`lateness`: how late a plain timer of the same deadline fired,
      // a loaded machine or synchronous work). Working: the collection and the encoding of 4,000 points
      // are CPU time well within the timeout (generous: a loaded 2-core machine).
      expect(ms, `lateness ${lateness} ms, CPU ${cpuMs} ms`).toBeLessThanOrEqual(timeout + 100 + lateness);
      expect(cpuMs).toBeLessThanOrEqual(3 * timeout);
      expect(guard.events).toEqual([]);
    } finally {
      await session.shutdown();
      await collector.close();
      logs.dispose();
      guard.dispose();
    }
  });
});

/**
 * Like timeAgainstTimer (test/faults/harness.ts), and also when the work is synchronous: the
 * reference timer gets a turn of the event loop before its lateness is read.
 */
async function timeShutdown(work: () => Promise<unknown>, deadlineMs: number): Promise<{ ms: number; lateness: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let firedAt: number | undefined;
  const reference = setTimeout(() => (firedAt = performance.now() - started), deadlineMs);
  await work();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await new Promise((resolve) => setTimeout(resolve, 0)); // timers fire in deadline order: the reference first
  clearTimeout(reference);
  return { ms, lateness: firedAt === undefined ? 0 : Math.max(0, firedAt - deadlineMs), cpuMs: (used.user + used.system) / 1000 };
}
