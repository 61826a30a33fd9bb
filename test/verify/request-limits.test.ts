// The receiver's bounds on what one request may make it build or hold: decoded points, attributes,
// objects and nesting (checked on the wire, before anything is decoded), strict OTLP/JSON numbers,
// request timeouts, the connection limit and requests in progress. Loopback only.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import type { OtlpReceiver, OtlpReceiverOptions, RequestRecord } from '../../src/verify/receiver.js';
import { DEFAULT_REQUEST_LIMITS } from '../../src/verify/request-limits.js';
import { PROTOBUF, emptyPoints, keyValue, message, numberPoint, repeat, requestOf, string, sumMetric, varint, varintField } from './hostile-payloads.js';
import { DEFAULTS, keyValues, postBytes, postJson, request, sum } from './payloads.js';

let receiver: OtlpReceiver | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await receiver?.close();
  receiver = undefined;
});

async function start(options: OtlpReceiverOptions = {}): Promise<{ r: OtlpReceiver; errors: RequestRecord[]; batches: number[] }> {
  const errors: RequestRecord[] = [];
  const batches: number[] = [];
  receiver = await startOtlpReceiver({ ...options, onError: (e) => errors.push(e), onPoints: (points) => batches.push(points.length) });
  return { r: receiver, errors, batches };
}

/** Posts and returns the status and the google.rpc.Status message of the answer (JSON requests). */
async function postJsonText(url: string, text: string): Promise<{ status: number; message: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
  const body = (await res.json()) as { message?: string };
  return { status: res.status, message: body.message ?? '' };
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => undefined);
    // Flowing, so the end of an answer (and the close after it) is seen even when nobody reads.
    socket.resume();
    socket.once('error', reject);
    sockets.push(socket);
  });
}

const GOOD = request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]]));

