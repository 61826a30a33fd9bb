import { afterEach, describe, expect, it } from 'vitest';
import { createTestCodexMetrics, type TestCodexMetrics } from '../../src/testing/index.js';
import { METRICS } from '../../src/generated/catalog.js';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { diag, DiagLogLevel, metrics as otelMetrics, type DiagLogger } from '@opentelemetry/api';
import { HISTOGRAM_BUCKETS } from '../../src/generated/catalog.js';
import { bucketsFor, CodexMetricProducer, createCodexMetrics } from '../../src/index.js';
import { flattenResourceMetrics } from '../../src/testing/index.js';

const defaults = { auth_mode: 'ApiKey', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' } as const;

/** A reader the test collects by hand, standing in for whatever reader the host set up. */
class ManualReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

let t: TestCodexMetrics;
afterEach(async () => t?.shutdown());

describe('recording', () => {
  it('adds counters with default tags and wire spellings', async () => {
    t = createTestCodexMetrics({ defaults });
    t.metrics.add('api_request', { status: 200, success: true });
    t.metrics.add('api_request', { status: 200, success: true }, 2);
    t.metrics.add('api_request', { status: 'none', success: false });
    const points = await t.snapshot();
    expect(points).toEqual([
      expect.objectContaining({ name: 'codex.api_request', kind: 'counter', unit: '1', value: 3, attributes: { ...defaults, status: '200', success: 'true' } }),
      expect.objectContaining({ name: 'codex.api_request', value: 1, attributes: { ...defaults, status: 'none', success: 'false' } }),
    ]);
  });

  it('records histograms with the bucket boundaries the Codex CLI sends (0 ms .. 2 min)', async () => {
    t = createTestCodexMetrics({ defaults });
    t.metrics.record('api_request.duration_ms', 812, { status: 200, success: true });
    t.metrics.record('turn.e2e_duration_ms', 25 * 60_000);
    const points = await t.snapshot();
    const api = points.find((p) => p.name === 'codex.api_request.duration_ms')!;
    expect(api).toMatchObject({ kind: 'histogram', unit: 'ms', count: 1, sum: 812 });
    expect(api.boundaries).toEqual(HISTOGRAM_BUCKETS.duration.boundaries);
    expect(api.boundaries).toHaveLength(34);
    const turn = points.find((p) => p.name === 'codex.turn.e2e_duration_ms')!;
    expect(turn.attributes).toEqual(defaults);
    // 25 min is past Codex's last boundary (120000 ms): the overflow bucket, as in Codex's own data.
    expect(turn.buckets!.at(-1)).toBe(1);
  });

  it('fills missing default tags with unknown', async () => {
    t = createTestCodexMetrics({ defaults: { model: 'o3' } });
    t.metrics.add('status_line');
    const [p] = await t.snapshot();
    expect(p.attributes).toEqual({ auth_mode: 'unknown', originator: 'unknown', session_source: 'unknown', model: 'o3', 'app.version': 'unknown' });
  });

  it('lets a documented field win over the default tag of the same key', async () => {
    t = createTestCodexMetrics({ defaults });
    t.metrics.add('windows_sandbox.setup_success', { originator: 'codex_vscode', mode: 'elevated' });
    const [p] = await t.snapshot();
    expect(p.attributes.originator).toBe('codex_vscode');
    expect(p.attributes.model).toBe('gpt-5.1-codex');
  });

  it('withDefaults overrides some defaults and shares instruments', async () => {
    t = createTestCodexMetrics({ defaults });
    const turn = t.metrics.withDefaults({ model: 'o4-mini' });
    turn.add('tool.call', { tool: 'shell', success: true });
    t.metrics.add('tool.call', { tool: 'shell', success: true });
    expect(t.metrics.withDefaults({ model: 'o4-mini' })).toBe(turn); // same tags, same cached view
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.tool.call');
    expect(points.map((p) => p.attributes.model).sort()).toEqual(['gpt-5.1-codex', 'o4-mini']);
    expect(points.every((p) => p.attributes.auth_mode === 'ApiKey' && p.value === 1)).toBe(true);
  });

  it('optional fields may be omitted or given', async () => {
    t = createTestCodexMetrics({ defaults, strict: true });
    t.metrics.add('mcp.call', { status: 'blocked' });
    t.metrics.add('mcp.call', { status: 'ok', tool: 'search', connector_id: 'c1', connector_name: 'github' });
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.mcp.call');
    expect(points).toHaveLength(2);
    expect(points.find((p) => p.attributes.status === 'blocked')!.attributes).not.toHaveProperty('tool');
  });

  it('timers record elapsed whole milliseconds with fields from start and stop', async () => {
    t = createTestCodexMetrics({ defaults, strict: true });
    const stop = t.metrics.startTimer('tool.call.duration_ms', { tool: 'shell' });
    await new Promise((r) => setTimeout(r, 15));
    const ms = stop({ success: true });
    expect(ms).toBeGreaterThanOrEqual(14);
    expect(Number.isInteger(ms)).toBe(true);
    expect(stop({ success: false })).toBe(ms); // a timer records once
    const [p] = (await t.snapshot()).filter((x) => x.name === 'codex.tool.call.duration_ms');
    expect(p).toMatchObject({ count: 1, sum: ms, attributes: { ...defaults, tool: 'shell', success: 'true' } });
  });

  it('honours a custom prefix, including none', async () => {
    t = createTestCodexMetrics({ defaults, prefix: '' });
    t.metrics.add('task.review');
    expect((await t.snapshot())[0].name).toBe('task.review');
  });

  it('works on a host-provided MeterProvider without aggregating in the package', async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    const m = createCodexMetrics({ defaults, meterProvider: provider, aggregateInPackage: false });
    m.add('thread.started', { is_git: true, is_worktree: 'false' });
    m.add('thread.started', { is_git: true, is_worktree: 'false' });
    const { resourceMetrics } = await reader.collect();
    expect(resourceMetrics.scopeMetrics[0].scope.name).toBe('codex');
    expect(flattenResourceMetrics(resourceMetrics)).toEqual([
      expect.objectContaining({ name: 'codex.thread.started', value: 2, attributes: { ...defaults, is_git: 'true', is_worktree: 'false' } }),
    ]);
    await provider.shutdown();
  });

  it('defaults to the global MeterProvider the host registered', async () => {
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    otelMetrics.setGlobalMeterProvider(provider);
    try {
      const m = createCodexMetrics({ defaults });
      m.add('thread.rename');
      m.add('thread.rename');
      const { resourceMetrics } = await reader.collect();
      expect(flattenResourceMetrics(resourceMetrics)).toEqual([expect.objectContaining({ name: 'codex.thread.rename', value: 2 })]);
    } finally {
      otelMetrics.disable();
      await provider.shutdown();
    }
  });

  it('every catalog metric can be recorded with its documented fields', async () => {
    t = createTestCodexMetrics({ defaults, strict: true });
    const m = t.metrics as unknown as { add(n: string, f: object): void; record(n: string, v: number, f: object): void };
    for (const spec of METRICS) {
      const fields: Record<string, unknown> = {};
      for (const f of spec.required) {
        const fs = spec.fields[f];
        fields[f] = fs.type === 'boolean' ? true : fs.type === 'int' ? 1 : (fs.values?.[0] ?? 'x');
      }
      if (spec.kind === 'counter') m.add(spec.name, fields);
      else m.record(spec.name, 5, fields);
    }
    const names = new Set((await t.snapshot()).map((p) => p.name));
    expect(names.size).toBe(METRICS.length);
    expect(t.metrics.stats()).toEqual({ dropped: {}, sanitized: {} });
  });
});

