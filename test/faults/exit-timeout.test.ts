// The exit with a dead collector is bounded by the exit timeout (exitTimeoutMillis,
// CODEX_OTEL_METRICS_EXIT_TIMEOUT; default 2 s, at most the export timeout), not the export
// timeout: the OTLP exporters retry a refused or reset connection with a 1 s, 1.5 s, 2.25 s, 3.4 s
// backoff while their timeout allows, so shutdown() with the 10 s default took about 8 s
// (measured 8.6 s before this change). Checked by counting connection attempts and against the
// configured bound with generous slack, never against absolute milliseconds alone.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveExportConfig } from '../../src/export/config.js';
import type { ExportFailure } from '../../src/export/export-failures.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { closedPort, elapsed, shutdownBound, startCollector, type Collector } from './harness.js';

/** A TCP server that resets every connection at once (retryable for the exporters, like a refusal), counting them. */
async function resettingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.resetAndDestroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const record = (metrics: { add: (name: 'tool.call', fields: { tool: string; success: boolean }) => void }) => metrics.add('tool.call', { tool: 'shell', success: true });

describe('exit timeout', () => {
  it('resolves from the option, then CODEX_OTEL_METRICS_EXIT_TIMEOUT; default 2000; never above the export timeout', () => {
    expect(resolveExportConfig({}, {}).exitTimeoutMillis).toBe(2_000);
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_EXIT_TIMEOUT: '750' }).exitTimeoutMillis).toBe(750);
    expect(resolveExportConfig({ exitTimeoutMillis: 300 }, { CODEX_OTEL_METRICS_EXIT_TIMEOUT: '750' }).exitTimeoutMillis).toBe(300);
    expect(resolveExportConfig({ exportTimeoutMillis: 500 }, {}).exitTimeoutMillis).toBe(500);
    expect(resolveExportConfig({ exitTimeoutMillis: 30_000 }, {}).exitTimeoutMillis).toBe(10_000);
    expect(() => resolveExportConfig({ exitTimeoutMillis: -1 }, {})).toThrow(/exitTimeoutMillis must be a positive number/);
  });

  it('the final export stops retrying at the exit timeout; periodic exports keep the export timeout', async () => {
    const server = await resettingServer();
    cleanups.push(server.close);
    const failures: ExportFailure[] = [];
    // forceFlush: an ordinary export with a 6 s export timeout retries after ~1 s, ~2.5 s and ~4.75 s
    // (backoff x1.5 with +-20% jitter: with 3 s the second retry could fall past the deadline).
    const periodic = startCodexMetrics({ endpoint: server.url, exportTimeoutMillis: 6_000, exitTimeoutMillis: 500, logLevel: 'none', env: {} });
    record(periodic.metrics);
    await periodic.forceFlush();
    const ordinary = server.connections();
    expect(ordinary).toBeGreaterThanOrEqual(3);
    // shutdown: the final export with a 10 s export timeout and a 1 s exit timeout: at most one retry.
    const session = startCodexMetrics({
      endpoint: server.url,
      exportTimeoutMillis: 10_000,
      exitTimeoutMillis: 1_000,
      logLevel: 'none',
      onExportError: (f) => failures.push(f),
      env: {},
    });
    record(session.metrics);
    const ms = await elapsed(() => session.shutdown());
    const final = server.connections() - ordinary;
    expect(final).toBeGreaterThanOrEqual(1);
    expect(final).toBeLessThanOrEqual(2);
    expect(ms).toBeLessThan(shutdownBound(1_000));
    expect(failures).toHaveLength(1);
    expect(failures[0].kind).toBe('not_otlp_http');
    await periodic.shutdown();
  }, 30_000);

  it('nothing kept by the docs is lost: a live collector slower than usual still gets the final export', async () => {
    const collector: Collector = await startCollector(() => ({ delayMs: 300 }));
    cleanups.push(collector.close);
    const session = startCodexMetrics({ endpoint: collector.url, exitTimeoutMillis: 2_000, logLevel: 'none', env: {} });
    for (let i = 0; i < 5; i++) record(session.metrics);
    await session.shutdown();
    expect(session.exportStats()).toMatchObject({ succeeded: 1, failed: 0 });
    expect(toolCalls(collector)).toBe(5);
  });

  it('a process exits within the exit timeout when the collector is down (CODEX_OTEL_METRICS_EXIT_TIMEOUT)', async () => {
    const dist = resolve('dist/index.js');
    if (!existsSync(dist)) throw new Error(`${dist} is missing: run \`npm run build\` (npm test does) before this suite`);
    const dir = mkdtempSync(join(tmpdir(), 'codex-exit-timeout-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'child.mjs');
    writeFileSync(
      script,
      `const { startCodexMetrics } = await import(process.argv[2]);
const session = startCodexMetrics({ endpoint: process.argv[3] });
session.metrics.add('tool.call', { tool: 'shell', success: true });
const started = performance.now();
await session.shutdown();
process.stdout.write(JSON.stringify({ shutdownMs: performance.now() - started }) + '\\n');
`,
    );
    const port = await closedPort();
    const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_'))), CODEX_OTEL_METRICS_EXIT_TIMEOUT: '300' };
    const child = spawn(process.execPath, [script, pathToFileURL(dist).href, `http://127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let reportedAt: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      reportedAt ??= performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    const afterShutdownMs = performance.now() - (reportedAt ?? performance.now());
    expect(code).toBe(0);
    const { shutdownMs } = JSON.parse(stdout) as { shutdownMs: number };
    expect(shutdownMs).toBeLessThan(shutdownBound(300));
    // Nothing of the export (no retry timer, no socket) keeps the process alive after shutdown().
    expect(afterShutdownMs).toBeLessThan(shutdownBound(300));
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^codex-otel-metrics: metrics export to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics failed: connection refused/)]);
  }, 30_000);
});

/** The tool.call total the collector got (cumulative: the largest point). */
function toolCalls(collector: Collector): number {
  return collector.receiver.points().filter((p) => p.metric === 'codex.tool.call').reduce((n, p) => Math.max(n, Number(p.value ?? 0)), 0);
}
