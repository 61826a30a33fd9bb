// Export credentials (header values from options.headers and from OTEL_EXPORTER_OTLP_HEADERS /
// OTEL_EXPORTER_OTLP_METRICS_HEADERS) reach the collector and nothing else: not the diag log at any
// level, not console or stdio, not error messages, not describeConfig(), whatever the collector does.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodexMetricsError, describeConfig, resolveExportConfig, startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';
import { captureDiag, closedPort, DEFAULTS, healthy, hostGuard, startCollector, type Behaviour, type Collector, type DiagCapture, type HostGuard } from '../faults/harness.js';

const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
const OPTION_TOKEN = secret('sk-option');
const ENV_TOKEN = secret('sk-env');
const ENV_METRICS_TOKEN = secret('sk-env-metrics');
const SECRETS = [OPTION_TOKEN, ENV_TOKEN, ENV_METRICS_TOKEN];

const ENV = {
  // URL-encoded per the OTLP spec: `Bearer%20...` arrives as `Bearer ...`.
  OTEL_EXPORTER_OTLP_HEADERS: `x-api-key=${ENV_TOKEN},x-tenant=acme%20corp`,
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: `x-metrics-auth=Bearer%20${ENV_METRICS_TOKEN}`,
};
const HEADERS = { authorization: `Bearer ${OPTION_TOKEN}` };

/** Everything that could end up in a log: diag at every level, console, raw stdout/stderr. */
interface Output {
  readonly diag: DiagCapture;
  readonly text: () => string;
  dispose(): void;
}

function captureOutput(): Output {
  const diag = captureDiag();
  const chunks: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void chunks.push(args.map(String).join(' ')));
  }
  for (const stream of [process.stdout, process.stderr]) {
    // Swallowed while captured (restored in afterEach).
    vi.spyOn(stream, 'write').mockImplementation(((chunk: unknown) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return true;
    }) as typeof stream.write);
  }
  return {
    diag,
    text: () => [...diag.lines, ...chunks].join('\n'),
    dispose: () => diag.dispose(),
  };
}

let collectors: Collector[] = [];
let sessions: CodexMetricsSession[] = [];
let output: Output | undefined;
let guard: HostGuard | undefined;

afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  await Promise.all(collectors.map((c) => c.close()));
  sessions = [];
  collectors = [];
  output?.dispose();
  guard?.dispose();
  output = guard = undefined;
  vi.restoreAllMocks();
});

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text.includes(s), `secret ${s.slice(0, 12)}... found in output`).toBe(false);
  // Nor a recognisable part of one.
  for (const s of SECRETS) expect(text.includes(s.slice(-16))).toBe(false);
}

async function exportThrough(endpoint: string): Promise<void> {
  const session = startCodexMetrics({ endpoint, headers: HEADERS, env: ENV, defaults: DEFAULTS, exportIntervalMillis: 200, exportTimeoutMillis: 200 });
  sessions.push(session);
  session.metrics.add('tool.call', { tool: 'shell', success: true });
  session.metrics.record('turn.e2e_duration_ms', 12);
  await session.forceFlush();
  await new Promise((r) => setTimeout(r, 450)); // two periodic exports as well
  await session.shutdown();
  await session.shutdown();
  // The configuration's printable form masks every value.
  const described = describeConfig(session.config);
  expect(described).toContain('authorization=***');
  expect(described).toContain('x-api-key=***');
  expect(described).toContain('x-metrics-auth=***');
  expectNoSecret(described);
}

