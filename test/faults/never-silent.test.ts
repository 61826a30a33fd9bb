// Export failures are visible by default: one line per kind of failure through diag, on stderr when
// the host has no diag logger, at most once a minute per kind, every failure handed to
// onExportError and counted in exportStats(). Loopback only.
import { createServer, type Server } from 'node:net';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCodexMetrics, type CodexMetricsSession, type ExportFailure } from '../../src/index.js';
import { ReportingExporter, ReportLimiter, type ExportStats } from '../../src/export/export-failures.js';
import { captureDiag, captureStderr, closedPort, DEFAULTS, healthy, hostGuard, startCollector, until, type Collector, type DiagCapture, type HostGuard } from './harness.js';

/** Export interval and timeout. On a starved machine an export may also time out now and then: tests allow timeout lines beside the kind they check. */
const INTERVAL = 300;
const TIMEOUT_LINE = /failed: no answer within the export timeout/;

let sessions: CodexMetricsSession[] = [];
let collectors: Collector[] = [];
let servers: Server[] = [];
let logs: DiagCapture | undefined;
let guard: HostGuard | undefined;

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  await Promise.all(collectors.map((c) => c.close()));
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  sessions = [];
  collectors = [];
  servers = [];
  logs?.dispose();
  guard?.dispose();
  logs = guard = undefined;
  diag.disable();
  vi.restoreAllMocks();
});

function start(endpoint: string, extra: Parameters<typeof startCodexMetrics>[0] = {}): { session: CodexMetricsSession; failures: ExportFailure[] } {
  const failures: ExportFailure[] = [];
  const session = startCodexMetrics({
    endpoint,
    defaults: DEFAULTS,
    exportIntervalMillis: INTERVAL,
    exportTimeoutMillis: INTERVAL,
    env: {},
    onExportError: (f) => failures.push(f),
    ...extra,
  });
  sessions.push(session);
  session.metrics.add('tool.call', { tool: 'shell', success: true });
  return { session, failures };
}