describe('a global MeterProvider registered after createCodexMetrics()', () => {
  it('records once the provider is registered, warning once (diag) and counting what was dropped before', async () => {
    const warnings: string[] = [];
    const logger: DiagLogger = { error: () => {}, warn: (m) => warnings.push(m), info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    const reader = new ManualReader();
    const provider = new MeterProvider({ readers: [reader] });
    try {
      // As a host does when it creates the metrics before NodeSDK.start().
      const m = createCodexMetrics({ defaults });
      m.add('thread.rename');
      m.record('turn.e2e_duration_ms', 5);
      m.add('thread.rename');
      expect(m.stats().dropped.no_meter_provider).toBe(3);
      expect(warnings.filter((w) => /no global MeterProvider/.test(w))).toHaveLength(1);

      otelMetrics.setGlobalMeterProvider(provider);
      m.add('thread.rename');
      m.add('thread.rename', undefined, 2);
      m.withDefaults({ model: 'o3' }).record('turn.e2e_duration_ms', 5);
      const points = flattenResourceMetrics((await reader.collect()).resourceMetrics);
      expect(points.map((p) => [p.name, p.value ?? p.count])).toEqual([
        ['codex.thread.rename', 3],
        ['codex.turn.e2e_duration_ms', 1],
      ]);
      expect(m.stats().dropped.no_meter_provider).toBe(3);
      expect(warnings.filter((w) => /no global MeterProvider/.test(w))).toHaveLength(1);
    } finally {
      otelMetrics.disable();
      diag.disable();
      await provider.shutdown();
    }
  });

  it('an explicit provider or a producer needs no global one', async () => {
    const producer = new CodexMetricProducer();
    const reader = new ManualReader({ metricProducers: [producer] });
    const provider = new MeterProvider({ readers: [reader] });
    const m = createCodexMetrics({ defaults, metricProducer: producer });
    m.add('thread.rename');
    expect(flattenResourceMetrics((await reader.collect()).resourceMetrics)).toEqual([expect.objectContaining({ name: 'codex.thread.rename', value: 1 })]);
    expect(m.stats()).toEqual({ dropped: {}, sanitized: {} });
    await provider.shutdown();
  });
});

describe('detached methods', () => {
  it('work without their object and never throw in lenient mode', async () => {
    t = createTestCodexMetrics({ defaults });
    const { add, record, startTimer, withDefaults, stats, flush } = t.metrics;
    add('api_request', { status: 200, success: true });
    record('api_request.duration_ms', 5, { status: 200, success: true });
    startTimer('tool.call.duration_ms', { tool: 'shell' })({ success: true });
    const { add: addTurn } = withDefaults({ model: 'o3' });
    addTurn('thread.rename');
    flush();
    (add as (...args: unknown[]) => void)('nope');
    const calls = [add, record, startTimer, withDefaults, stats, flush] as ((...args: unknown[]) => unknown)[];
    for (const call of calls) expect(() => call.call(undefined, Symbol('not a name'), 'not fields', {})).not.toThrow();
    const names = (await t.snapshot()).map((p) => `${p.name} ${p.attributes.model}`);
    expect(names).toEqual(['codex.api_request gpt-5.1-codex', 'codex.api_request.duration_ms gpt-5.1-codex', 'codex.thread.rename o3', 'codex.tool.call.duration_ms gpt-5.1-codex']);
    expect(stats().dropped.unknown_metric).toBe(4); // 'nope', and the symbol given to add, record and startTimer
  });
});

describe('one fields object reused and changed between calls (the fast path caches by value, never by object)', () => {
  const series = (points: { attributes: Record<string, unknown>; value?: number }[]) =>
    Object.fromEntries(points.map((p) => [`${p.attributes.status}/${p.attributes.success}`, p.value]));

  /** The API without its compile-time checks: these calls are what the types forbid. */
  type Loose = { add(name: string, fields?: unknown): void };

  it('lenient: each call is judged by what the object holds at that call', async () => {
    t = createTestCodexMetrics({ defaults });
    const metrics = t.metrics as unknown as Loose;
    const view = t.metrics.withDefaults({ model: 'o3' }) as unknown as Loose;
    const fields: Record<string | symbol, unknown> = { status: 200, success: true };
    const add = () => metrics.add('api_request', fields);
    add();
    add(); // cached
    fields.status = 201; // another series, in the integer array's window
    add();
    fields.status = 200.5; // not an integer: repaired and counted, every time
    add();
    add();
    fields.status = '200'; // another spelling of the first series
    add();
    fields.status = -0; // the series "0"
    add();
    fields.status = 200;
    fields.extra = 1; // an undocumented field after the object was cached
    add();
    add();
    delete fields.extra;
    fields[Symbol('ignored')] = 1; // symbols are not fields (Object.keys and for…in skip them alike)
    add();
    delete fields.success; // a required field goes missing
    add();
    fields.success = true;
    Object.freeze(fields);
    add();
    view.add('api_request', fields); // another view's cache, same object
    const getter = Object.defineProperty({ success: true }, 'status', { get: () => 201, enumerable: true });
    add.call(undefined);
    metrics.add('api_request', getter);
    metrics.add('api_request', getter);
    const points = await t.snapshot();
    const mine = series(points.filter((p) => p.attributes.model === defaults.model));
    expect(mine).toEqual({ '200/true': 8, '201/true': 3, '200.5/true': 2, '0/true': 1, '200/unknown': 1 });
    expect(series(points.filter((p) => p.attributes.model === 'o3'))).toEqual({ '200/true': 1 });
    expect(t.metrics.stats().sanitized).toEqual({ wrong_type: 2, unknown_field: 2, missing_field: 1 });
  });

  it('strict: an undocumented field added to a cached object throws at that call', () => {
    const m = createCodexMetrics({ defaults, strict: true, metricProducer: new CodexMetricProducer() }) as unknown as Loose;
    const fields: Record<string, unknown> = { status: 200, success: true };
    m.add('api_request', fields);
    m.add('api_request', fields);
    fields.extra = 1;
    expect(() => m.add('api_request', fields)).toThrow(/extra/);
    delete fields.extra;
    fields.status = 200.5;
    expect(() => m.add('api_request', fields)).toThrow(/integer/);
    fields.status = 201;
    expect(() => m.add('api_request', fields)).not.toThrow();
  });
});

describe('histogramBuckets', () => {
  it('chooses the boundaries through bucketsFor, on the producer and the SDK path alike', async () => {
    for (const histogramBuckets of ['codex', 'wide'] as const) {
      for (const aggregateInPackage of [true, false]) {
        t = createTestCodexMetrics({ defaults, histogramBuckets, aggregateInPackage });
        t.metrics.record('api_request.duration_ms', 5, { status: 200, success: true });
        const [point] = await t.snapshot();
        const spec = METRICS.find((m) => m.name === 'api_request.duration_ms')!;
        expect(point.boundaries).toEqual(bucketsFor(spec, histogramBuckets));
        await t.shutdown();
      }
    }
    const spec = METRICS.find((m) => m.name === 'api_request.duration_ms')!;
    expect(bucketsFor(spec, 'codex')).toEqual(HISTOGRAM_BUCKETS.duration.boundaries);
    expect(bucketsFor(spec, 'wide')).toEqual(spec.buckets!.wide);
  });

  it('rejects an unknown choice', () => {
    expect(() => createCodexMetrics({ histogramBuckets: 'narrow' as 'wide' })).toThrow(/histogramBuckets/);
  });
});

describe('CodexMetricProducer on a reader the host creates', () => {
  it.each([AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA])('exports counters and histograms with the reader (temporality %s)', async (temporality) => {
    const exporter = new InMemoryMetricExporter(temporality);
    const producer = new CodexMetricProducer({ temporality: temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative' });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000, metricProducers: [producer] });
    const provider = new MeterProvider({ readers: [reader] });
    // The host's own instruments keep working beside it.
    provider.getMeter('host').createCounter('host.requests').add(1);
    const m = createCodexMetrics({ defaults, metricProducer: producer });
    m.add('api_request', { status: 200, success: true }, 2);
    m.record('api_request.duration_ms', 7, { status: 200, success: true });
    await reader.forceFlush();
    const [exported] = exporter.getMetrics();
    await provider.shutdown();
    const scopes = exported.scopeMetrics;
    expect(scopes.map((s) => s.scope.name).sort()).toEqual(['codex', 'host']);
    const codex = flattenResourceMetrics({ resource: exported.resource, scopeMetrics: scopes.filter((s) => s.scope.name === 'codex') });
    expect(codex.map((p) => [p.name, p.value ?? p.sum])).toEqual([
      ['codex.api_request', 2],
      ['codex.api_request.duration_ms', 7],
    ]);
    expect(new Set(scopes.flatMap((s) => s.metrics.map((x) => x.aggregationTemporality)))).toEqual(new Set([temporality]));
  });

  it('belongs to one metrics object and cannot be combined with aggregateInPackage: false', () => {
    const producer = new CodexMetricProducer();
    createCodexMetrics({ metricProducer: producer });
    expect(() => createCodexMetrics({ metricProducer: producer })).toThrow(/metricProducer/);
    expect(() => createCodexMetrics({ metricProducer: new CodexMetricProducer(), aggregateInPackage: false })).toThrow(/aggregateInPackage/);
    expect(() => new CodexMetricProducer({ temporality: 'lowmemory' as 'delta' })).toThrow(/temporality/);
  });
});

