// The host decides when its process ends: a child `node` process records through the built package
// (dist/, built by `npm test` first) against a collector in this process, then returns from main
// without calling shutdown. It must exit promptly whatever the collector does; with
// `flushOnExit: true` its pending data is exported on `beforeExit`, and on SIGTERM/SIGINT when the
// host has no handler of its own (the process then still dies of that signal).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, healthy, latestTotals, startCollector, type Behaviour, type Collector } from './harness.js';

const DIST = resolve('dist/index.js');
/**
 * How long after main returns the child may take to exit (node's own teardown included, on a busy
 * 2-core machine): the export timeout (an exit flush may use all of it) plus slack, far below the
 * 60 s export interval that a leaked timer would keep the process alive for.
 */
const exitBound = (o: { timeout: number }) => o.timeout + 5_000;
/** Export timeout where the collector is healthy: what is checked is the exit, not the speed, so a starved machine gets time. */
const HEALTHY_TIMEOUT = 5_000;

const CHILD = `
const [distUrl, optionsJson] = process.argv.slice(2);
const { startCodexMetrics } = await import(distUrl);
const o = JSON.parse(optionsJson);
const session = startCodexMetrics({ ...o.start, env: {} });
if (o.hostHandler) {
  // The host's own SIGTERM handler: it owns the exit.
  process.on('SIGTERM', async () => {
    process.stdout.write('host-handler\\n');
    if (o.hostHandler === 'shutdown') await session.shutdown();
    process.exit(7);
  });
}
for (let i = 0; i < o.calls; i++) session.metrics.add('tool.call', { tool: 'shell', success: true });
session.metrics.record('turn.e2e_duration_ms', 42);
if (o.waitMs) await new Promise((r) => setTimeout(r, o.waitMs));
if (o.exitCall) process.exit(3);
if (o.keepAliveMs) setTimeout(() => {}, o.keepAliveMs); // a host still busy when the signal comes
process.stdout.write('main-returned\\n');
`;

let dir: string;
let script: string;
let collectors: Collector[] = [];

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` (npm test does) before this suite`);
  dir = mkdtempSync(join(tmpdir(), 'codex-otel-exit-'));
  script = join(dir, 'child.mjs');
  writeFileSync(script, CHILD);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await Promise.all(collectors.map((c) => c.close()));
  collectors = [];
});

async function collector(behaviour: Behaviour): Promise<Collector> {
  const c = await startCollector(behaviour);
  collectors.push(c);
  return c;
}

interface ChildRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** From the child's "main-returned" line to its exit. */
  readonly afterMainMs: number;
  /** The export timeout the child used. */
  readonly timeout: number;
  readonly stderr: string;
  readonly stdout: string;
}

/** What the child may print on stderr: only the package's one-line export reports, no stack trace. */
function expectOnlyExportReports(stderr: string, kind: RegExp): void {
  const lines = stderr.split('\n').filter(Boolean);
  for (const line of lines) expect(line).toMatch(/^codex-otel-metrics: metrics export to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics failed: /);
  for (const line of lines) expect(line).toMatch(kind);
  expect(lines.length).toBeLessThanOrEqual(1); // one line per kind of failure (rate-limited)
}

interface ChildOptions {
  readonly endpoint: string;
  readonly interval: number;
  readonly timeout: number;
  readonly flushOnExit: boolean;
  readonly calls: number;
  /** Keep main alive this long after recording, so periodic exports start. */
  readonly waitMs: number;
  /** After main returns, keep the event loop busy this long (so a signal finds the process alive). */
  readonly keepAliveMs?: number;
  /** Send this signal once main has returned. */
  readonly signal?: NodeJS.Signals;
  /** The host installs its own SIGTERM handler that exits 7 (after `await shutdown()` with 'shutdown'). */
  readonly hostHandler?: 'exit' | 'shutdown';
  /** Call process.exit(3) instead of returning from main. */
  readonly exitCall?: boolean;
}