/** A TCP server that answers like something that is not an OTLP/HTTP server (e.g. a gRPC port: HTTP/2 frames). */
async function notHttpServer(): Promise<string> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.on('data', () => socket.end(Buffer.from([0, 0, 0x12, 4, 0, 0, 0, 0, 0])));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('export failures are never silent', () => {
  it('collector down, no diag logger: one clear line on stderr for many failed exports; each one reaches onExportError and exportStats', async () => {
    guard = hostGuard();
    const stderr = captureStderr();
    const port = await closedPort();
    const { session, failures } = start(`http://127.0.0.1:${port}`);
    await until(() => failures.filter((f) => f.kind === 'connection_refused').length >= 3, 20_000, 'three refused exports');
    expect(failures.every((f) => f.kind === 'connection_refused' || f.kind === 'timeout')).toBe(true);
    const reports = stderr.filter((l) => l.startsWith('codex-otel-metrics:') && !TIMEOUT_LINE.test(l));
    expect(reports).toEqual([
      `codex-otel-metrics: metrics export to http://127.0.0.1:${port}/v1/metrics failed: connection refused (ECONNREFUSED): is a collector listening on that host and port? (repeats are reported at most once a minute)`,
    ]);
    const stats: ExportStats = session.exportStats();
    expect(stats.succeeded).toBe(0);
    expect(stats.failed).toBeGreaterThanOrEqual(3);
    expect(stats.failed).toBe(failures.length);
    expect(stats.lastFailure).toBe(failures.at(-1));
    expect(guard.events).toEqual([]);
  });

  it('with a host diag logger: the line goes to diag (error level) and nothing to stderr', async () => {
    const stderr = captureStderr();
    logs = captureDiag();
    const port = await closedPort();
    const { failures } = start(`http://127.0.0.1:${port}`);
    await until(() => failures.filter((f) => f.kind === 'connection_refused').length >= 2, 20_000, 'two refused exports');
    expect(logs.count(/^error codex-otel-metrics: metrics export to .* failed: connection refused/)).toBe(1);
    expect(stderr).toEqual([]);
  });

  const kinds: [string, () => Promise<string>, ExportFailure['kind'], RegExp][] = [
    ['wrong path (HTTP 404)', async () => `${(await collectorWith(() => ({ status: 404 }))).url}/wrong`, 'http_status', /HTTP 404: nothing serves OTLP metrics at that path/],
    ['not an OTLP/HTTP server (e.g. the gRPC port)', notHttpServer, 'not_otlp_http', /no valid HTTP answer \(HPE_[A-Z_]+\): is this an OTLP\/HTTP endpoint\? A gRPC port \(4317\)/],
    ['collector that never answers', async () => (await collectorWith(() => 'hang')).url, 'timeout', /no answer within the export timeout \(300 ms\)/],
    ['credentials refused (HTTP 401)', async () => (await collectorWith(() => ({ status: 401 }))).url, 'http_status', /HTTP 401: the collector refused the credentials/],
  ];
  for (const [name, endpoint, kind, message] of kinds) {
    it(`${name}: kind ${kind}, one line saying what to check`, async () => {
      const stderr = captureStderr();
      const url = await endpoint();
      const { failures } = start(url);
      await until(() => failures.filter((f) => f.kind === kind).length >= 2, 20_000, `two failures of kind ${kind}`);
      expect(failures.find((f) => f.kind === kind)!.message).toMatch(message);
      // (A previous test's abandoned export may still end while this one runs: only this endpoint's lines count.)
      const mine = stderr.filter((l) => l.startsWith(`codex-otel-metrics: metrics export to ${new URL(url).origin}/`));
      expect(mine.filter((l) => message.test(l)), stderr.join('\n')).toHaveLength(1);
      expect(mine.every((l) => message.test(l) || TIMEOUT_LINE.test(l)), stderr.join('\n')).toBe(true);
    });
  }

  it('recovery is said once: "works again after N failed export(s)"', async () => {
    const stderr = captureStderr();
    const c = await collectorWith(() => ({ status: 503 }));
    const { session, failures } = start(c.url);
    await until(() => failures.length >= 2, 20_000, 'two failed exports');
    c.behave(healthy);
    await until(() => session.exportStats().succeeded >= 1, 20_000, 'a successful export');
    expect(stderr.filter((l) => /works again after \d+ failed export/.test(l))).toHaveLength(1);
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc: a warning on stderr at start, naming what is sent where', () => {
    const stderr = captureStderr();
    const session = startCodexMetrics({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317' } });
    sessions.push(session);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/OTLP protocol "grpc" from OTEL_EXPORTER_OTLP_PROTOCOL is not supported; sending http\/protobuf to http:\/\/127\.0\.0\.1:4317\/v1\/metrics instead/);
    expect(() => startCodexMetrics({ strict: true, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).toThrow(/unsupported_protocol/);
  });

  it("logLevel: 'none' silences everything, stderr included", async () => {
    const stderr = captureStderr();
    const port = await closedPort();
    const { failures } = start(`http://127.0.0.1:${port}`, { logLevel: 'none' });
    await until(() => failures.length >= 2, 20_000, 'two failed exports');
    expect(stderr).toEqual([]);
  });

  it("logLevel: 'warn' installs a console logger: the report arrives once, through it", async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    const stderr = captureStderr();
    const port = await closedPort();
    const { failures } = start(`http://127.0.0.1:${port}`, { logLevel: 'warn' });
    await until(() => failures.filter((f) => f.kind === 'connection_refused').length >= 2, 20_000, 'two refused exports');
    expect(errors.filter((l) => l.includes('codex-otel-metrics: metrics export to') && !TIMEOUT_LINE.test(l))).toHaveLength(1);
    expect(stderr).toEqual([]); // through the logger, not written a second time
  });

  it('an onExportError that throws does not disturb exporting or the host', async () => {
    guard = hostGuard();
    captureStderr();
    const port = await closedPort();
    let calls = 0;
    start(`http://127.0.0.1:${port}`, {
      onExportError: () => {
        calls++;
        throw new Error('host bug');
      },
    });
    await until(() => calls >= 3, 20_000, 'three callbacks');
    expect(guard.events).toEqual([]);
  });
});

describe('rate limit of the report lines (fake clock, fake exporter)', () => {
  it('one line per kind per minute, then the next one says how many were suppressed', () => {
    const stderr = captureStderr();
    let now = 0;
    let fail: { code: number; error?: Error } = { code: 1, error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) };
    const inner = { export: (_m: unknown, cb: (r: typeof fail) => void) => cb(fail), forceFlush: async () => {}, shutdown: async () => {} };
    const exporter = new ReportingExporter(inner as never, { url: 'http://u:p@127.0.0.1:1/v1/metrics?k=v', timeoutMillis: 100, reports: new ReportLimiter(() => now) });
    const exportOnce = () => exporter.export({} as never, () => {});
    for (let i = 0; i < 10; i++) exportOnce();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toContain('http://***@127.0.0.1:1/v1/metrics?***');
    now += 59_999;
    exportOnce();
    expect(stderr).toHaveLength(1);
    now += 1;
    exportOnce();
    expect(stderr).toHaveLength(2);
    expect(stderr[1]).toContain('(10 more like it since the last report)');
    // Another kind is reported at once.
    fail = { code: 1, error: Object.assign(new Error('Not Found'), { code: 404 }) };
    exportOnce();
    expect(stderr).toHaveLength(3);
    expect(stderr[2]).toContain('HTTP 404');
    expect(exporter.stats()).toMatchObject({ succeeded: 0, failed: 13 });
  });
});

async function collectorWith(behaviour: Parameters<typeof startCollector>[0]): Promise<Collector> {
  const c = await startCollector(behaviour);
  collectors.push(c);
  return c;
}