describe('export credentials never appear in logs or errors', () => {
  const faults: [string, Behaviour][] = [
    ['401 unauthorized', () => ({ status: 401, headers: { 'content-type': 'text/plain' }, body: 'unauthorized' })],
    ['500 internal error', () => ({ status: 500, body: 'internal error' })],
    ['503 unavailable', () => ({ status: 503 })],
    ['hanging collector', () => 'hang'],
    ['healthy collector', healthy],
  ];

  for (const [name, behaviour] of faults) {
    it(`${name}: the collector gets every header, diag (ALL), console and stdio never see a value`, async () => {
      guard = hostGuard();
      output = captureOutput();
      const c = await startCollector(behaviour);
      collectors.push(c);
      await exportThrough(c.url);

      // The collector did receive the credentials, decoded as the OTLP spec says.
      const seen = c.headers();
      expect(seen.length).toBeGreaterThanOrEqual(1);
      for (const h of seen) {
        expect(h.authorization).toBe(`Bearer ${OPTION_TOKEN}`);
        expect(h['x-api-key']).toBe(ENV_TOKEN);
        expect(h['x-metrics-auth']).toBe(`Bearer ${ENV_METRICS_TOKEN}`);
        expect(h['x-tenant']).toBe('acme corp');
      }
      // Something was logged (the failures), just never a credential.
      if (behaviour !== healthy) expect(output.diag.lines.length).toBeGreaterThan(0);
      expectNoSecret(output.text());
      expect(guard.events).toEqual([]);
    });
  }

  it('connection refused: failures are logged without a credential', async () => {
    guard = hostGuard();
    output = captureOutput();
    await exportThrough(`http://127.0.0.1:${await closedPort()}`);
    expect(output.diag.count(/ECONNREFUSED/)).toBeGreaterThan(0);
    expectNoSecret(output.text());
    expect(guard.events).toEqual([]);
  });

  it('control: the capture does see a value that is logged (so the checks above can fail)', async () => {
    output = captureOutput();
    const { diag } = await import('@opentelemetry/api');
    diag.debug(`leak ${OPTION_TOKEN}`);
    console.error(`leak ${ENV_TOKEN}`);
    process.stderr.write(`leak ${ENV_METRICS_TOKEN}\n`);
    const text = output.text();
    for (const s of SECRETS) expect(text).toContain(s);
  });

  it('describeConfig masks header values from options and from both environment variables', () => {
    const config = resolveExportConfig({ headers: HEADERS }, ENV);
    expect(config.headers).toEqual({
      authorization: `Bearer ${OPTION_TOKEN}`,
      'x-api-key': ENV_TOKEN,
      'x-tenant': 'acme corp',
      'x-metrics-auth': `Bearer ${ENV_METRICS_TOKEN}`,
    });
    const text = describeConfig(config);
    expect(text).toMatch(/headers: .*authorization=\*\*\*/);
    expectNoSecret(text);
  });
});

describe('secrets passed by mistake as attribute values are not echoed', () => {
  it('strict mode: the CodexMetricsError names metric, field and reason, never the value', () => {
    const t = createTestCodexMetrics({ strict: true });
    const calls = [
      () => t.metrics.add('tool.call', { tool: `curl -H "Authorization: Bearer ${OPTION_TOKEN}"`, success: true }),
      () => t.metrics.add('task.compact', { type: OPTION_TOKEN as 'remote' }),
      () => t.metrics.add('tool.call', { tool: 'shell', success: OPTION_TOKEN as unknown as boolean }),
      () => t.metrics.withDefaults({ model: `${OPTION_TOKEN} ` }),
    ];
    for (const call of calls) {
      let error: unknown;
      try {
        call();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CodexMetricsError);
      expectNoSecret(`${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`);
    }
  });

  it('lenient mode: the diag messages about repaired values never contain the value', async () => {
    output = captureOutput();
    const t = createTestCodexMetrics();
    t.metrics.add('tool.call', { tool: `curl -H "Authorization: Bearer ${OPTION_TOKEN}"`, success: true });
    t.metrics.add('task.compact', { type: OPTION_TOKEN as 'remote' });
    t.metrics.withDefaults({ model: `${OPTION_TOKEN} ` });
    expect(output.diag.count(/repaired measurement/)).toBe(3);
    expectNoSecret(output.text());
    await t.shutdown();
  });
});

describe('undocumented field names are bounded and escaped in messages', () => {
  const key = `${'k'.repeat(100_000)}\nFAKE LOG LINE`;

  it('lenient: the diag warning about an undocumented field is bounded and on one line', async () => {
    output = captureOutput();
    const t = createTestCodexMetrics();
    (t.metrics.add as (name: string, fields: unknown) => void).call(t.metrics, 'tool.call', { tool: 'shell', success: true, [key]: 1 });
    const warning = output.diag.lines.find((l) => l.includes('not a documented field'))!;
    expect(warning.length).toBeLessThan(1_000);
    expect(warning).not.toContain('\n');
    await t.shutdown();
  });

  it('strict: the CodexMetricsError message about an undocumented field is bounded and on one line', () => {
    const t = createTestCodexMetrics({ strict: true });
    let message = '';
    try {
      (t.metrics.add as (name: string, fields: unknown) => void).call(t.metrics, 'tool.call', { tool: 'shell', success: true, [key]: 1 });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('unknown_field');
    expect(message.length).toBeLessThan(1_000);
    expect(message).not.toContain('\n');
  });
});
