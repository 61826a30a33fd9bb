// The GenAI view on a real reader's collect(): what the same calls record into gen_ai.*, in every
// set-up (package aggregation, SDK instruments aggregated or direct, the host's MeterProvider),
// with strict/lenient behaviour and the series limits.
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { GENAI_METRICS, GENAI_SECONDS_BUCKETS, GENAI_TOKEN_BUCKETS } from '../../src/genai/conventions.js';
import { genAiSourceSpecs, GENAI_SOURCES } from '../../src/genai/mapping.js';
import { CodexMetricsError, createCodexMetrics, type CodexMetrics, type CodexMetricsOptions } from '../../src/index.js';
import { createTestCodexMetrics, flattenResourceMetrics, type RecordedPoint } from '../../src/testing/index.js';
import { loadFixturePoints, readManifest } from '../interop/fixtures.js';

const DEFAULTS = { auth_mode: 'ApiKey', originator: 'codex_exec', session_source: 'exec', model: 'gpt-5.1-codex', 'app.version': '0.171.0' } as const;
const TAGS = { ...DEFAULTS };

/** One plain turn with the real Codex CLI 0.171.0 values (plain-turn fixture). */
function plainTurn(m: CodexMetrics): void {
  const f = (token_type: 'input' | 'cached_input' | 'output' | 'reasoning_output' | 'total' | 'cache_write_input') => ({ token_type, tmp_mem_enabled: false });
  m.record('turn.token_usage', 1200, f('input'));
  m.record('turn.token_usage', 200, f('cached_input'));
  m.record('turn.token_usage', 300, f('output'));
  m.record('turn.token_usage', 80, f('reasoning_output'));
  m.record('turn.token_usage', 1500, f('total'));
  m.record('turn.token_usage', 10, f('cache_write_input'));
  m.record('api_request.duration_ms', 812, { status: 200, success: true });
  m.record('api_request.duration_ms', 40, { status: 429, success: false });
  m.record('api_request.duration_ms', 30_000, { status: 'none', success: false });
  m.record('turn.e2e_duration_ms', 2_500);
  m.record('turn.ttft.duration_ms', 640);
}

const genAi = (points: RecordedPoint[]) => points.filter((p) => p.name.startsWith('gen_ai.'));
const strip = (points: RecordedPoint[]) => points.map(({ name, unit, attributes, sum, count, boundaries, buckets }) => ({ name, unit, attributes, sum, count, boundaries, buckets }));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function testMetrics(options: Parameters<typeof createTestCodexMetrics>[0]) {
  const t = createTestCodexMetrics(options);
  cleanups.push(() => t.shutdown());
  return t;
}

/** The host's own MeterProvider (SDK instruments), read by a plain reader. */
function hostMetrics(options: CodexMetricsOptions) {
  class Reader extends MetricReader {
    protected async onForceFlush(): Promise<void> {}
    protected async onShutdown(): Promise<void> {}
  }
  const reader = new Reader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => meterProvider.shutdown());
  const metrics = createCodexMetrics({ ...options, meterProvider });
  return { metrics, snapshot: async () => flattenResourceMetrics((await reader.collect()).resourceMetrics) };
}

