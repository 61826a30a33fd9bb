// Histogram structure (issue #21): bucket counts that do not fit the bounds (3 counts for 34
// bounds), counts that do not add up to `count`, and min > max used to pass verify. Each is now a
// violation of its own (histogram-structure.ts), decoded as the receiver and --file decode them.
import { describe, expect, it } from 'vitest';
import { METRICS, DEFAULT_TAGS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import { histogramStructure } from '../../src/verify/histogram-structure.js';
import { flattenRequest } from '../../src/verify/points.js';
import { decodeRequestBody } from '../../src/verify/request-body.js';
import { VIOLATION_CODES } from '../../src/verify/violations.js';
import { DEFAULTS, request } from './payloads.js';

/** The 34 bounds Codex sends for durations. */
const BOUNDS = METRICS.find((m) => m.name === 'turn.e2e_duration_ms')!.buckets!.boundaries;

function histogramRequest(point: { count: number; bucketCounts: number[]; bounds?: readonly number[]; min?: number; max?: number }) {
  return request({
    name: 'codex.turn.e2e_duration_ms',
    unit: 'ms',
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [
        {
          attributes: Object.entries(DEFAULTS).map(([key, value]) => ({ key, value: { stringValue: value } })),
          startTimeUnixNano: '1700000000000000000',
          timeUnixNano: '1700000001000000000',
          count: String(point.count),
          sum: 10,
          bucketCounts: point.bucketCounts.map(String),
          explicitBounds: [...(point.bounds ?? BOUNDS)],
          ...(point.min !== undefined ? { min: point.min } : {}),
          ...(point.max !== undefined ? { max: point.max } : {}),
        },
      ],
    },
  });
}

/** Decoded from OTLP/JSON text as the receiver decodes it, then checked against the real registry. */
async function violations(body: ReturnType<typeof histogramRequest>) {
  const decoded = await decodeRequestBody({ contentType: 'application/json', contentEncoding: undefined, body: Buffer.from(JSON.stringify(body)), maxBytes: 1 << 20 });
  const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });
  checker.check(flattenRequest(decoded, { contentType: 'application/json', requestIndex: 0 }));
  return checker.report().violations.map((v) => [v.code, v.message]);
}

const valid = () => [1, 1, ...new Array<number>(BOUNDS.length - 1).fill(0)];

describe('histogram structure violations', () => {
  it('the codes exist', () => {
    expect(VIOLATION_CODES).toEqual(expect.arrayContaining(['bucket_count_mismatch', 'count_mismatch', 'min_above_max']));
  });

  it('a valid point has none (and no bucket counts at all is valid OTLP)', async () => {
    expect(await violations(histogramRequest({ count: 2, bucketCounts: valid(), min: 1, max: 7 }))).toEqual([]);
    expect(await violations(histogramRequest({ count: 2, bucketCounts: [] }))).toEqual([]);
  });

  it('3 bucket counts for 34 bounds', async () => {
    expect(await violations(histogramRequest({ count: 3, bucketCounts: [1, 1, 1] }))).toEqual([
      ['bucket_count_mismatch', 'codex.turn.e2e_duration_ms has 3 bucket counts for 34 bounds; OTLP requires 35 (one more than the bounds) or none'],
    ]);
  });

  it('counts that do not add up to count', async () => {
    expect(await violations(histogramRequest({ count: 5, bucketCounts: valid() }))).toEqual([['count_mismatch', 'codex.turn.e2e_duration_ms bucket counts add up to 2 but count is 5']]);
  });

  it('min greater than max', async () => {
    expect(await violations(histogramRequest({ count: 2, bucketCounts: valid(), min: 9, max: 3 }))).toEqual([['min_above_max', 'codex.turn.e2e_duration_ms min 9 is greater than max 3']]);
  });

  it('all three at once, sorted by code; counts past 2^53 are not compared', async () => {
    expect((await violations(histogramRequest({ count: 4, bucketCounts: [1, 1], min: 2, max: 1 }))).map(([code]) => code)).toEqual(['bucket_count_mismatch', 'count_mismatch', 'min_above_max']);
    expect(histogramStructure({ kind: 'histogram', count: 2 ** 60, bucketCounts: [2 ** 60, 0], explicitBounds: [1] } as never)).toEqual([]);
  });
});
