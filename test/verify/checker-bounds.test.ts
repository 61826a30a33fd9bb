// The checker's state is bounded whatever the stream: distinct violations, tracked series and
// listed metric names are capped (what does not fit is counted in `dropped`), echoed wire text is
// cut, the did-you-mean work is bounded, and non-finite numbers are flagged.
import { describe, expect, it } from 'vitest';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ConformanceCheckerOptions } from '../../src/verify/checker.js';
import { closestName, editDistance } from '../../src/verify/did-you-mean.js';
import type { Attributes, ReceivedPoint } from '../../src/verify/points.js';
import { DEFAULT_TAGS, METRICS } from '../../src/generated/catalog.js';
import { DEFAULTS } from './payloads.js';

const OK = { ...DEFAULTS, status: '200', success: 'true' };

function point(overrides: Partial<ReceivedPoint> & { attributes?: Attributes } = {}): ReceivedPoint {
  return {
    metric: 'codex.api_request',
    description: '',
    unit: '1',
    kind: 'counter',
    temporality: 'cumulative',
    monotonic: true,
    attributes: { ...OK },
    value: 1,
    valueType: 'int',
    startTimeUnixNano: '1',
    timeUnixNano: '2',
    resource: {},
    scopeName: 'codex',
    contentType: 'application/x-protobuf',
    requestIndex: 0,
    ...overrides,
  };
}

const checker = (options: Partial<ConformanceCheckerOptions> = {}) => createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS, ...options });

describe('distinct violations are capped; past the cap they are counted as dropped', () => {
  it('keeps maxDistinctViolations, counts every later new one, and still counts repeats of kept ones', () => {
    const c = checker({ maxDistinctViolations: 10 });
    const points = Array.from({ length: 25 }, (_, i) => point({ attributes: { ...OK, [`extra_${i}`]: 'x' } }));
    const returned = c.check([...points, ...points]);
    const report = c.report();
    expect(report.violations).toHaveLength(10);
    expect(report.violations.every((v) => v.code === 'undocumented_field' && v.count === 2)).toBe(true);
    expect(report.dropped).toEqual({ violations: 30, metricNames: 0, monotonicChecks: 0 });
    expect(report.ok).toBe(false);
    // Only tallied violations are returned (the first 10 keys, twice each).
    expect(returned).toHaveLength(20);
  });

  it('3 × 50,000 distinct undocumented keys keep the tally at the default 1,000 (test/security runs 3 × 350,000)', () => {
    const c = checker();
    for (let request = 0; request < 3; request++) {
      // Null-prototype attributes, as the receiver builds them.
      const attributes: Attributes = Object.assign(Object.create(null) as Attributes, OK);
      for (let i = 0; i < 50_000; i++) attributes[`k${request}_${i}`] = 'v';
      c.check([point({ attributes })]);
    }
    const report = c.report();
    expect(report.violations).toHaveLength(1_000);
    expect(report.dropped.violations).toBe(3 * 50_000 - 1_000);
    expect(report.pointsChecked).toBe(3);
    expect(JSON.stringify(report).length).toBeLessThan(1_000 * 400);
  }, 60_000);

  it('check() returns every first occurrence but at most maxViolationsPerCheck repeats; the counts are complete', () => {
    const c = checker({ maxViolationsPerCheck: 5 });
    const { auth_mode: _, ...noAuth } = OK;
    const points = [...Array.from({ length: 20 }, () => point({ attributes: noAuth })), point({ metric: 'codex.nope' })];
    const returned = c.check(points);
    expect(returned.map((v) => v.code)).toEqual(['missing_default_tag', 'missing_default_tag', 'missing_default_tag', 'missing_default_tag', 'missing_default_tag', 'unknown_metric']);
    expect(c.report().violations.map((v) => [v.code, v.count])).toEqual([
      ['missing_default_tag', 20],
      ['unknown_metric', 1],
    ]);
  });
});

describe('per-series state is capped', () => {
  it('tracks maxSeries series; points of further series are counted as not checked', () => {
    const c = checker({ maxSeries: 3 });
    const series = (i: number, value: number, time: string) => point({ attributes: { ...OK, status: String(200 + i) }, value, timeUnixNano: time });
    c.check([0, 1, 2, 3, 4].map((i) => series(i, 10, '2')));
    // Series 0 goes down and is caught; series 4 goes down too but was never tracked.
    const violations = c.check([series(0, 5, '3'), series(4, 5, '3')]);
    expect(violations.map((v) => v.code)).toEqual(['non_monotonic']);
    expect(c.report().dropped.monotonicChecks).toBe(3);
  });

  it('series with long attribute values are stored under a bounded key and still compared', () => {
    const c = checker();
    const long = 'a'.repeat(100_000);
    c.check([point({ attributes: { ...OK, model: long }, value: 10, timeUnixNano: '2' })]);
    const violations = c.check([point({ attributes: { ...OK, model: long }, value: 3, timeUnixNano: '3' })]);
    expect(violations.map((v) => v.code)).toContain('non_monotonic');
  });
});