describe('decoded size limits, checked on the wire before decoding', () => {
  it('defaults are documented numbers', () => {
    expect(DEFAULT_REQUEST_LIMITS).toEqual({ maxPointsPerRequest: 200_000, maxAttributesPerRequest: 500_000, maxObjectsPerRequest: 1_000_000, maxNestingDepth: 16 });
  });

  it.each([
    ['protobuf', (n: number) => ({ body: requestOf(sumMetric('codex.api_request', emptyPoints(n))), headers: PROTOBUF as Record<string, string> })],
    ['JSON', (n: number) => ({ body: Buffer.from(JSON.stringify(request(sum('codex.api_request', Array.from({ length: n }, () => [1, {}] as [number, {}]))))), headers: { 'content-type': 'application/json' } })],
  ])('points (%s): the limit passes, one more is 413 too_many_points naming the limit', async (_label, make) => {
    const { r, errors, batches } = await start({ maxPointsPerRequest: 50 });
    const at = make(50);
    expect((await postBytes(r.metricsUrl, at.body, at.headers)).status).toBe(200);
    const over = make(51);
    const res = await postBytes(r.metricsUrl, over.body, over.headers);
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    expect(batches).toEqual([50]);
    expect(errors).toHaveLength(1);
    expect(errors[0].error).toEqual({ code: 'too_many_points', message: 'the request has more than 50 data points (limit maxPointsPerRequest)' });
    expect((await postBytes(r.metricsUrl, at.body, at.headers)).status).toBe(200);
  });

  it('attributes count anywhere: resource, points, nested key-value lists and array elements', async () => {
    const { r, errors } = await start({ maxAttributesPerRequest: 10 });
    const attrs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    // One resource attribute (service.name) + 9 on the point: at the limit.
    expect((await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, attrs(9)]])))).status).toBe(200);
    expect((await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, attrs(10)]])))).status).toBe(413);
    // An array value with 10 elements under one key: 11 attributes (+1 resource).
    const nested = request(sum('codex.api_request', [[1, {}]]));
    nested.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].attributes = [{ key: 'list', value: { arrayValue: { values: Array.from({ length: 10 }, () => ({ stringValue: 'x' })) } } }];
    expect((await postJson(r.metricsUrl, nested)).status).toBe(413);
    const proto = requestOf(sumMetric('codex.api_request', message(1, repeat(message(7, keyValue('k', 'v')), 11))));
    expect((await postBytes(r.metricsUrl, proto, PROTOBUF)).status).toBe(413);
    expect(errors.map((e) => e.error?.code)).toEqual(['too_many_attributes', 'too_many_attributes', 'too_many_attributes']);
  });

  it('objects: empty exemplars (2 bytes each) and JSON containers count; 64-bit bucket counts too', async () => {
    const { r, errors } = await start({ maxObjectsPerRequest: 100 });
    const exemplars = requestOf(sumMetric('codex.api_request', message(1, repeat(message(5), 200))));
    expect((await postBytes(r.metricsUrl, exemplars, PROTOBUF)).status).toBe(413);
    expect((await postJsonText(r.metricsUrl, `{"junk":[${'[],'.repeat(200)}[]]}`)).status).toBe(413);
    // A packed list of 200 uint64 bucket counts (one byte each) in an exponential histogram.
    const buckets = message(8, Buffer.concat([Buffer.from([0x12, ...varint(200)]), Buffer.alloc(200, 1)]));
    const expHistogram = Buffer.concat([string(1, 'codex.x'), message(10, message(1, buckets))]);
    expect((await postBytes(r.metricsUrl, requestOf(expHistogram), PROTOBUF)).status).toBe(413);
    expect(errors.map((e) => [e.status, e.error?.code])).toEqual([
      [413, 'too_many_objects'],
      [413, 'too_many_objects'],
      [413, 'too_many_objects'],
    ]);
    expect(errors[0].error?.message).toBe('the request has more than 100 decoded objects (limit maxObjectsPerRequest)');
  });

  it('nesting of attribute values is 400 too_deep, on the wire and in JSON, wherever the JSON is deep', async () => {
    const { r, errors } = await start({ maxNestingDepth: 3 });
    const nestedValue = (depth: number): unknown => (depth === 0 ? { stringValue: 'x' } : { arrayValue: { values: [nestedValue(depth - 1)] } });
    const withValue = (depth: number) => {
      const body = request(sum('codex.api_request', [[1, {}]]));
      body.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].attributes = [{ key: 'deep', value: nestedValue(depth) as never }];
      return body;
    };
    expect((await postJson(r.metricsUrl, withValue(3))).status).toBe(200);
    expect((await postJson(r.metricsUrl, withValue(4))).status).toBe(400);
    // AnyValue{arrayValue{values[AnyValue{...}]}} as raw protobuf, 1000 deep.
    let value: Buffer = string(1, 'x');
    for (let i = 0; i < 1000; i++) value = message(5, message(1, value));
    const deepProto = requestOf(sumMetric('codex.api_request', message(1, message(7, Buffer.concat([string(1, 'k'), message(2, value)])))));
    expect((await postBytes(r.metricsUrl, deepProto, PROTOBUF)).status).toBe(400);
    // A million levels of arrays in an unknown field: stopped by the text scan, before JSON.parse.
    expect((await postJsonText(r.metricsUrl, `{"junk":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`)).status).toBe(400);
    expect(errors.map((e) => e.error?.code)).toEqual(['too_deep', 'too_deep', 'too_deep']);
  });

  it('a gzip bomb (8 KiB inflating to 8 MiB of empty points, 4.19 M) is 413 before anything is decoded', async () => {
    const { r, errors } = await start();
    const bomb = gzipSync(requestOf(sumMetric('codex.api_request', emptyPoints(4_190_000))), { level: 9 });
    expect(bomb.length).toBeLessThan(16 * 1024);
    const res = await postBytes(r.metricsUrl, bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    await res.arrayBuffer();
    expect(errors[0].error?.code).toBe('too_many_points');
    expect(r.stats()).toMatchObject({ points: 0, rejected: 1 });
    expect((await postBytes(r.metricsUrl, requestOf(sumMetric('codex.api_request', emptyPoints(1))), PROTOBUF)).status).toBe(200);
  });

  it('a valid export of 150,000 points in one metric is decoded and delivered whole (no call-stack overflow)', async () => {
    const { r, batches } = await start({ retainPoints: false });
    const body = requestOf(sumMetric('codex.api_request', repeat(numberPoint(1, [keyValue('status', '200')]), 150_000)));
    const res = await postBytes(r.metricsUrl, body, PROTOBUF);
    expect(res.status).toBe(200);
    expect(batches).toEqual([150_000]);
  }, 60_000);

  it.each([
    ['a known field with the wrong wire type (Metric.name as a varint)', requestOf(Buffer.concat([varintField(1, 5), message(7, emptyPoints(1))]))],
    ['a packed list that does not end on a value boundary', requestOf(sumMetric('h', message(1, message(5, Buffer.alloc(9)))))],
    ['a group (wire type 3)', Buffer.from([0x0b, 0x0c])],
    ['a sub-message longer than its parent', Buffer.concat([Buffer.from([0x0a, 0x05]), message(2, Buffer.alloc(10))])],
  ])('%s is 400 bad_protobuf', async (_label, body) => {
    const { r, errors } = await start();
    const res = await postBytes(r.metricsUrl, body, PROTOBUF);
    expect(res.status).toBe(400);
    await res.arrayBuffer();
    expect(errors[0].error?.code).toBe('bad_protobuf');
  });
});

