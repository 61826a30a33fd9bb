// OTLP partial success (issue #21): a collector answering 200 with
// partial_success.rejected_data_points > 0 refused part of the export. The OpenTelemetry JS
// exporters call that a success and only diag.warn it; the package makes it a failure kind of its
// own: counted in exportStats(), handed to onExportError, one rate-limited line with the
// collector's text bounded and escaped. Both protocols, from the exporters' side. Loopback only.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodePartialSuccess } from '../../src/export/otlp-response.js';
import { collectorText, MAX_COLLECTOR_TEXT, parsePartialSuccess } from '../../src/export/partial-success.js';
import { startCodexMetrics, type CodexMetricsSession, type ExportFailure } from '../../src/index.js';
import { message, string, varintField } from '../verify/hostile-payloads.js';
import { captureStderr, DEFAULTS, healthy, startCollector, until, type Collector } from './harness.js';

const INTERVAL = 200;
/** A hostile collector text: a forged log line, an ANSI escape, a bidi override, 10,000 characters. */
const HOSTILE_TEXT = `bad point\ncodex-otel-metrics: FORGED LINE\u001b[31m\u202e${'x'.repeat(10_000)}`;

let sessions: CodexMetricsSession[] = [];
let collectors: Collector[] = [];
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  await Promise.all(collectors.map((c) => c.close()));
  sessions = [];
  collectors = [];
  diag.disable();
  vi.restoreAllMocks();
});

/** ExportMetricsServiceResponse { partial_success { rejected_data_points, error_message } } in protobuf. */
function protobufResponse(rejected: number, text: string): Buffer {
  return message(1, Buffer.concat([varintField(1, rejected), string(2, text)]));
}

const ANSWERS = {
  'http/protobuf': (rejected: number, message: string) => ({ status: 200, headers: { 'content-type': 'application/x-protobuf' }, body: protobufResponse(rejected, message) }),
  'http/json': (rejected: number, message: string) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    // int64 as a decimal string, as the OTLP/JSON mapping writes it.
    body: JSON.stringify({ partialSuccess: { rejectedDataPoints: String(rejected), errorMessage: message } }),
  }),
} as const;

async function start(protocol: keyof typeof ANSWERS, answer: ReturnType<(typeof ANSWERS)[keyof typeof ANSWERS]>) {
  const c = await startCollector(() => answer);
  collectors.push(c);
  const failures: ExportFailure[] = [];
  const session = startCodexMetrics({ endpoint: c.url, protocol, defaults: DEFAULTS, env: {}, exportIntervalMillis: INTERVAL, exportTimeoutMillis: INTERVAL, onExportError: (f) => failures.push(f) });
  sessions.push(session);
  session.metrics.add('tool.call', { tool: 'shell', success: true });
  return { c, session, failures };
}

