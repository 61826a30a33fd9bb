// Collector faults, end to end: the real exporter (startCodexMetrics, OTLP/HTTP protobuf) over real
// loopback HTTP to a receiver whose answers the test controls. For every fault: nothing reaches the
// host, recording stays synchronous and cheap, shutdown is bounded and idempotent, and with
// cumulative temporality the collector ends with exactly what was recorded once it recovers.
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCodexMetrics, type CodexMetrics, type CodexMetricsSession, type Temporality } from '../../src/index.js';
import {
  captureDiag,
  closedPort,
  DEFAULTS,
  deltaTotals,
  healthy,
  hostGuard,
  latestTotals,
  Ledger,
  sameTotals,
  settledAlready,
  shutdownBound,
  sleep,
  startCollector,
  timeAgainstTimer,
  until,
  workload,
  type Behaviour,
  type Collector,
  type DiagCapture,
  type HostGuard,
  type Totals,
} from './harness.js';

// The timeout of one export is capped at the interval (the SDK requires timeout <= interval).
const INTERVAL = 200;
const TIMEOUT = 200;

let collectors: Collector[] = [];
let sessions: CodexMetricsSession[] = [];
let guard: HostGuard | undefined;
let logs: DiagCapture | undefined;

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  await Promise.all(collectors.map((c) => c.close()));
  sessions = [];
  collectors = [];
  logs?.dispose();
  guard?.dispose();
  logs = guard = undefined;
  vi.restoreAllMocks();
});

function start(url: string, temporality: Temporality = 'cumulative', interval = INTERVAL, timeout = TIMEOUT): CodexMetricsSession {
  const session = startCodexMetrics({
    endpoint: url,
    defaults: DEFAULTS,
    exportIntervalMillis: interval,
    exportTimeoutMillis: timeout,
    temporality,
    env: {}, // isolated from the CI's OTEL_* variables
  });
  expect(session.config.protocol).toBe('http/protobuf');
  expect(session.config.timeoutMillis).toBe(timeout);
  sessions.push(session);
  return session;
}

async function collector(behaviour: Behaviour = healthy, port = 0): Promise<Collector> {
  const c = await startCollector(behaviour, port);
  collectors.push(c);
  return c;
}

function watch(): void {
  guard = hostGuard();
  logs = captureDiag();
}

/**
 * 10,000 calls on a cached series while the collector is failing: synchronous (each returns
 * undefined, nothing to await). That they do no SDK or network work per call is counted in the
 * last describe block; their speed is the benchmark's business (bench/), not a test's.
 */
function hammer(ledger: Ledger, metrics: CodexMetrics): void {
  const add = (metrics.add as (name: string, fields: unknown, increment?: number) => unknown).bind(metrics);
  const record = (metrics.record as (name: string, value: number, fields?: unknown) => unknown).bind(metrics);
  const fields = { tool: 'shell', success: true };
  let returned = 0;
  for (let i = 0; i < 5_000; i++) {
    if (add('tool.call', fields) !== undefined) returned++;
    if (record('turn.e2e_duration_ms', 7) !== undefined) returned++;
  }
  expect(returned).toBe(0);
  ledger.expect('codex.tool.call{success=true,tool=shell}', 5_000, 5_000);
  ledger.expect('codex.turn.e2e_duration_ms{}', 5_000, 35_000);
}

/** The collector's view (cumulative: newest point per series) equals the ledger, eventually. */
async function expectExactTotals(c: Collector, ledger: Ledger, timeoutMs = 5_000): Promise<void> {
  try {
    await until(() => sameTotals(latestTotals(c.receiver.points()), ledger.asObject()), timeoutMs, 'exact totals at the collector');
  } catch {
    // Show the difference.
    expect(latestTotals(c.receiver.points())).toEqual(ledger.asObject());
  }
}

async function expectBoundedShutdown(session: CodexMetricsSession): Promise<void> {
  // Documented bound: exportTimeoutMillis + 50 ms; checked with slack relative to the timeout
  // (shutdownBound) plus the lateness of a timer measured next to it on a loaded machine.
  const timeout = session.config.timeoutMillis;
  const flush = await timeAgainstTimer(() => expect(session.forceFlush()).resolves.toBeUndefined(), timeout + 50);
  expect(flush.ms).toBeLessThanOrEqual(shutdownBound(timeout) + flush.lateness);
  const first = await timeAgainstTimer(() => expect(session.shutdown()).resolves.toBeUndefined(), timeout + 50);
  expect(first.ms).toBeLessThanOrEqual(shutdownBound(timeout) + first.lateness);
  // A second shutdown is the first one's (settled) promise: no new export, nothing to wait for.
  const second = session.shutdown();
  expect(second).toBe(session.shutdown());
  expect(await settledAlready(second)).toBe(true);
  // Recording after shutdown is harmless too.
  expect(() => session.metrics.add('task.review')).not.toThrow();
  await expect(session.forceFlush()).resolves.toBeUndefined();
}