describe('strict OTLP/JSON numbers: 400 naming the field, never the value', () => {
  const withPoint = (fields: Record<string, unknown>) => {
    const body = request(sum('codex.api_request', [[1, {}]])) as unknown as { resourceMetrics: { scopeMetrics: { metrics: { sum: { dataPoints: Record<string, unknown>[]; aggregationTemporality?: unknown } }[] }[] }[] };
    Object.assign(body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0], fields);
    return body;
  };
  const FIELD = 'resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0]';

  it.each([
    [{ asInt: 'abc' }, 'asInt is not a 64-bit integer'],
    [{ asInt: 'NaN' }, 'asInt is not a 64-bit integer'],
    [{ asInt: 'Infinity' }, 'asInt is not a 64-bit integer'],
    [{ asInt: '9223372036854775808' }, 'asInt is not a 64-bit integer'],
    [{ asInt: 1.5 }, 'asInt is not a 64-bit integer'],
    [{ asInt: 1e30 }, 'asInt is not a 64-bit integer'],
    [{ timeUnixNano: 'yesterday' }, 'timeUnixNano is not an unsigned 64-bit integer'],
    [{ timeUnixNano: '-1' }, 'timeUnixNano is not an unsigned 64-bit integer'],
    [{ startTimeUnixNano: '1'.repeat(1_000) }, 'startTimeUnixNano is not an unsigned 64-bit integer'],
    [{ asDouble: 'sk-secret-value' }, 'asDouble is not a number (or "NaN", "Infinity", "-Infinity")'],
    [{ flags: -1 }, 'flags is not an unsigned 32-bit integer'],
    [{ attributes: 'x' }, 'attributes is not an array'],
  ])('%j', async (fields, problem) => {
    const { r, errors } = await start();
    const { status, message: text } = await postJsonText(r.metricsUrl, JSON.stringify(withPoint(fields)));
    expect(status).toBe(400);
    expect(text).toBe(`invalid OTLP/JSON ExportMetricsServiceRequest: ${FIELD}.${problem}`);
    expect(errors[0].error?.code).toBe('bad_json');
    expect(text).not.toContain('sk-secret');
  });

  it('an unknown temporality name is 400; names, numbers, int64 numbers and "NaN" doubles are accepted', async () => {
    const { r } = await start();
    const body = withPoint({ asDouble: 'NaN', timeUnixNano: 1_700_000_000_000_000_000 });
    body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality = 'AGGREGATION_TEMPORALITY_DELTA';
    const res = await postJson(r.metricsUrl, body);
    expect(res.status).toBe(200);
    const [point] = r.points();
    expect(point).toMatchObject({ temporality: 'delta', valueType: 'int', timeUnixNano: '1700000000000000000' });
    body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality = 'AGGREGATION_TEMPORALITY_SOMETIMES';
    expect((await postJsonText(r.metricsUrl, JSON.stringify(body))).message).toMatch(/aggregationTemporality is not a AggregationTemporality name or number$/);
  });

  it('int64 spellings normalise like protobuf: "007" and 7 are "7", and a NaN double stays NaN', async () => {
    const { r } = await start();
    await postJson(r.metricsUrl, withPoint({ asInt: '007' }));
    await postJson(r.metricsUrl, withPoint({ asInt: undefined, asDouble: 'NaN' }));
    const [a, b] = r.points();
    expect(a).toMatchObject({ value: 7, valueType: 'int' });
    expect(b.valueType).toBe('double');
    expect(b.value).toBeNaN();
  });
});

