// A long outage: exports every 50 ms for ~2 s, all failing, while the host keeps recording on
// 2,000 series. The heap after a full GC must stay flat: the package keeps one aggregate per series,
// the SDK one accumulation per series, and failed batches are dropped rather than queued.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DiagLogLevel } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startCodexMetrics, type CodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { captureDiag, closedPort, DEFAULTS, hostGuard, shutdownBound, sleep, startCollector, timeAgainstTimer, type Behaviour, type Collector, type DiagCapture, type HostGuard } from './harness.js';

// `gc` without --expose-gc on the command line (vitest's workers are not started with it).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const SERIES = 1_000; // per metric: 1,000 counter series + 1,000 histogram series
const OUTAGE_MS = 2_000;
const INTERVAL = 50;
/** Allowed heap growth between the warmed-up sample and the end of the outage. */
const HEAP_SLACK = 4 * 1024 * 1024;

let session: CodexMetricsSession | undefined;
let collector: Collector | undefined;
let guard: HostGuard | undefined;
let logs: DiagCapture | undefined;

afterEach(async () => {
  await session?.shutdown();
  await collector?.close();
  logs?.dispose();
  guard?.dispose();
  session = collector = logs = guard = undefined;
});

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

function recordRound(metrics: CodexMetrics, round: number): void {
  for (let i = 0; i < SERIES; i++) {
    const fields = { tool: `tool_${i}`, success: (i & 1) === 0 };
    metrics.add('tool.call', fields);
    metrics.record('tool.call.duration_ms', (round + i) % 500, fields);
  }
}

/** Failed export attempts the outage lasts at least (a loaded machine gets more time, up to MAX_OUTAGE_MS). */
const MIN_ATTEMPTS = 8;
/** On a busy 2-core machine one failing export of 2,000 series can take seconds: allow time for MIN_ATTEMPTS. */
const MAX_OUTAGE_MS = 40_000;

/**
 * Records a round every few ms for OUTAGE_MS and at least MIN_ATTEMPTS failed exports; returns heap
 * samples (after GC) over time.
 */
async function outage(url: string, attempts: () => number): Promise<{ samples: number[]; rounds: number }> {
  guard = hostGuard();
  logs = captureDiag(DiagLogLevel.INFO); // debug logs every batch: not what is measured here
  session = startCodexMetrics({ endpoint: url, defaults: DEFAULTS, exportIntervalMillis: INTERVAL, exportTimeoutMillis: INTERVAL, env: {} });
  const samples: number[] = [];
  const started = performance.now();
  let rounds = 0;
  let nextSample = 400; // the first sample once every code path (collect, serialize, fail) has run
  const elapsedMs = () => performance.now() - started;
  while ((elapsedMs() < OUTAGE_MS || attempts() < MIN_ATTEMPTS) && elapsedMs() < MAX_OUTAGE_MS) {
    recordRound(session.metrics, rounds++);
    await sleep(5);
    if (performance.now() - started >= nextSample) {
      samples.push(heapAfterGc());
      nextSample += 400;
    }
  }
  samples.push(heapAfterGc());
  return { samples, rounds };
}

function expectFlat(samples: number[]): void {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const growth = samples[samples.length - 1] - samples[0];
  expect(growth, `heap samples ${samples.map(mb).join(', ')}`).toBeLessThan(HEAP_SLACK);
}

async function expectBoundedShutdown(): Promise<void> {
  const timeout = session!.config.timeoutMillis;
  const { ms, lateness } = await timeAgainstTimer(() => session!.shutdown(), timeout + 50);
  expect(ms).toBeLessThanOrEqual(shutdownBound(timeout) + lateness);
}

describe('memory stays bounded over a long outage (2,000 series, an export every 50 ms, all failing)', { timeout: MAX_OUTAGE_MS + 15_000 }, () => {
  it('collector down (connection refused)', async () => {
    const port = await closedPort();
    const { samples, rounds } = await outage(`http://127.0.0.1:${port}`, () => logs!.count(/metrics export failed/));
    expect(rounds).toBeGreaterThan(10);
    // Many export attempts happened, each one failed and was reported, none thrown.
    expect(logs!.count(/metrics export failed/)).toBeGreaterThanOrEqual(MIN_ATTEMPTS);
    expectFlat(samples);
    await expectBoundedShutdown();
    expect(guard!.events).toEqual([]);
  });

  for (const [name, behaviour] of [
    ['HTTP 500 forever', () => ({ status: 500 })],
    ['a collector that never answers', () => 'hang'],
  ] as [string, Behaviour][]) {
    it(name, async () => {
      collector = await startCollector(behaviour);
      const { samples } = await outage(collector.url, () => collector!.receiver.requests().length);
      const requests = collector.receiver.requests();
      expect(requests.length).toBeGreaterThanOrEqual(MIN_ATTEMPTS);
      expect(collector.receiver.points()).toEqual([]);
      // Every request carries the 2,000 cumulative series once: failed batches are not appended.
      const sizes = requests.map((r) => r.bytes).filter((b) => b > 0);
      expect(Math.max(...sizes) / Math.min(...sizes)).toBeLessThan(1.2);
      expectFlat(samples);
      await expectBoundedShutdown();
      expect(guard!.events).toEqual([]);
    });
  }
});