describe('GenAI view: what the same calls record', () => {
  it('token usage: input and output only (cached, cache-write and reasoning are inside them, total is their sum)', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true, strict: true });
    plainTurn(t.metrics);
    const tokens = (await t.snapshot()).filter((p) => p.name === 'gen_ai.client.token.usage');
    const base = { ...TAGS, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-5.1-codex' };
    expect(tokens.map((p) => [p.attributes, p.sum, p.count])).toEqual([
      [{ ...base, 'gen_ai.token.type': 'input' }, 1200, 1],
      [{ ...base, 'gen_ai.token.type': 'output' }, 300, 1],
    ]);
    expect(tokens.every((p) => p.unit === '{token}' && JSON.stringify(p.boundaries) === JSON.stringify(GENAI_TOKEN_BUCKETS.boundaries))).toBe(true);
  });

  it('operation duration in seconds: chat per API request (error.type on failures), invoke_agent per turn; TTFC per turn', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: { providerName: 'azure.ai.openai' } });
    plainTurn(t.metrics);
    const points = genAi(await t.snapshot()).filter((p) => p.name !== 'gen_ai.client.token.usage');
    const base = { ...TAGS, 'gen_ai.provider.name': 'azure.ai.openai', 'gen_ai.request.model': 'gpt-5.1-codex' };
    const rows = points.map((p) => [p.name, p.attributes, p.sum, p.unit]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['gen_ai.client.operation.duration', { ...base, 'gen_ai.operation.name': 'chat' }, 0.812, 's'],
        ['gen_ai.client.operation.duration', { ...base, 'gen_ai.operation.name': 'chat', 'error.type': '429' }, 0.04, 's'],
        ['gen_ai.client.operation.duration', { ...base, 'gen_ai.operation.name': 'chat', 'error.type': '_OTHER' }, 30, 's'],
        ['gen_ai.client.operation.duration', { ...base, 'gen_ai.operation.name': 'invoke_agent' }, 2.5, 's'],
        ['gen_ai.client.operation.time_to_first_chunk', { ...base, 'gen_ai.operation.name': 'invoke_agent' }, 0.64, 's'],
      ]),
    );
    expect(rows).toHaveLength(5);
    expect(points.every((p) => JSON.stringify(p.boundaries) === JSON.stringify(GENAI_SECONDS_BUCKETS.boundaries))).toBe(true);
  });

  it('gen_ai.request.model follows the model default tag per view, and is omitted when unknown', async () => {
    const t = testMetrics({ defaults: { ...DEFAULTS, model: undefined }, genAi: true });
    t.metrics.record('turn.e2e_duration_ms', 1000);
    t.metrics.withDefaults({ model: 'o4-mini' }).record('turn.e2e_duration_ms', 2000);
    const models = genAi(await t.snapshot()).map((p) => [p.attributes.model, p.attributes['gen_ai.request.model']]);
    expect(models).toEqual(expect.arrayContaining([['unknown', undefined], ['o4-mini', 'o4-mini']]));
    expect(models).toHaveLength(2);
  });

  it('startTimer on a source metric records both families', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true });
    const stop = t.metrics.startTimer('api_request.duration_ms', { status: 200 });
    const ms = stop({ success: true });
    const [point] = genAi(await t.snapshot());
    expect(point.name).toBe('gen_ai.client.operation.duration');
    expect(point.count).toBe(1);
    expect(point.sum).toBe(ms / 1000);
  });

  it('milliseconds become seconds by a division, exact where the decimal is (2300 ms is 2.3 s, not 2.3000000000000003)', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true });
    t.metrics.record('api_request.duration_ms', 2300, { status: 200, success: true });
    const [point] = genAi(await t.snapshot());
    expect(point.sum).toBe(2.3);
  });

  it('the same data in every set-up: package aggregation (delta too), SDK aggregated, SDK direct, the host MeterProvider', async () => {
    const producer = testMetrics({ defaults: DEFAULTS, genAi: true });
    plainTurn(producer.metrics);
    const expected = strip(genAi(await producer.snapshot()));
    expect(expected).toHaveLength(7);
    const direct = testMetrics({ defaults: DEFAULTS, genAi: true, aggregateInPackage: false });
    plainTurn(direct.metrics);
    expect(strip(genAi(await direct.snapshot()))).toEqual(expected);
    const host = hostMetrics({ defaults: DEFAULTS, genAi: true });
    plainTurn(host.metrics);
    expect(strip(genAi(await host.snapshot()))).toEqual(expected);
    const delta = testMetrics({ defaults: DEFAULTS, genAi: true, temporality: 'delta' });
    plainTurn(delta.metrics);
    expect(strip(genAi(await delta.snapshot()))).toEqual(expected);
    expect(genAi(await delta.snapshot())).toEqual([]); // nothing new in the next interval
  });

  it('off by default: no gen_ai.* metric, and gen_ai.* names are never recordable directly', async () => {
    const off = testMetrics({ defaults: DEFAULTS });
    plainTurn(off.metrics);
    expect(genAi(await off.snapshot())).toEqual([]);
    const on = testMetrics({ defaults: DEFAULTS, genAi: true, strict: true });
    expect(() => (on.metrics.record as (n: string, v: number) => void)('gen_ai.client.token.usage', 5)).toThrow(/unknown_metric/);
  });
});