describe('time and connection limits', () => {
  it('a body that stalls is answered 408 and counted; the server keeps serving', async () => {
    const { r, errors } = await start({ requestTimeoutMs: 300 });
    const socket = await openSocket(r.port);
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"resourceMetrics"');
    await until(() => errors.length === 1, 'the timeout');
    expect(errors[0]).toMatchObject({ status: 408, bytes: 18, error: { code: 'request_timeout' } });
    await until(() => answer.includes('408'), 'the 408 answer');
    expect((await postJson(r.metricsUrl, GOOD)).status).toBe(200);
  });

  it('headers that stall are counted as a timed-out request; an idle connection is just closed', async () => {
    const { r, errors } = await start({ requestTimeoutMs: 300 });
    const idle = await openSocket(r.port);
    const partial = await openSocket(r.port);
    partial.write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\n');
    const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
    await Promise.all([closed(idle), closed(partial)]);
    expect(errors.map((e) => [e.status, e.error?.code])).toEqual([[408, 'request_timeout']]);
    expect(r.stats()).toMatchObject({ requests: 1, rejected: 1 });
  }, 30_000);

  it('malformed HTTP is a rejected request answered 400', async () => {
    const { r, errors } = await start();
    const socket = await openSocket(r.port);
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await until(() => errors.length === 1 && answer.length > 0, 'the rejection');
    expect(errors[0]).toMatchObject({ status: 400, error: { code: 'bad_request' } });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('an upload the client abandons is counted as aborted', async () => {
    const { r, errors } = await start();
    const socket = await openSocket(r.port);
    socket.write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"resou');
    await until(() => r.stats().requests === 1, 'the request');
    socket.destroy();
    await until(() => errors.length === 1, 'the abort');
    expect(errors[0]).toMatchObject({ status: 0, error: { code: 'aborted' } });
  });

  it('connections past maxConnections, all with a request in progress, are closed at once and counted', async () => {
    let refused = 0;
    const { r } = await start({ maxConnections: 2, onConnectionRefused: () => refused++ });
    // Busy: bodies still arriving (idle connections would make room, see receiver-lockout.test.ts).
    for (let i = 0; i < 2; i++) (await openSocket(r.port)).write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{');
    await until(() => r.stats().requests === 2, 'two requests under way');
    const third = await openSocket(r.port);
    await new Promise<void>((resolve) => (third.destroyed ? resolve() : third.once('close', () => resolve())));
    await until(() => r.stats().refusedConnections === 1, 'the refusal');
    expect(refused).toBe(1);
  });

  it('a pipelined request past the requests in progress is answered 503 busy', async () => {
    const { r, errors } = await start({ maxConnections: 1, respond: (q) => (q.index === 0 ? { delayMs: 300 } : undefined) });
    const socket = await openSocket(r.port);
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    const body = JSON.stringify(GOOD);
    const one = `POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    socket.write(one + one);
    await until(() => /HTTP\/1\.1 200[\s\S]*HTTP\/1\.1 503|HTTP\/1\.1 503[\s\S]*HTTP\/1\.1 200/.test(answer), 'both answers');
    expect(errors.map((e) => [e.index, e.status, e.error?.code])).toEqual([[1, 503, 'busy']]);
    expect(answer).toMatch(/retry-after: 1/i);
  });
});

it('keyValues helper sanity: the payload helpers build what the receiver decodes', async () => {
  const { r } = await start();
  const body = requestOf(sumMetric('codex.api_request', numberPoint(3, keyValues({ status: '200' }).map((kv) => keyValue(kv.key!, kv.value!.stringValue!)))));
  expect((await postBytes(r.metricsUrl, body, PROTOBUF)).status).toBe(200);
  expect(r.points()[0]).toMatchObject({ metric: 'codex.api_request', value: 3, attributes: { status: '200' }, timeUnixNano: '1700000001000000000' });
});
