// Export credentials (header values from options.headers and from OTEL_EXPORTER_OTLP_HEADERS /
// OTEL_EXPORTER_OTLP_METRICS_HEADERS) reach the collector and nothing else: not the diag log at any
// level, not console or stdio, not error messages, not describeConfig(), whatever the collector does.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodexMetricsError, describeConfig, ExportConfigError, resolveExportConfig, startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';
import { captureDiag, closedPort, DEFAULTS, healthy, hostGuard, startCollector, until, type Behaviour, type Collector, type DiagCapture, type HostGuard } from '../faults/harness.js';

const secret = (label: string) => `${label}-${randomBytes(16).toString('hex')}`;
const OPTION_TOKEN = secret('sk-option');
const ENV_TOKEN = secret('sk-env');
const ENV_METRICS_TOKEN = secret('sk-env-metrics');
const URL_PASSWORD = secret('pw');
const SECRETS = [OPTION_TOKEN, ENV_TOKEN, ENV_METRICS_TOKEN, URL_PASSWORD];

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
    process.stderr.write(`leak ${ENV_METRICS_TOKEN} ${URL_PASSWORD}\n`);
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

describe('URL credentials (user:password in an endpoint) are never printed', () => {
  const envKeys = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'];
  afterEach(() => {
    for (const key of envKeys) delete process.env[key];
  });

  function startError(run: () => unknown): Error {
    try {
      run();
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected startCodexMetrics to throw');
  }

  it('an endpoint option holding user:password that is not a valid URL: ExportConfigError without the value', () => {
    output = captureOutput();
    for (const endpoint of [`http://user:${URL_PASSWORD}@[collector:4318`, `http://user:${URL_PASSWORD}@collector:99999`, `user:${URL_PASSWORD}@collector:4318`]) {
      const error = startError(() => startCodexMetrics({ endpoint, env: {} }));
      expect(error).toBeInstanceOf(ExportConfigError);
      expect((error as ExportConfigError).code).toBe('invalid_endpoint');
      expectNoSecret(`${error.message}\n${error.stack}\n${JSON.stringify(error)}\n${inspect(error)}`);
    }
    expectNoSecret(output.text());
  });

  it('the same in OTEL_EXPORTER_OTLP_METRICS_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    output = captureOutput();
    for (const name of ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
      const error = startError(() => startCodexMetrics({ env: { [name]: `http://user:${URL_PASSWORD}@[collector` } }));
      expect(error.message).toContain(name);
      expectNoSecret(`${error.message}\n${error.stack}`);
    }
    expectNoSecret(output.text());
  });

  it('with an endpoint option, the exporter never reads (nor logs) the endpoint and header variables of process.env', async () => {
    guard = hostGuard();
    output = captureOutput();
    process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `http://user:${URL_PASSWORD}@[unparsable`;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://user:${URL_PASSWORD}@[unparsable`;
    process.env.OTEL_EXPORTER_OTLP_HEADERS = `x-env-secret=${ENV_TOKEN}`;
    const c = await startCollector(healthy);
    collectors.push(c);
    // env: {} replaces process.env for everything: the exporter must not merge process.env's headers either.
    const session = startCodexMetrics({ endpoint: c.url, headers: HEADERS, env: {}, defaults: DEFAULTS, exportIntervalMillis: 60_000 });
    sessions.push(session);
    // process.env is intact afterwards.
    expect(process.env.OTEL_EXPORTER_OTLP_HEADERS).toBe(`x-env-secret=${ENV_TOKEN}`);
    session.metrics.add('tool.call', { tool: 'shell', success: true });
    await session.shutdown();
    expect(c.headers()).toHaveLength(1);
    expect(c.headers()[0].authorization).toBe(`Bearer ${OPTION_TOKEN}`);
    expect(c.headers()[0]['x-env-secret']).toBeUndefined();
    expect(c.receiver.points().length).toBeGreaterThan(0);
    expectNoSecret(output.text());
    expect(guard.events).toEqual([]);
  });

  it('a valid URL with a password: exports work, failure reports, config JSON and inspect mask it', async () => {
    guard = hostGuard();
    output = captureOutput();
    output.diag.dispose(); // no host diag logger: reports go to stderr (captured)
    const port = await closedPort();
    const failures: string[] = [];
    const session = startCodexMetrics({
      endpoint: `http://user:${URL_PASSWORD}@127.0.0.1:${port}/otlp?token=${ENV_TOKEN}`,
      env: {},
      exportIntervalMillis: 100,
      exportTimeoutMillis: 100,
      onExportError: (f) => failures.push(f.message),
    });
    sessions.push(session);
    session.metrics.add('tool.call', { tool: 'shell', success: true });
    await until(() => failures.length >= 2, 10_000, 'two failed exports');
    expect(output.text()).toContain(`http://***@127.0.0.1:${port}/otlp/v1/metrics?***`);
    expectNoSecret([output.text(), failures.join('\n'), JSON.stringify(session.config), inspect(session.config), inspect(session, { depth: 5 }), describeConfig(session.config)].join('\n'));
    expect(session.config.url).toContain(URL_PASSWORD); // still usable by code that needs it
    expect(guard.events).toEqual([]);
  });
});

describe('secrets passed by mistake as attribute values are not echoed', () => {
  it('strict mode: the CodexMetricsError names metric, field and reason, never the value', () => {
    const t = createTestCodexMetrics({ strict: true });
    const calls = [
      () => t.metrics.add('tool.call', { tool: `curl -H "Authorization: Bearer ${OPTION_TOKEN}"`, success: true }),
      () => t.metrics.add('task.compact', { type: OPTION_TOKEN as 'remote', manual: false }),
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
    t.metrics.add('task.compact', { type: OPTION_TOKEN as 'remote', manual: false });
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
