// The Collector model (test/e2e/collector-model.ts) against the rules it cites: deltatocumulative's
// stream identity, older-start and out-of-order drops, max_streams and max_stale; the prometheus
// exporter's series identity (job + instance only), resets, metric_expiration, target_info and
// resource_to_telemetry_conversion; the resource and transform processors of the shipped recipe.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Attributes, ReceivedPoint } from '../../src/verify/points.js';
import { CollectorModel, durationMs, fromCollectorConfig, type CollectorModelConfig } from '../e2e/collector-model.js';

const RECIPE = readFileSync('examples/otel-collector.yaml', 'utf8');
const CODEX = { 'service.name': 'codex_exec', 'service.version': '0.171.0', env: 'dev', os: 'Debian', os_version: '12.0.0' };

function counter(value: number, o: { start: number; time: number; resource?: Attributes; attributes?: Attributes; temporality?: 'delta' | 'cumulative' }): ReceivedPoint {
  return {
    metric: 'codex.api_request',
    description: '',
    unit: '',
    kind: 'counter',
    monotonic: true,
    temporality: o.temporality ?? 'delta',
    attributes: o.attributes ?? { status: '200', success: 'true' },
    value,
    valueType: 'int',
    startTimeUnixNano: String(BigInt(o.start) * 1_000_000_000n),
    timeUnixNano: String(BigInt(o.time) * 1_000_000_000n),
    resource: o.resource ?? CODEX,
    scopeName: 'codex',
    contentType: 'application/json',
    requestIndex: 0,
  };
}

function model(config: Partial<CollectorModelConfig> = {}, clock = { now: 0 }): CollectorModel {
  return new CollectorModel({ naming: 'collector', deltaToCumulative: { maxStaleMs: 300_000, maxStreams: 0 }, now: () => clock.now, ...config });
}

