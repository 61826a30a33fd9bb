import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { CodexMetricsError } from '../../src/index.js';
import { createTestCodexMetrics, type TestCodexMetrics } from '../../src/testing/index.js';

const defaults = { auth_mode: 'ApiKey', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' } as const;

// JavaScript callers: the runtime checks what TypeScript checks at compile time.
type Loose = { add(...a: unknown[]): void; record(...a: unknown[]): void; startTimer(...a: unknown[]): (f?: unknown) => number; withDefaults(d: unknown): Loose };

let t: TestCodexMetrics;
afterEach(async () => {
  await t?.shutdown();
  diag.disable();
});

function setup(strict: boolean): Loose {
  t = createTestCodexMetrics({ defaults, strict });
  return t.metrics as unknown as Loose;
}

/** Each rule: the call, the error code in strict mode, and what lenient mode does. */
const cases: { name: string; call: (m: Loose) => void; code: string; lenient: 'dropped' | 'sanitized' }[] = [
  { name: 'unknown metric', call: (m) => m.add('no_such_metric'), code: 'unknown_metric', lenient: 'dropped' },
  { name: 'add on a histogram', call: (m) => m.add('turn.e2e_duration_ms'), code: 'wrong_kind', lenient: 'dropped' },
  { name: 'record on a counter', call: (m) => m.record('task.review', 1), code: 'wrong_kind', lenient: 'dropped' },
  { name: 'NaN value', call: (m) => m.record('turn.e2e_duration_ms', Number.NaN), code: 'invalid_number', lenient: 'dropped' },
  { name: 'Infinity value', call: (m) => m.record('turn.e2e_duration_ms', Number.POSITIVE_INFINITY), code: 'invalid_number', lenient: 'dropped' },
  { name: 'string value', call: (m) => m.record('turn.e2e_duration_ms', '5'), code: 'invalid_number', lenient: 'dropped' },
  { name: 'negative counter increment', call: (m) => m.add('task.review', undefined, -1), code: 'negative_value', lenient: 'dropped' },
  { name: 'negative histogram value', call: (m) => m.record('turn.e2e_duration_ms', -5), code: 'negative_value', lenient: 'dropped' },
  { name: 'fields not an object', call: (m) => m.add('tool.call', 'shell'), code: 'invalid_fields', lenient: 'dropped' },
  { name: 'undocumented field', call: (m) => m.add('tool.call', { tool: 'shell', success: true, command: 'rm -rf /' }), code: 'unknown_field', lenient: 'sanitized' },
  { name: 'missing required field', call: (m) => m.add('tool.call', { tool: 'shell' }), code: 'missing_field', lenient: 'sanitized' },
  { name: 'boolean field given a string', call: (m) => m.add('tool.call', { tool: 'shell', success: 'yes' }), code: 'wrong_type', lenient: 'sanitized' },
  { name: 'int field given a float', call: (m) => m.add('api_request', { status: 200.5, success: true }), code: 'wrong_type', lenient: 'sanitized' },
  { name: 'value with spaces', call: (m) => m.add('tool.call', { tool: 'rm -rf /', success: true }), code: 'invalid_value', lenient: 'sanitized' },
  { name: 'empty value', call: (m) => m.add('tool.call', { tool: '', success: true }), code: 'invalid_value', lenient: 'sanitized' },
  { name: 'oversized value', call: (m) => m.add('tool.call', { tool: 'x'.repeat(10_000), success: true }), code: 'invalid_value', lenient: 'sanitized' },
  { name: 'value outside a closed set', call: (m) => m.add('task.compact', { type: 'manual', manual: true }), code: 'value_not_allowed', lenient: 'sanitized' },
  { name: 'bad default tag', call: (m) => m.withDefaults({ model: 'gpt 5 (preview)' }), code: 'invalid_value', lenient: 'sanitized' },
  { name: 'unknown default tag', call: (m) => m.withDefaults({ user: 'alice' }), code: 'unknown_field', lenient: 'sanitized' },
];

describe('strict mode throws a typed error naming metric, field and reason', () => {
  for (const c of cases) {
    it(c.name, () => {
      const m = setup(true);
      let error: unknown;
      try {
        c.call(m);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CodexMetricsError);
      expect((error as CodexMetricsError).code).toBe(c.code);
      expect((error as CodexMetricsError).message).toContain((error as CodexMetricsError).metric);
    });
  }
});

describe('lenient mode never throws, counts and keeps what can be kept', () => {
  for (const c of cases) {
    it(c.name, () => {
      const m = setup(false);
      expect(() => c.call(m)).not.toThrow();
      const stats = t.metrics.stats();
      expect(stats[c.lenient][c.code as keyof typeof stats.dropped]).toBe(1);
    });
  }

  it('sanitizes like the Rust emitter: bad characters to _, bounded, empty to unknown', async () => {
    const m = setup(false);
    m.add('tool.call', { tool: 'rm -rf /', success: true });
    m.add('tool.call', { tool: 'y'.repeat(1000), success: true });
    m.add('tool.call', { tool: '', success: true });
    m.add('tool.call', { tool: 'shell', success: true, command: 'cat ~/.ssh/id_rsa' });
    m.add('tool.call', { tool: 'apply_patch' });
    const values = (await t.snapshot()).map((p) => p.attributes);
    expect(values.map((a) => a.tool).sort()).toEqual(['apply_patch', 'rm_-rf_/', 'shell', 'unknown', 'y'.repeat(256)].sort());
    expect(values.find((a) => a.tool === 'apply_patch')!.success).toBe('unknown');
    expect(values.every((a) => !('command' in a))).toBe(true); // undocumented fields never reach the wire
  });

  it('drops exactly what cannot be recorded', async () => {
    const m = setup(false);
    m.add('task.review', undefined, -1);
    m.add('task.review', undefined, Number.NaN);
    m.add('task.review');
    expect((await t.snapshot()).map((p) => p.value)).toEqual([1]);
  });

  it('survives hostile field objects', () => {
    const m = setup(false);
    const throwing = Object.defineProperty({}, 'tool', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const polluted = JSON.parse('{"__proto__": {"polluted": true}, "tool": "shell", "success": true, "constructor": "x"}');
    expect(() => m.add('tool.call', throwing)).not.toThrow();
    expect(() => m.add('tool.call', polluted)).not.toThrow();
    expect(() => m.add('tool.call', new Proxy({}, { get: () => { throw new Error('trap'); } }))).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports through diag, rate-limited, without values', () => {
    const messages: string[] = [];
    const logger: DiagLogger = {
      error: (m) => messages.push(m),
      warn: (m) => messages.push(m),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const m = setup(false);
    for (let i = 0; i < 500; i++) m.add('tool.call', { tool: 'secret token sk-123', success: true });
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.length).toBeLessThanOrEqual(10);
    expect(messages.join('\n')).not.toContain('sk-123');
    expect(t.metrics.stats().sanitized.invalid_value).toBe(500);
  });
});