function expectNothingEscaped(): void {
  expect(guard!.events).toEqual([]);
}

/**
 * The common story of a fault: it starts while the host records, lasts a few exports, the host
 * keeps recording (10,000 calls among them), the collector recovers, the host records more, and
 * the collector ends with exact totals. Then the fault returns and shutdown is bounded.
 */
async function outageThenRecovery(fault: Behaviour, faultsBeforeRecovery = 2): Promise<{ collector: Collector; ledger: Ledger }> {
  watch();
  const c = await collector(fault);
  const session = start(c.url);
  const ledger = new Ledger();
  for (let round = 0; round < 5; round++) workload(ledger, session.metrics, round);
  await c.waitForFaults(1);
  hammer(ledger, session.metrics);
  await c.waitForFaults(faultsBeforeRecovery);
  for (let round = 5; round < 10; round++) workload(ledger, session.metrics, round);
  c.behave(healthy);
  for (let round = 10; round < 15; round++) workload(ledger, session.metrics, round);
  await expectExactTotals(c, ledger);

  // The fault again, then shutdown in the middle of it.
  const before = c.faulted();
  c.behave(fault);
  workload(ledger, session.metrics, 15);
  await c.waitForFaults(1, before);
  await expectBoundedShutdown(session);
  expectNothingEscaped();
  return { collector: c, ledger };
}

const status =
  (code: number, headers?: Record<string, string>, body?: string | Uint8Array): Behaviour =>
  () => ({ status: code, ...(headers ? { headers } : {}), ...(body !== undefined ? { body } : {}) });

