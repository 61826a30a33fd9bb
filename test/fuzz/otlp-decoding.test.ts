// The receiver's decoders under mutated bodies: every body ends in decoded points or a RequestError
// (400/413 with a code), never another exception; and whatever is accepted stays within the request
// limits. The second property is what makes the wire pre-scan sound: if protobufjs ever read a body
// differently from the scan (a field the scan skipped, a misaligned packed list), more points or
// attributes than counted would come out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMetricsProtobuf } from '../../src/verify/otlp-proto.js';
import { flattenRequest } from '../../src/verify/points.js';
import { RequestError, decodeRequestBody } from '../../src/verify/request-body.js';
import type { RequestLimits } from '../../src/verify/request-limits.js';

const LIMITS: RequestLimits = { maxPointsPerRequest: 6, maxAttributesPerRequest: 12, maxObjectsPerRequest: 60, maxNestingDepth: 2 };
/** `DECODER_FUZZ_RUNS=10000 npx vitest run test/fuzz/otlp-decoding.test.ts` fuzzes longer, without the time limit. */
const RUNS = Number(process.env.DECODER_FUZZ_RUNS ?? 400);
const TIME_LIMIT_MS = process.env.DECODER_FUZZ_RUNS ? 600_000 : 8_000;
const CODES = new Set(['bad_protobuf', 'bad_json', 'too_many_points', 'too_many_attributes', 'too_many_objects', 'too_deep', 'too_large']);

const text = fc.string({ maxLength: 6 });
const anyValue: fc.Arbitrary<Record<string, unknown>> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: text }),
    fc.record({ intValue: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 3 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: text, value: tie('value') }), { maxLength: 3 }) }) }),
  ),
})).value as fc.Arbitrary<Record<string, unknown>>;
const attributes = fc.array(fc.record({ key: text, value: anyValue }), { maxLength: 4 });
const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const numberPoint = fc.record(
  { attributes, timeUnixNano: nanos, asInt: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), exemplars: fc.array(fc.record({ asDouble: fc.double() }), { maxLength: 2 }) },
  { requiredKeys: [] },
);
const histogramPoint = fc.record(
  { attributes, count: nanos, bucketCounts: fc.array(nanos, { maxLength: 4 }), explicitBounds: fc.array(fc.double(), { maxLength: 3 }), sum: fc.double() },
  { requiredKeys: [] },
);
const metric = fc.oneof(
  fc.record({ name: text, unit: text, sum: fc.record({ dataPoints: fc.array(numberPoint, { maxLength: 4 }), aggregationTemporality: fc.constantFrom(0, 1, 2), isMonotonic: fc.boolean() }) }),
  fc.record({ name: text, gauge: fc.record({ dataPoints: fc.array(numberPoint, { maxLength: 4 }) }) }),
  fc.record({ name: text, histogram: fc.record({ dataPoints: fc.array(histogramPoint, { maxLength: 3 }), aggregationTemporality: fc.constantFrom(1, 2) }) }),
);
const otlpRequest = fc.record({
  resourceMetrics: fc.array(fc.record({ resource: fc.record({ attributes }), scopeMetrics: fc.array(fc.record({ metrics: fc.array(metric, { maxLength: 3 }) }), { maxLength: 2 }) }), { maxLength: 2 }),
});

type Mutation = { op: 'flip'; at: number; byte: number } | { op: 'insert'; at: number; bytes: Uint8Array } | { op: 'delete'; at: number; length: number } | { op: 'copy'; from: number; to: number; length: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(body: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(body);
  for (const m of mutations) {
    const at = (n: number) => (bytes.length === 0 ? 0 : n % (bytes.length + 1));
    if (m.op === 'flip' && bytes.length > 0) bytes[m.at % bytes.length] = m.byte;
    else if (m.op === 'insert') bytes = Buffer.concat([bytes.subarray(0, at(m.at)), m.bytes, bytes.subarray(at(m.at))]);
    else if (m.op === 'delete') bytes = Buffer.concat([bytes.subarray(0, at(m.at)), bytes.subarray(at(m.at) + m.length)]);
    else if (m.op === 'copy') {
      const from = at(m.from);
      bytes = Buffer.concat([bytes.subarray(0, at(m.to)), bytes.subarray(from, from + m.length), bytes.subarray(at(m.to))]);
    }
  }
  return bytes;
}

/** Decodes, and checks the outcome: a RequestError with a known code, or points within the limits. */
async function decodeWithinLimits(body: Buffer, contentType: string): Promise<'accepted' | 'rejected'> {
  let decoded;
  try {
    decoded = await decodeRequestBody({ contentType, contentEncoding: undefined, body, maxBytes: 1 << 20, limits: LIMITS });
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
    expect(CODES.has(err.code), `${err.code}: ${err.message}`).toBe(true);
    expect([400, 413]).toContain(err.status);
    return 'rejected';
  }
  const points = flattenRequest(decoded, { contentType, requestIndex: 0 });
  expect(points.length).toBeLessThanOrEqual(LIMITS.maxPointsPerRequest);
  const pointAttributes = points.reduce((n, p) => n + countAttributes(p.attributes), 0);
  expect(pointAttributes).toBeLessThanOrEqual(LIMITS.maxAttributesPerRequest);
  return 'accepted';
}

/** Key-value pairs and array elements, nested ones included. */
function countAttributes(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + 1 + countNested(v), 0);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) return Object.values(value).reduce((n: number, v) => n + 1 + countNested(v), 0);
  return 0;
}

function countNested(value: unknown): number {
  return value && typeof value === 'object' && !(value instanceof Uint8Array) ? countAttributes(value) : 0;
}

const budget = { numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false };

describe('decoder fuzz', () => {
  it('mutated protobuf bodies are decoded within the limits or rejected with a code', async () => {
    const outcomes = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(otlpRequest, fc.array(mutation, { maxLength: 4 }), async (request, mutations) => {
        outcomes[await decodeWithinLimits(mutate(encodeMetricsProtobuf(request), mutations), 'application/x-protobuf')]++;
      }),
      budget,
    );
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  }, TIME_LIMIT_MS + 60_000);

  it('mutated OTLP/JSON bodies end the same way', async () => {
    const outcomes = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(otlpRequest, fc.array(mutation, { maxLength: 3 }), async (request, mutations) => {
        const json = Buffer.from(JSON.stringify(request));
        outcomes[await decodeWithinLimits(mutate(json, mutations), 'application/json')]++;
      }),
      budget,
    );
    expect(outcomes.accepted).toBeGreaterThan(0);
    expect(outcomes.rejected).toBeGreaterThan(0);
  }, TIME_LIMIT_MS + 60_000);
});