/** `name{labels} value` lines of a scrape, labels as given. */
function samples(m: CollectorModel, name = 'codex_api_request_total'): string[] {
  return m
    .render()
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('deltatocumulative (model)', () => {
  it('adds the deltas of one stream; one writer whose points chain', () => {
    const m = model();
    m.receive([counter(2, { start: 0, time: 10 })]);
    m.receive([counter(3, { start: 10, time: 20 })]);
    expect(samples(m)).toEqual(['codex_api_request_total{job="codex_exec",otel_scope_name="codex",status="200",success="true"} 5']);
  });

  it('two processes with the same resource write one stream: later starts are added, an older start is dropped (ErrOlderStart)', () => {
    const m = model();
    m.receive([counter(2, { start: 5, time: 10 })]); // B started at 5, exported first
    m.receive([counter(4, { start: 0, time: 12 })]); // A started at 0: older than the stream
    m.receive([counter(1, { start: 10, time: 14 })]); // B again
    expect(m.stats.olderStart).toBe(1);
    expect(samples(m)[0]).toMatch(/ 3$/);
  });

  it('drops a point not later than the stream (ErrOutOfOrder)', () => {
    const m = model();
    m.receive([counter(2, { start: 0, time: 10 })]);
    m.receive([counter(2, { start: 0, time: 10 })]);
    expect(m.stats.outOfOrder).toBe(1);
  });

  it('max_streams: new streams past the limit are dropped; max_stale: quiet streams are removed and start again', () => {
    const clock = { now: 0 };
    const m = model({ deltaToCumulative: { maxStaleMs: 60_000, maxStreams: 1 } }, clock);
    m.receive([counter(1, { start: 0, time: 1 }), counter(1, { start: 0, time: 1, attributes: { status: '500', success: 'false' } })]);
    expect(m.stats.streamLimit).toBe(1);
    clock.now = 61_000;
    expect(m.trackedStreams()).toBe(0);
    expect(m.stats.staleStreams).toBe(1);
    m.receive([counter(7, { start: 60, time: 61 })]);
    // A new stream: the exporter gets a cumulative point with another start, Prometheus a reset.
    expect(samples(m)[0]).toMatch(/ 7$/);
    expect(m.stats.exporterResets).toBe(1);
  });
});

describe('prometheus exporter (model)', () => {
  it('writers that differ only in resource attributes other than service.* overwrite each other (the fleet bug)', () => {
    const m = model({ deltaToCumulative: undefined });
    const a = { 'service.name': 'agent', os: 'linux' };
    const b = { 'service.name': 'agent', os: 'darwin' };
    m.receive([counter(100, { start: 0, time: 10, temporality: 'cumulative', resource: a })]);
    m.receive([counter(40, { start: 1, time: 11, temporality: 'cumulative', resource: b })]);
    expect(samples(m)).toHaveLength(1);
    expect(samples(m)[0]).toMatch(/ 40$/);
    expect(m.stats.exporterResets).toBe(1);
  });

  it('service.instance.id keeps writers apart as `instance`, and target_info carries the rest of the resource', () => {
    const m = model({ deltaToCumulative: undefined });
    m.receive([counter(100, { start: 0, time: 10, temporality: 'cumulative', resource: { 'service.name': 'agent', 'service.instance.id': 'a', team: 'red' } })]);
    m.receive([counter(40, { start: 1, time: 11, temporality: 'cumulative', resource: { 'service.name': 'agent', 'service.instance.id': 'b', team: 'blue' } })]);
    expect(samples(m)).toEqual([
      'codex_api_request_total{instance="a",job="agent",otel_scope_name="codex",status="200",success="true"} 100',
      'codex_api_request_total{instance="b",job="agent",otel_scope_name="codex",status="200",success="true"} 40',
    ]);
    expect(samples(m, 'target_info').sort()).toEqual(['target_info{instance="a",job="agent",team="red"} 1', 'target_info{instance="b",job="agent",team="blue"} 1']);
  });

  it('no target_info without an instance (Codex without an id)', () => {
    const m = model();
    m.receive([counter(1, { start: 0, time: 1 })]);
    expect(samples(m, 'target_info')).toEqual([]);
  });

  it('a delta sum without deltatocumulative is added only when it starts where the stored point ended', () => {
    const m = model({ deltaToCumulative: undefined });
    m.receive([counter(2, { start: 0, time: 10 })]);
    m.receive([counter(3, { start: 10, time: 20 })]);
    expect(samples(m)[0]).toMatch(/ 5$/);
    m.receive([counter(4, { start: 15, time: 25 })]); // another writer: a reset
    expect(samples(m)[0]).toMatch(/ 4$/);
  });

  it('metric_expiration: a series not updated for that long is no longer served', () => {
    const clock = { now: 0 };
    const m = model({ metricExpirationMs: 60_000 }, clock);
    m.receive([counter(1, { start: 0, time: 1 })]);
    clock.now = 60_001;
    expect(samples(m)).toEqual([]);
    expect(m.stats.expiredSeries).toBe(1);
  });

  it('resource_to_telemetry_conversion: every resource attribute becomes a label, so writers differing in any of them stay apart', () => {
    const m = model({ resourceToTelemetry: true });
    m.receive([counter(1, { start: 0, time: 1, resource: { ...CODEX, os_version: '12.0.0' } })]);
    m.receive([counter(1, { start: 0, time: 1, resource: { ...CODEX, os_version: '13.1.0' } })]);
    const lines = samples(m);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('service_name="codex_exec"');
    expect(lines.map((l) => /os_version="([^"]+)"/.exec(l)?.[1]).sort()).toEqual(['12.0.0', '13.1.0']);
  });
});

describe('the shipped recipe (examples/otel-collector.yaml) through the model', () => {
  it('is fully modelled: every processor and key, in that order', () => {
    const m = fromCollectorConfig(RECIPE);
    expect(m.config).toMatchObject({
      includeMetadata: true,
      replacePattern: { attribute: 'session_source', pattern: '^subagent_thread_spawn_.+$', replacement: 'subagent_thread_spawn' },
      aggregateOnAttributes: true,
      stampDeltaOnArrival: true,
      deltaToCumulative: { maxStaleMs: 30 * 60_000, maxStreams: 200_000 },
      metricExpirationMs: 30 * 60_000,
      resourceToTelemetry: false,
    });
    expect(() => fromCollectorConfig(RECIPE.replace('metric_expiration: 30m', 'metric_expiration: 30m\n    send_timestamps: true'))).toThrow(/send_timestamps is not modelled/);
    expect(() => fromCollectorConfig(RECIPE.replace('[resource/identity, transform/codex, deltatocumulative, batch]', '[batch, resource/identity]'))).toThrow(/after batch/);
  });

  it('gives Codex processes without an id their host address as instance, keeps an id they set, and takes the team header', () => {
    const m = fromCollectorConfig(RECIPE, { now: () => 0 });
    m.receive([counter(1, { start: 0, time: 1 })], { clientAddress: '10.0.0.7', headers: { 'x-codex-team': 'red' } });
    m.receive([counter(1, { start: 0, time: 1, resource: { ...CODEX, 'service.instance.id': 'wrapper-uuid', team: 'blue' } })], {
      clientAddress: '10.0.0.7',
      headers: { 'x-codex-team': 'red' },
    });
    expect(samples(m, 'target_info').sort()).toEqual([
      'target_info{env="dev",instance="10.0.0.7",job="codex_exec",os="Debian",os_version="12.0.0",service_version="0.171.0",team="red"} 1',
      'target_info{env="dev",instance="wrapper-uuid",job="codex_exec",os="Debian",os_version="12.0.0",service_version="0.171.0",team="blue"} 1',
    ]);
  });

  it('folds subagent_thread_spawn_<uuid>_d<n> and adds up what became one point (no out-of-order drop)', () => {
    const m = fromCollectorConfig(RECIPE, { now: () => 0 });
    const spawned = (id: string) => ({ session_source: `subagent_thread_spawn_${id}_d1`, status: '200', success: 'true' });
    m.receive([counter(2, { start: 0, time: 1, attributes: spawned('019a-aaaa') }), counter(3, { start: 0, time: 1, attributes: spawned('019a-bbbb') })], { clientAddress: '10.0.0.7' });
    expect(m.stats.outOfOrder).toBe(0);
    expect(samples(m)).toEqual(['codex_api_request_total{instance="10.0.0.7",job="codex_exec",otel_scope_name="codex",session_source="subagent_thread_spawn",status="200",success="true"} 5']);
  });

  it('adds up overlapping processes of one host that share a stream, where deltatocumulative alone drops the older one', () => {
    // B (started at 5) exports first; A (started at 0, a long `codex exec`) exports once, at exit.
    const traffic = [counter(2, { start: 5, time: 10 }), counter(4, { start: 0, time: 12 }), counter(1, { start: 10, time: 14 })];
    const clock = { now: 0 };
    const recipe = fromCollectorConfig(RECIPE, { now: () => clock.now });
    const without = fromCollectorConfig(RECIPE, { now: () => clock.now, stampDeltaOnArrival: false });
    for (const p of traffic) {
      clock.now += 1000;
      recipe.receive([p], { clientAddress: '10.0.0.7' });
      without.receive([p], { clientAddress: '10.0.0.7' });
    }
    expect(samples(recipe)[0]).toMatch(/ 7$/);
    expect(recipe.stats.olderStart).toBe(0);
    expect(samples(without)[0]).toMatch(/ 3$/);
    expect(without.stats.olderStart).toBe(1);
  });

  it('parses Go durations', () => {
    expect([durationMs('30m'), durationMs('1h30m'), durationMs('500ms'), durationMs('90s')]).toEqual([1_800_000, 5_400_000, 500, 90_000]);
    expect(() => durationMs('soon')).toThrow();
  });
});