describe('metricsSeen is capped', () => {
  it('lists maxMetricsSeen names and counts the points of further ones', () => {
    const c = checker({ maxMetricsSeen: 2 });
    c.check(['codex.a', 'codex.b', 'codex.c', 'codex.a', 'codex.d'].map((metric) => point({ metric })));
    expect(c.report().metricsSeen).toEqual(['codex.a', 'codex.b']);
    expect(c.report().dropped.metricNames).toBe(2);
  });
});

describe('echoed wire text and did-you-mean work are bounded', () => {
  it('a 1 MiB unknown metric name is checked at once and echoed cut, with its length', () => {
    const c = checker();
    const name = `codex.${'x'.repeat(1 << 20)}`;
    const violations = c.check(Array.from({ length: 1_000 }, () => point({ metric: name })));
    expect(violations).toHaveLength(1_000);
    const report = c.report();
    expect(report.violations).toHaveLength(1);
    const [v] = report.violations;
    expect(v).toMatchObject({ code: 'unknown_metric', count: 1_000 });
    expect(v.suggestion).toBeUndefined();
    expect(v.metric).toMatch(/^codex\.x+…\[1048582 chars\]$/);
    expect(v.metric.length).toBeLessThan(300);
    expect(v.message.length).toBeLessThan(400);
    expect(report.metricsSeen[0]).toBe(v.metric);
    expect(JSON.stringify(report).length).toBeLessThan(2_000);
  });

  it('a 1 MiB attribute key and a 1 MiB unit are echoed cut in field, message and report', () => {
    const c = checker();
    const key = `k${'y'.repeat(1 << 20)}`;
    c.check([point({ attributes: { ...OK, [key]: 'v' }, unit: 'u'.repeat(1 << 20) })]);
    const report = c.report();
    expect(report.violations.map((v) => v.code)).toEqual(['undocumented_field', 'wrong_unit']);
    for (const v of report.violations) {
      expect(v.message.length).toBeLessThanOrEqual(1_100);
      expect(v.message).toMatch(/…\[\d+ chars\]/);
      expect((v.field ?? '').length).toBeLessThan(300);
    }
  });

  it('editDistance stops at max; closestName gives up on names longer than 256 characters', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
    expect(editDistance('a'.repeat(1_000), 'b', 5)).toBe(6);
    expect(closestName('codex.tool_call', ['codex.tool.call', 'codex.api_request'])).toBe('codex.tool.call');
    expect(closestName('a'.repeat(257), ['a'.repeat(257)])).toBeUndefined();
    // A 1 MiB name against every registry name ends at the length check (it took 47 s before).
    expect(closestName('x'.repeat(1 << 20), METRICS.map((m) => `codex.${m.name}`))).toBeUndefined();
    expect(closestName(`codex.${'api_request'.repeat(20)}`, METRICS.map((m) => `codex.${m.name}`))).toBeUndefined();
  });
});

describe('invalid_number', () => {
  it.each([
    ['a NaN counter', point({ value: NaN, valueType: 'double' }), 'value'],
    ['an Infinity counter', point({ value: Infinity, valueType: 'double' }), 'value'],
    ['a histogram with a NaN sum', point({ metric: 'codex.api_request.duration_ms', unit: 'ms', kind: 'histogram', value: undefined, count: 1, sum: NaN, bucketCounts: [1], explicitBounds: [] }), 'sum'],
    ['a histogram with -Infinity min', point({ metric: 'codex.api_request.duration_ms', unit: 'ms', kind: 'histogram', value: undefined, count: 1, sum: 1, min: -Infinity, bucketCounts: [1], explicitBounds: [] }), 'min'],
  ])('%s is flagged, and never compared for monotonicity', (_label, p, what) => {
    const c = checker({ histogramBuckets: 'any' });
    c.check([point({ value: 5, timeUnixNano: '1' })]);
    const violations = c.check([p]);
    expect(violations.map((v) => [v.code, v.message])).toEqual([['invalid_number', `${p.metric} ${what} is not a finite number`]]);
    expect(c.report().ok).toBe(false);
  });
});