describe('GenAI view: errors, strictness and limits', () => {
  it('a bad genAi option is an invalid_option error naming what is allowed', () => {
    for (const genAi of ['true', 1, [], { providerName: '' }, { providerName: 'open ai' }, { providerName: 'x'.repeat(257) }, { providerName: 7 }]) {
      let error: unknown;
      try {
        createCodexMetrics({ genAi: genAi as never });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CodexMetricsError);
      expect((error as CodexMetricsError).code).toBe('invalid_option');
      expect((error as CodexMetricsError).message).toMatch(/^genAi: /);
    }
  });

  it('strict: a rejected source measurement throws and records nothing in either family', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true, strict: true });
    expect(() => t.metrics.record('turn.token_usage', -1, { token_type: 'input', tmp_mem_enabled: false })).toThrow(CodexMetricsError);
    expect(() => t.metrics.record('api_request.duration_ms', 5, { status: 200, success: 'maybe' } as never)).toThrow(/wrong_type/);
    expect(await t.snapshot()).toEqual([]);
  });

  it('lenient: a dropped source measurement is not mirrored; a repaired one is, with the repaired value', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true });
    t.metrics.record('turn.e2e_duration_ms', Number.NaN);
    t.metrics.record('api_request.duration_ms', 100, { status: 'teapot', success: false } as never);
    const points = genAi(await t.snapshot());
    expect(points).toHaveLength(1);
    // The sanitized status is not an HTTP code: error.type falls back to _OTHER.
    expect(points[0].attributes['error.type']).toBe('_OTHER');
    expect(t.metrics.stats()).toEqual({ dropped: { invalid_number: 1 }, sanitized: { wrong_type: 1 } });
  });

  it('series limits apply to the gen_ai metrics too, counted; a source past its limit is not mirrored, counted', async () => {
    const t = testMetrics({ defaults: DEFAULTS, genAi: true, maxSeriesPerMetric: 3 });
    for (const model of ['a', 'b', 'c', 'd']) t.metrics.withDefaults({ model }).record('turn.ttft.duration_ms', 100);
    const points = await t.snapshot();
    const ttfc = points.filter((p) => p.name === 'gen_ai.client.operation.time_to_first_chunk');
    // Source: a, b kept, c and d in its overflow series (not mirrored); GenAI: a, b.
    expect(ttfc.map((p) => p.attributes.model)).toEqual(['a', 'b']);
    expect(t.metrics.stats()).toEqual({ dropped: { series_limit: 2 }, sanitized: { series_limit: 2 } });

    // Two source metrics feed gen_ai.client.operation.duration: with room for one series, the
    // second (invoke_agent) lands in its overflow series, counted at every measurement.
    const u = testMetrics({ defaults: DEFAULTS, genAi: true, maxSeriesPerMetric: 2 });
    u.metrics.record('api_request.duration_ms', 1000, { status: 200, success: true });
    u.metrics.record('turn.e2e_duration_ms', 1000);
    u.metrics.record('turn.e2e_duration_ms', 3000);
    const durations = (await u.snapshot()).filter((p) => p.name === 'gen_ai.client.operation.duration');
    expect(durations.map((p) => [p.attributes['gen_ai.operation.name'] ?? p.attributes['otel.metric.overflow'], p.sum])).toEqual([
      ['chat', 1],
      ['true', 4],
    ]);
    expect(u.metrics.stats()).toEqual({ dropped: {}, sanitized: { series_limit: 2 } });
  });
});

describe('GenAI view: fed by the registry', () => {
  it('every source metric exists in the registry with the fields and units the mapping reads', () => {
    const { specs, missing } = genAiSourceSpecs();
    expect(missing).toEqual([]);
    for (const spec of specs) {
      const source = GENAI_SOURCES.find((s) => s.source === spec.name)!;
      expect(spec.kind).toBe('histogram');
      expect(spec.tags).toBe('session');
      for (const field of source.reads) expect([...spec.required, ...spec.optional]).toContain(field);
      if (spec.name.endsWith('_ms')) expect(spec.unit).toBe('ms');
    }
    const tokens = specs.find((s) => s.name === 'turn.token_usage')!;
    expect(tokens.fields.token_type.values).toEqual(expect.arrayContaining(['input', 'output', 'cached_input', 'cache_write_input', 'reasoning_output', 'total']));
    const request = specs.find((s) => s.name === 'api_request.duration_ms')!;
    expect(request.fields.status).toMatchObject({ type: 'int', values: ['none'] });
    expect(request.fields.success.type).toBe('boolean');
  });

  it('the real Codex CLI export: cached input is inside input, reasoning inside output, total = input + output', async () => {
    const entry = readManifest().entries.find((e) => e.scenario === 'plain-turn' && e.protocol === 'json')!;
    const points = (await loadFixturePoints(entry)).filter((p) => p.metric === 'codex.turn.token_usage');
    const sum = (type: string) => points.filter((p) => p.attributes.token_type === type).reduce((s, p) => s + (p.sum ?? 0), 0);
    expect([sum('input'), sum('cached_input'), sum('output'), sum('reasoning_output'), sum('total')]).toEqual([1200, 200, 300, 80, 1500]);
    expect(sum('cached_input')).toBeLessThanOrEqual(sum('input'));
    expect(sum('reasoning_output')).toBeLessThanOrEqual(sum('output'));
    expect(sum('total')).toBe(sum('input') + sum('output'));
  });

  it('the conventions: names without a codex prefix, histograms, the required attributes always written', () => {
    expect(GENAI_METRICS.map((m) => [m.name, m.unit, m.required])).toEqual([
      ['gen_ai.client.token.usage', '{token}', ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.token.type']],
      ['gen_ai.client.operation.duration', 's', ['gen_ai.operation.name', 'gen_ai.provider.name']],
      ['gen_ai.client.operation.time_to_first_chunk', 's', ['gen_ai.operation.name', 'gen_ai.provider.name']],
    ]);
    expect(DEFAULT_TAG_KEYS.length).toBe(5);
  });
});