describe('collector faults (cumulative, the default): nothing reaches the host, nothing is lost', () => {
  it('connection refused: the collector is down, then comes back on the same port', async () => {
    watch();
    const port = await closedPort();
    const session = start(`http://127.0.0.1:${port}`);
    const ledger = new Ledger();
    for (let round = 0; round < 5; round++) workload(ledger, session.metrics, round);
    const refused = () => logs!.count(/metrics export failed.*ECONNREFUSED/); // the periodic reader's own diag error
    await until(() => refused() >= 1, 3_000, 'a refused export');
    hammer(ledger, session.metrics);
    await until(() => refused() >= 2, 3_000, 'a second refused export');
    for (let round = 5; round < 10; round++) workload(ledger, session.metrics, round);
    // Failures are reported through diag, never thrown: the package's own line once (rate-limited).
    expect(logs!.count(/codex-otel-metrics: metrics export to .* failed: connection refused/)).toBe(1);

    const c = await collector(healthy, port);
    for (let round = 10; round < 15; round++) workload(ledger, session.metrics, round);
    await expectExactTotals(c, ledger);

    await c.close(); // down again: shutdown must not wait for it
    workload(ledger, session.metrics, 15);
    await expectBoundedShutdown(session);
    expectNothingEscaped();
  });

  it('HTTP 500 forever: every export fails once (no retry), request size does not grow, shutdown bounded', async () => {
    watch();
    const c = await collector(status(500, { 'content-type': 'text/plain' }, 'internal error'));
    const session = start(c.url);
    const ledger = new Ledger();
    for (let round = 0; round < 5; round++) workload(ledger, session.metrics, round);
    await c.waitForFaults(1);
    hammer(ledger, session.metrics);
    for (let round = 5; round < 10; round++) workload(ledger, session.metrics, round);
    await c.waitForFaults(5);

    const requests = c.receiver.requests();
    expect(requests.every((r) => r.status === 500)).toBe(true);
    expect(c.receiver.points()).toEqual([]);
    // 500 is not retryable: one request per export, nothing scheduled for retry.
    expect(logs!.count(/Scheduling export retry/)).toBe(0);
    expect(logs!.count(/non-retryable error/)).toBeGreaterThanOrEqual(requests.length - 1);
    // Failed batches are not queued for later: each request carries the same series (cumulative
    // totals), so its size stays flat instead of growing with every failed export.
    const sizes = requests.map((r) => r.bytes);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(sizes[0] + 64);
    await expectBoundedShutdown(session);
    expectNothingEscaped();
  });

  it('503 then recovery: with a timeout shorter than the ~1 s backoff, not retried in the export; the next export carries the totals', async () => {
    const { collector: c } = await outageThenRecovery(status(503));
    expect(logs!.count(/Export retry time \d+ms exceeds remaining timeout/)).toBeGreaterThanOrEqual(2);
    const statuses = c.receiver.requests().map((r) => r.status);
    expect(statuses.slice(0, 2)).toEqual([503, 503]);
    expect(statuses).toContain(200);
  });

  it('503 then recovery: retried with backoff inside the export when the timeout leaves room', async () => {
    watch();
    let answered = 0;
    const c = await collector(() => (answered++ === 0 ? { status: 503 } : undefined));
    // Periodic exports effectively off; one forceFlush is one export.
    const session = start(c.url, 'cumulative', 60_000, 2_500);
    const ledger = new Ledger();
    workload(ledger, session.metrics, 0);
    await session.forceFlush();
    const requests = c.receiver.requests();
    expect(requests.map((r) => r.status)).toEqual([503, 200]);
    expect(logs!.count(/Scheduling export retry in \d+ms/)).toBe(1);
    // The first backoff is 1 s +-20% jitter.
    const delay = Number(/Scheduling export retry in (\d+)ms/.exec(logs!.lines.find((l) => l.includes('Scheduling export retry'))!)![1]);
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1_200);
    expect(latestTotals(c.receiver.points())).toEqual(ledger.asObject());
    await session.shutdown();
    expectNothingEscaped();
  });

  it('429 with Retry-After: 0, then recovery: retried at once inside the same export', async () => {
    watch();
    let answered = 0;
    const c = await collector(() => (answered++ < 2 ? { status: 429, headers: { 'retry-after': '0' } } : undefined));
    const session = start(c.url, 'cumulative', 60_000, 1_000); // one forceFlush = one export
    const ledger = new Ledger();
    workload(ledger, session.metrics, 0);
    hammer(ledger, session.metrics);
    await session.forceFlush();
    // Answered 429, retried at once (Retry-After: 0), 429 again, retried: 200. One export.
    expect(c.receiver.requests().map((r) => r.status)).toEqual([429, 429, 200]);
    expect(logs!.count(/Export succeeded after 2 retry attempts/)).toBe(1);
    expect(latestTotals(c.receiver.points())).toEqual(ledger.asObject());
    // 429 forever: five immediate retries, then the export fails; shutdown still bounded.
    c.behave(status(429, { 'retry-after': '0' }));
    workload(ledger, session.metrics, 1);
    await expectBoundedShutdown(session);
    expect(logs!.count(/Export failed after maximum retry attempts \(5\)/)).toBeGreaterThanOrEqual(1);
    expectNothingEscaped();
  });

  for (const retryAfter of [undefined, '1']) {
    it(`429 ${retryAfter === undefined ? 'without Retry-After' : `with Retry-After: ${retryAfter} s`} then recovery: not retried within a short timeout; the next export carries the totals`, async () => {
      const { collector: c } = await outageThenRecovery(status(429, retryAfter === undefined ? undefined : { 'retry-after': retryAfter }));
      expect(c.receiver.requests()[0].status).toBe(429);
      expect(logs!.count(/Scheduling export retry/)).toBe(0);
      // Retry-After (1000 ms) or the backoff (800-1200 ms) exceeds what is left of the 200 ms timeout.
      expect(logs!.count(/Export retry time \d+ms exceeds remaining timeout/)).toBeGreaterThanOrEqual(2);
      if (retryAfter === '1') expect(logs!.lines.some((l) => /Export retry time 1000ms exceeds/.test(l))).toBe(true);
    });
  }

  it('response slower than the export timeout: the export is abandoned at the timeout, the next one proceeds', async () => {
    const { collector: c } = await outageThenRecovery(() => ({ delayMs: 3 * TIMEOUT }));
    expect(logs!.count(/metrics export timed out after 200ms/)).toBeGreaterThanOrEqual(2);
    // The slow collector still ingested the abandoned requests late: harmless with cumulative
    // temporality (older timestamps), which is why totals are read by timestamp, not arrival.
    expect(c.receiver.requests().length).toBeGreaterThan(2);
  });

  it('connection accepted but never answered (hang): abandoned at the timeout, shutdown bounded', async () => {
    const { collector: c } = await outageThenRecovery(() => 'hang');
    expect(logs!.count(/metrics export timed out after 200ms/)).toBeGreaterThanOrEqual(2);
    expect(c.receiver.requests().filter((r) => r.injected && r.status === 0).length).toBeGreaterThanOrEqual(2);
  });

  it('413 payload too large: dropped for that export (not retried); the next accepted export carries the totals', async () => {
    const { collector: c } = await outageThenRecovery(status(413, { connection: 'close' }, 'too large'));
    expect(c.receiver.requests()[0].status).toBe(413);
    expect(logs!.count(/Scheduling export retry/)).toBe(0);
    expect(logs!.count(/non-retryable error/)).toBeGreaterThanOrEqual(2);
  });

  it('garbage 200 body: the export counts as accepted (no retry), a diag warning is logged', async () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x07, 0x00, 0x13]);
    const { collector: c } = await outageThenRecovery(status(200, { 'content-type': 'application/x-protobuf' }, garbage));
    expect(logs!.count(/Export succeeded but could not deserialize response/)).toBeGreaterThanOrEqual(2);
    expect(logs!.count(/Scheduling export retry|metrics export failed/)).toBe(0);
    expect(c.receiver.requests()[0].status).toBe(200);
  });
});

