// The checker rules that follow the real Codex CLI's wire: default tags per metric scope, units that
// name the same Prometheus series, Codex's bucket boundaries, retired metrics.
import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../src/catalog/spec.js';
import { HISTOGRAM_BUCKETS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker, sameUnit } from '../../src/verify/checker.js';
import type { ReceivedPoint } from '../../src/verify/points.js';

const DEFAULTS = { auth_mode: 'ApiKey', originator: 'codex_exec', session_source: 'exec', model: 'm', 'app.version': '0.171.0' };

function spec(name: string, over: Partial<MetricSpec>): MetricSpec {
  return { name, kind: 'counter', unit: '1', tags: 'session', description: name, section: 's', required: [], optional: [], fields: {}, ...over };
}

function point(metric: string, over: Partial<ReceivedPoint>): ReceivedPoint {
  return {
    metric,
    description: '',
    unit: '',
    kind: 'counter',
    temporality: 'delta',
    attributes: Object.assign(Object.create(null), DEFAULTS),
    value: 1,
    startTimeUnixNano: '1',
    timeUnixNano: '2',
    resource: Object.create(null),
    scopeName: 'codex',
    contentType: 'application/json',
    requestIndex: 0,
    ...over,
  };
}

const codes = (specs: MetricSpec[], points: ReceivedPoint[], options = {}) => {
  const checker = createConformanceChecker({ specs, retired: RETIRED_METRICS, ...options });
  checker.check(points);
  return checker.report().violations.map((v) => [v.code, v.metric, v.field ?? null]);
};

describe('default tags follow the metric scope', () => {
  const specs = [spec('s', { tags: 'session' }), spec('o', { tags: 'originator' }), spec('n', { tags: 'none' })];
  const bare = Object.create(null);

  it('session metrics need all five, originator-scoped ones only originator, global ones none', () => {
    const points = ['codex.s', 'codex.o', 'codex.n'].map((m) => point(m, { attributes: bare }));
    expect(codes(specs, points)).toEqual([
      ['missing_default_tag', 'codex.o', 'originator'],
      ['missing_default_tag', 'codex.s', 'app.version'],
      ['missing_default_tag', 'codex.s', 'auth_mode'],
      ['missing_default_tag', 'codex.s', 'model'],
      ['missing_default_tag', 'codex.s', 'originator'],
      ['missing_default_tag', 'codex.s', 'session_source'],
    ]);
  });

  it('accepts all five on any metric: this package attaches them everywhere', () => {
    expect(codes(specs, ['codex.s', 'codex.o', 'codex.n'].map((m) => point(m, {})))).toEqual([]);
  });
});

describe('units', () => {
  it('treat no unit, `1` and annotations as one dimensionless unit, and nothing else', () => {
    for (const [a, b] of [['', '1'], ['', '{token}'], ['1', '{call}'], ['ms', 'ms']]) expect(sameUnit(a, b), `${a} ${b}`).toBe(true);
    for (const [a, b] of [['', 'ms'], ['s', 'ms'], ['By', '{byte}'], ['ms', '1']]) expect(sameUnit(a, b), `${a} ${b}`).toBe(false);
  });
});

describe('histogram bucket boundaries', () => {
  const duration = HISTOGRAM_BUCKETS.duration;
  const specs = [spec('h', { kind: 'histogram', unit: 'ms', buckets: duration })];
  const histogram = (bounds: readonly number[]) =>
    point('codex.h', { kind: 'histogram', unit: 'ms', value: undefined, count: 1, sum: 1, explicitBounds: bounds, bucketCounts: bounds.map(() => 0).concat(1) });

  it("must be Codex's by default, the wide set with histogramBuckets 'wide', anything with 'any'", () => {
    expect(codes(specs, [histogram(duration.boundaries)])).toEqual([]);
    expect(codes(specs, [histogram(duration.wide)])).toEqual([['wrong_buckets', 'codex.h', null]]);
    expect(codes(specs, [histogram(duration.wide)], { histogramBuckets: 'wide' })).toEqual([]);
    expect(codes(specs, [histogram(duration.boundaries)], { histogramBuckets: 'wide' })).toEqual([['wrong_buckets', 'codex.h', null]]);
    expect(codes(specs, [histogram([1, 2, 3])], { histogramBuckets: 'any' })).toEqual([]);
  });

  it('compare every boundary exactly (one changed bound is reported)', () => {
    const bounds = [...duration.boundaries];
    bounds[5] += 0.5;
    expect(codes(specs, [histogram(bounds)])).toEqual([['wrong_buckets', 'codex.h', null]]);
  });
});

describe('retired metrics', () => {
  it('are reported with their replacement rather than as unknown noise', () => {
    const checker = createConformanceChecker({ specs: [spec('cloud_config_bundle.load', {})], retired: RETIRED_METRICS });
    const [v] = checker.check([point('codex.cloud_requirements.load', {}), point('codex.model_warning', {})]);
    expect(v).toMatchObject({ code: 'unknown_metric', suggestion: 'codex.cloud_config_bundle.load' });
    expect(v.message).toContain('retired (renamed); it is now codex.cloud_config_bundle.load');
    expect(checker.report().violations.find((x) => x.metric === 'codex.model_warning')!.message).toContain('retired (not sent)');
  });
});