function runChild(o: ChildOptions): Promise<ChildRun> {
  // The OTLP exporter also reads OTEL_* from the process environment: keep the CI's out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const options = {
    start: { endpoint: o.endpoint, exportIntervalMillis: o.interval, exportTimeoutMillis: o.timeout, flushOnExit: o.flushOnExit },
    calls: o.calls,
    waitMs: o.waitMs,
    keepAliveMs: o.keepAliveMs,
    hostHandler: o.hostHandler,
    exitCall: o.exitCall,
  };
  const child = spawn(process.execPath, [script, pathToFileURL(DIST).href, JSON.stringify(options)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let mainReturned: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (mainReturned === undefined && stdout.includes('main-returned')) {
      mainReturned = performance.now();
      if (o.signal) child.kill(o.signal);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolveRun, reject) => {
    const limit = exitBound(o) + 10_000; // start-up included
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not exit within ${limit} ms (stdout: ${stdout}, stderr: ${stderr})`));
    }, limit);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      if (mainReturned === undefined && !o.exitCall) return reject(new Error(`child never returned from main (code ${code}, stderr: ${stderr})`));
      resolveRun({ code, signal, timeout: o.timeout, afterMainMs: performance.now() - (mainReturned ?? performance.now()), stderr, stdout });
    });
  });
}

describe('the host process exits promptly; no timer or socket of the package keeps it alive', { timeout: 60_000 }, () => {
  it('collector hanging with an export in flight, no shutdown: exits within ~2 s of main returning', async () => {
    const c = await collector(() => 'hang');
    const run = await runChild({ endpoint: c.url, interval: 300, timeout: 300, flushOnExit: false, calls: 100, waitMs: 450 });
    expect(c.receiver.requests().length).toBeGreaterThanOrEqual(1); // an export was hanging
    expect(run).toMatchObject({ code: 0, signal: null });
    expectOnlyExportReports(run.stderr, /no answer within the export timeout \(300 ms\)/);
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
  });

  it('collector down (connection refused), no shutdown: exits within ~2 s of main returning', async () => {
    const port = await closedPort();
    const run = await runChild({ endpoint: `http://127.0.0.1:${port}`, interval: 300, timeout: 300, flushOnExit: false, calls: 100, waitMs: 450 });
    expect(run).toMatchObject({ code: 0, signal: null });
    expectOnlyExportReports(run.stderr, /connection refused \(ECONNREFUSED\)/);
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
  });

  it('healthy collector, long interval, no flushOnExit: exits at once and the pending data is not sent', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: false, calls: 100, waitMs: 0 });
    expect(run).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
    expect(c.receiver.requests()).toEqual([]);
  });

  it('flushOnExit: true: the pending data is exported on beforeExit, exactly', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: true, calls: 1234, waitMs: 0 });
    expect(run).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
    expect(latestTotals(c.receiver.points())).toEqual({
      'codex.tool.call{success=true,tool=shell}': { count: 1234, sum: 1234 },
      'codex.turn.e2e_duration_ms{}': { count: 1, sum: 42 },
    });
  });

  it('flushOnExit: true against a hanging collector: the exit flush gives up at the timeout, the process still exits', async () => {
    const c = await collector(() => 'hang');
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: 400, flushOnExit: true, calls: 10, waitMs: 0 });
    expect(c.receiver.requests().length).toBeGreaterThanOrEqual(1); // the exit flush was attempted
    expect(run).toMatchObject({ code: 0, signal: null });
    expectOnlyExportReports(run.stderr, /no answer within the export timeout \(400 ms\)/);
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
  });
});

const EXACT = {
  'codex.tool.call{success=true,tool=shell}': { count: 50, sum: 50 },
  'codex.turn.e2e_duration_ms{}': { count: 1, sum: 42 },
};

describe('signals and process.exit() with flushOnExit', { timeout: 60_000 }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}, host without a handler: the pending data is exported, then the process dies of ${signal} as it would have`, async () => {
      const c = await collector(healthy);
      const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: true, calls: 50, waitMs: 0, keepAliveMs: 30_000, signal });
      expect(run).toMatchObject({ code: null, signal, stderr: '' });
      expect(latestTotals(c.receiver.points())).toEqual(EXACT);
    });
  }

  it('SIGTERM, flushOnExit against a hanging collector: the flush gives up at the export timeout, then the signal ends the process', async () => {
    const c = await collector(() => 'hang');
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: 400, flushOnExit: true, calls: 5, waitMs: 0, keepAliveMs: 30_000, signal: 'SIGTERM' });
    expect(run).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(c.receiver.requests().length).toBeGreaterThanOrEqual(1);
    expect(run.afterMainMs).toBeLessThan(exitBound(run));
  });

  it('SIGTERM, no flushOnExit: Node default, the process dies at once and nothing is sent', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: false, calls: 50, waitMs: 0, keepAliveMs: 30_000, signal: 'SIGTERM' });
    expect(run).toMatchObject({ code: null, signal: 'SIGTERM', stderr: '' });
    expect(c.receiver.requests()).toEqual([]);
  });

  it('SIGTERM, the host has its own handler: the host owns the exit (its code); it calls shutdown() and the data arrives', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: true, calls: 50, waitMs: 0, keepAliveMs: 30_000, signal: 'SIGTERM', hostHandler: 'shutdown' });
    expect(run).toMatchObject({ code: 7, signal: null, stderr: '' });
    expect(run.stdout).toContain('host-handler');
    expect(latestTotals(c.receiver.points())).toEqual(EXACT);
  });

  it('SIGTERM, the host handler exits without shutdown(): the package does not delay it, the pending data is lost (documented)', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: true, calls: 50, waitMs: 0, keepAliveMs: 30_000, signal: 'SIGTERM', hostHandler: 'exit' });
    expect(run).toMatchObject({ code: 7, signal: null, stderr: '' });
    expect(c.receiver.requests()).toEqual([]);
  });

  it('process.exit() skips beforeExit: with flushOnExit the pending data is still lost (documented: await shutdown() first)', async () => {
    const c = await collector(healthy);
    const run = await runChild({ endpoint: c.url, interval: 60_000, timeout: HEALTHY_TIMEOUT, flushOnExit: true, calls: 50, waitMs: 0, exitCall: true });
    expect(run).toMatchObject({ code: 3, signal: null, stderr: '' });
    expect(c.receiver.requests()).toEqual([]);
  });
});
