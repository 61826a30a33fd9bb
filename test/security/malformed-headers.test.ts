// Credentials in malformed export headers (issue #21): a mistyped OTEL_EXPORTER_OTLP_HEADERS
// (`Authorization: Basic <token>=`, a colon instead of `=`) used to make the whole entry a header
// name, which Node quoted in its error, the package in its failure line and onExportError, and
// describeConfig() as a name. No part of a malformed entry may appear anywhere; the error names
// its position only. Loopback only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeConfig, ExportConfigError, resolveExportConfig, startCodexMetrics, type CodexMetricsSession, type ExportFailure } from '../../src/index.js';
import { captureDiag, DEFAULTS, healthy, hostGuard, startCollector, type Collector, type DiagCapture, type HostGuard } from '../faults/harness.js';

const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
/** A base64 token with its padding, as Basic credentials are written. */
const TOKEN = randomBytes(24).toString('base64').replace(/=+$/, '');
const PIECES = [TOKEN, TOKEN.slice(0, 12), TOKEN.slice(-12)];

/** Malformed entries as a careless operator types them; `position` is where the bad one is. */
const MALFORMED: [label: string, value: string, position: string][] = [
  ['a colon instead of "=" (the whole entry becomes a name)', `Authorization: Basic ${TOKEN}=`, 'entry 1 of 1'],
  ['the same after a good entry, with base64 padding', `x-tenant=acme,Authorization: Basic ${TOKEN}==`, 'entry 2 of 2'],
  ['no "=" at all', TOKEN, 'entry 1 of 1'],
  ['a CR LF in the URL-decoded value (header injection)', `authorization=Basic%20${TOKEN}%0D%0Ax-evil:%201`, 'entry 1 of 1'],
  ['a character past U+00FF in the value', `authorization=Basic%20${TOKEN}%E2%82%AC`, 'entry 1 of 1'],
  ['an empty value (the token mistaken for a name)', `${TOKEN}=`, 'entry 1 of 1'],
];

let sessions: CodexMetricsSession[] = [];
let collectors: Collector[] = [];
let logs: DiagCapture | undefined;
let guard: HostGuard | undefined;
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

function expectNoToken(text: string): void {
  for (const piece of PIECES) expect(text.includes(piece), `a piece of the token is in: ${text.slice(0, 300)}`).toBe(false);
}

/** Every line written to stdout, stderr or the console while captured (swallowed). */
function captureStdio(): string[] {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof stream.write);
  }
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void chunks.push(args.map(String).join(' ')));
  }
  return chunks;
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('malformed OTEL_EXPORTER_OTLP_HEADERS: never echoed, named by position', () => {
  for (const [label, value, position] of MALFORMED) {
    it(`${label}: lenient exports without it, one line names its position; nothing anywhere shows it`, async () => {
      guard = hostGuard();
      logs = captureDiag();
      const stdio = captureStdio();
      const c = await startCollector(healthy);
      collectors.push(c);
      const failures: ExportFailure[] = [];
      const session = startCodexMetrics({ endpoint: c.url, env: { OTEL_EXPORTER_OTLP_HEADERS: value }, defaults: DEFAULTS, exportIntervalMillis: 60_000, onExportError: (f) => failures.push(f) });
      sessions.push(session);
      session.metrics.add('tool.call', { tool: 'shell', success: true });
      await session.forceFlush();
      await session.shutdown();

      const lines = logs.lines.filter((l) => l.includes('OTEL_EXPORTER_OTLP_HEADERS'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`error codex-otel-metrics: ignoring OTEL_EXPORTER_OTLP_HEADERS: ${position} is not name=value`);
      // The export went out, without the entry (a good entry beside it is kept).
      expect(session.exportStats().failed).toBe(0);
      expect(session.exportStats().succeeded).toBeGreaterThanOrEqual(1);
      expect(c.headers()[0].authorization).toBeUndefined();
      if (value.startsWith('x-tenant=')) expect(c.headers()[0]['x-tenant']).toBe('acme');
      expect(failures).toEqual([]);
      expectNoToken(
        [
          ...logs.lines,
          ...stdio,
          describeConfig(session.config),
          JSON.stringify(session.config),
          inspect(session.config, { showHidden: false }),
          JSON.stringify(session.exportStats()),
        ].join('\n'),
      );
      expect(guard.events).toEqual([]);
    });
  }

  it('strict: an ExportConfigError (invalid_header) naming the variable and position; message, stack and inspect free of the token', () => {
    const stdio = captureStdio();
    for (const [, value, position] of MALFORMED) {
      for (const variable of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS']) {
        const error = thrown(() => startCodexMetrics({ strict: true, env: { [variable]: value } }));
        expect(error).toBeInstanceOf(ExportConfigError);
        expect(error).toMatchObject({ code: 'invalid_header' });
        expect(error.message).toContain(`${variable}: ${position} is not name=value`);
        expectNoToken(`${error.message}\n${error.stack}\n${inspect(error)}\n${JSON.stringify(error)}`);
      }
    }
    expectNoToken(stdio.join('\n'));
  });

  it('the headers option is held to the same rules', () => {
    logs = captureDiag();
    const bad: Record<string, string>[] = [{ [`Authorization: Basic ${TOKEN}`]: '' }, { authorization: `Basic ${TOKEN}\r\nx-evil: 1` }, { 'x-ok': '1', authorization: `Basic ${TOKEN}\u20ac` }];
    for (const headers of bad) {
      const error = thrown(() => resolveExportConfig({ headers, strict: true }, {}));
      expect(error).toMatchObject({ code: 'invalid_header' });
      expect(error.message).toMatch(/^invalid_header: the headers option: entry \d of \d is not name=value/);
      expectNoToken(`${error.message}\n${error.stack}`);
      const config = resolveExportConfig({ headers }, {});
      expect(config.headers.authorization).toBeUndefined();
      expectNoToken(describeConfig(config));
    }
    expect(resolveExportConfig({ headers: bad[2] }, {}).headers).toEqual({ 'x-ok': '1' });
    expect(logs.count(/ignoring the headers option: entry \d of \d/)).toBe(4);
    expectNoToken(logs.lines.join('\n'));
  });

  it('valid entries keep working: URL-decoded values, = inside a value, blank entries skipped', () => {
    const config = resolveExportConfig({}, { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Basic%20${TOKEN}==,, x-tenant = acme%20corp ,` });
    expect(config.headers).toEqual({ authorization: `Basic ${TOKEN}==`, 'x-tenant': 'acme corp' });
    expect(describeConfig(config)).toContain('headers: authorization=***,x-tenant=***');
    expectNoToken(describeConfig(config));
  });

  it('the CLI (demo --endpoint, strict): one line naming the position, exit 1, no part of the entry on stdout or stderr', async () => {
    const c = await startCollector(healthy);
    collectors.push(c);
    const child = spawn(process.execPath, [BIN, 'demo', '--endpoint', c.url], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_HEADERS: `x-tenant=acme,Authorization: Basic ${TOKEN}=` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([expect.stringMatching(/^codex-otel-metrics demo: invalid_header: OTEL_EXPORTER_OTLP_HEADERS: entry 2 of 2 is not name=value/)]);
    expectNoToken(out);
    expect(c.receiver.requests()).toEqual([]);
  }, 30_000);
});