describe('delta temporality: a failed export loses exactly that interval', () => {
  async function deltaOutage(fault: Behaviour, faultsInFirstExport = 1): Promise<{ lost: Record<string, Totals>; after: Record<string, Totals>; received: () => Record<string, Totals> }> {
    watch();
    const c = await collector(fault);
    const session = start(c.url, 'delta');
    const lost = new Ledger();
    for (let round = 0; round < 5; round++) workload(lost, session.metrics, round);
    // Nothing was recorded before, so the first export (the first request) carries this data. With
    // delta, exports without new data are skipped: there is no second failed export to wait for.
    await c.waitForFaults(faultsInFirstExport);
    await sleep(2 * INTERVAL);
    expect(c.faulted()).toBe(faultsInFirstExport);
    c.behave(healthy);
    const after = new Ledger();
    for (let round = 5; round < 10; round++) workload(after, session.metrics, round);
    const received = () => deltaTotals(c.receiver.points());
    await until(() => Object.keys(received()).length > 0, 3_000, 'a delta export after recovery');
    await sleep(3 * INTERVAL); // late arrivals would show up here
    await expectBoundedShutdown(session);
    expectNothingEscaped();
    expect(c.receiver.points().every((p) => p.temporality === 'delta')).toBe(true);
    return { lost: lost.asObject(), after: after.asObject(), received };
  }

  it('500 during an interval: the collector receives exactly what was recorded after recovery, nothing of the failed interval', async () => {
    const { lost, after, received } = await deltaOutage(status(500));
    expect(Object.keys(lost).length).toBeGreaterThan(0);
    expect(received()).toEqual(after);
  });

  it('garbage 200 body: the exporter counts it as delivered, so whatever the collector did not keep is gone', async () => {
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0x07]);
    const { lost, after, received } = await deltaOutage(status(200, { 'content-type': 'application/x-protobuf' }, garbage));
    expect(Object.keys(lost).length).toBeGreaterThan(0);
    expect(received()).toEqual(after);
    expect(logs!.count(/metrics export failed/)).toBe(0);
  });

  it('429 with Retry-After: 0 is retried inside the export: nothing lost even with delta', async () => {
    let answered = 0;
    const { lost, after, received } = await deltaOutage(() => (answered++ < 2 ? { status: 429, headers: { 'retry-after': '0' } } : undefined), 2);
    const all = new Map<string, Totals>();
    for (const part of [lost, after]) {
      for (const [k, t] of Object.entries(part)) {
        const sum = all.get(k) ?? { count: 0, sum: 0 };
        all.set(k, { count: sum.count + t.count, sum: sum.sum + t.sum });
      }
    }
    expect(received()).toEqual(Object.fromEntries([...all].sort(([a], [b]) => a.localeCompare(b))));
  });
});

describe('recording during an outage does no per-call SDK or network work', () => {
  it('10,000 add() on a cached series: no SDK call (the package aggregates, its producer exports)', async () => {
    watch();
    const c = await collector(status(500));
    // The SDK's synchronous instruments share SyncInstrument.prototype._record: count every call.
    const probe = new MeterProvider().getMeter('probe').createCounter('probe');
    const syncProto = Object.getPrototypeOf(Object.getPrototypeOf(probe)) as { _record: (...a: unknown[]) => void };
    const sdk = vi.spyOn(syncProto, '_record');
    const session = start(c.url, 'cumulative', 60_000, 1_000); // collections only when asked
    session.metrics.add('tool.call', { tool: 'shell', success: true }); // builds and caches the series
    session.metrics.add('api_request', { status: 500, success: false });
    await session.forceFlush();
    sdk.mockClear();
    const requestsBefore = c.receiver.requests().length;

    for (let i = 0; i < 10_000; i++) {
      session.metrics.add('tool.call', { tool: 'shell', success: true });
      session.metrics.add('api_request', { status: 500, success: false });
    }
    // Aggregated in the package; CodexMetricProducer hands the sums to the reader at collection.
    expect(sdk).not.toHaveBeenCalled();
    expect(c.receiver.requests().length).toBe(requestsBefore); // no network per call either
    await session.forceFlush();
    expect(sdk).not.toHaveBeenCalled();
    expect(c.receiver.requests().length).toBe(requestsBefore + 1);
    await expectBoundedShutdown(session);
    expectNothingEscaped();
  });
});