describe('partial success is a failure kind of its own', () => {
  for (const protocol of ['http/protobuf', 'http/json'] as const) {
    it(`${protocol}: counted, onExportError for each, one line with the collector's text bounded and escaped`, async () => {
      const stderr = captureStderr();
      const { c, session, failures } = await start(protocol, ANSWERS[protocol](3, HOSTILE_TEXT));
      await until(() => failures.length >= 3, 20_000, 'three partial successes');
      c.behave(healthy);
      await until(() => session.exportStats().succeeded >= 1, 20_000, 'a whole success');

      const partial = failures.filter((f) => f.kind === 'partial_success');
      expect(partial.length).toBeGreaterThanOrEqual(3);
      for (const f of partial) {
        expect(f.rejectedDataPoints).toBe(3);
        expect(f.message).toBe(
          `the collector accepted the export but rejected 3 data point(s); it said: "bad point\\u{a}codex-otel-metrics: FORGED LINE\\u{1b}[31m\\u{202e}${'x'.repeat(256 - 47)}...[${HOSTILE_TEXT.length} chars]"`,
        );
        expect(f.message.length).toBeLessThan(MAX_COLLECTOR_TEXT + 200);
      }
      // On a starved machine an export may also time out now and then: only partial successes add rejected points.
      const stats = session.exportStats();
      expect(stats.failed).toBe(failures.length);
      expect(stats.rejectedDataPoints).toBe(3 * failures.filter((f) => f.kind === 'partial_success').length);

      const mine = stderr.filter((l) => l.includes(c.url));
      expect(mine.filter((l) => l.includes('failed: the collector accepted the export but rejected 3 data point(s)'))).toHaveLength(1);
      expect(mine.filter((l) => /works again after \d+ failed export/.test(l))).toHaveLength(1);
      // Nothing the collector wrote starts a line of its own.
      expect(stderr.filter((l) => l.startsWith('codex-otel-metrics: FORGED'))).toEqual([]);
      expect(stderr.join('\n')).not.toMatch(/[\u001b\u202e]/);
    });
  }

  it('nothing rejected but a message: a warning line, counted as a success', async () => {
    const stderr = captureStderr();
    const { c, session, failures } = await start('http/protobuf', ANSWERS['http/protobuf'](0, 'sampled\r\n'));
    await until(() => session.exportStats().succeeded >= 2, 20_000, 'two exports');
    expect(failures).toEqual([]);
    expect(session.exportStats()).toMatchObject({ failed: 0, rejectedDataPoints: 0 });
    expect(stderr.filter((l) => l.includes(c.url))).toEqual([
      `codex-otel-metrics: the collector at ${c.url}/v1/metrics accepted the export with a warning: "sampled\\u{d}\\u{a}" (repeats are reported at most once a minute)`,
    ]);
  });

  it('an empty 200 (the usual answer) stays a plain success', async () => {
    const stderr = captureStderr();
    const { c, session, failures } = await start('http/json', { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' } as never);
    await until(() => session.exportStats().succeeded >= 2, 20_000, 'two exports');
    expect(failures).toEqual([]);
    expect(stderr.filter((l) => l.includes(c.url))).toEqual([]);
  });
});

describe('reading a response', () => {
  it('parsePartialSuccess: both encodings, content type first, anything unreadable is no partial success', () => {
    expect(parsePartialSuccess(protobufResponse(5, 'no'), 'application/x-protobuf', 'http/json')).toEqual({ rejectedDataPoints: 5, errorMessage: 'no' });
    expect(parsePartialSuccess(Buffer.from('{"partialSuccess":{"rejectedDataPoints":7}}'), 'application/json; charset=utf-8', 'http/protobuf')).toEqual({ rejectedDataPoints: 7, errorMessage: '' });
    expect(parsePartialSuccess(Buffer.from('{"partialSuccess":{}}'), 'application/json', 'http/json')).toBeUndefined();
    expect(parsePartialSuccess(Buffer.from('{"partialSuccess":{"rejectedDataPoints":"-4"}}'), 'application/json', 'http/json')).toBeUndefined();
    expect(parsePartialSuccess(Buffer.from('not json'), 'application/json', 'http/json')).toBeUndefined();
    expect(parsePartialSuccess(Buffer.from([0xff, 0xff, 0xff]), 'application/x-protobuf', 'http/protobuf')).toBeUndefined();
    expect(parsePartialSuccess(Buffer.from('{"partialSuccess":{"rejectedDataPoints":"99999999999999999999"}}'), '', 'http/json')?.rejectedDataPoints).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('the protobuf response decoder: unknown fields of every wire type skipped, int64 above 2^32 exact, malformed bodies undefined', () => {
    const fixed64 = Buffer.from([(9 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]);
    const fixed32 = Buffer.from([(10 << 3) | 5, 1, 2, 3, 4]);
    const inner = Buffer.concat([fixed32, varintField(7, 3), varintField(1, 2 ** 40 + 3), message(8, Buffer.from([1, 2])), string(2, 'rejected: bad unit')]);
    const body = Buffer.concat([varintField(4, 1), fixed64, message(1, inner), string(3, 'ignored')]);
    expect(decodePartialSuccess(body)).toEqual({ rejectedDataPoints: 2 ** 40 + 3, errorMessage: 'rejected: bad unit' });
    expect(decodePartialSuccess(Buffer.alloc(0))).toBeUndefined(); // an empty response: full success
    expect(decodePartialSuccess(body.subarray(0, body.length - 3))).toBeUndefined(); // cut inside a field
    expect(decodePartialSuccess(Buffer.from([(1 << 3) | 3]))).toBeUndefined(); // group wire types are not OTLP
    expect(decodePartialSuccess(Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBeUndefined(); // an 11-byte varint
  });

  it('collectorText: control characters escaped, cut to 256 characters with the original length', () => {
    expect(collectorText('a\u0000b\u007f\u0085\u2028\u2066')).toBe('a\\u{0}b\\u{7f}\\u{85}\\u{2028}\\u{2066}');
    expect(collectorText('y'.repeat(300))).toBe(`${'y'.repeat(256)}...[300 chars]`);
  });
});

describe('https: the agent the package creates keeps the TLS variables', () => {
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  it.skipIf(!hasOpenssl)('OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE is trusted, and partial success is read over TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otlp-tls-'));
    const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    expect(made.status, String(made.stderr)).toBe(0);
    const server = createHttpsServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' });
        res.end(protobufResponse(2, 'dropped'));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    process.env.OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE = certFile;
    try {
      captureStderr();
      const failures: ExportFailure[] = [];
      const session = startCodexMetrics({ endpoint: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, defaults: DEFAULTS, env: {}, exportIntervalMillis: 60_000, exportTimeoutMillis: 5_000, onExportError: (f) => failures.push(f) });
      sessions.push(session);
      session.metrics.add('tool.call', { tool: 'shell', success: true });
      await session.forceFlush();
      // Trusted (a self-signed certificate would otherwise fail the handshake), and read.
      expect(failures.map((f) => [f.kind, f.rejectedDataPoints])).toEqual([['partial_success', 2]]);
      await session.shutdown(); // while the server still answers
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
