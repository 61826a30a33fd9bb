import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RpcStatus, encodeMetricsProtobuf } from '../../src/verify/otlp-proto.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import type { OtlpReceiver, OtlpReceiverOptions, RequestRecord } from '../../src/verify/receiver.js';
import { DEFAULTS, postBytes, postJson, request, sum } from './payloads.js';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  receiver = await startOtlpReceiver(options);
  return receiver;
}

const GOOD = request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]]));
const PROTO = { 'content-type': 'application/x-protobuf' };

describe('malformed requests answer 400 (413 when too large), are reported, and the server keeps serving', () => {
  it.each([
    ['truncated protobuf', PROTO, Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), 400, 'bad_protobuf'],
    ['bad JSON', { 'content-type': 'application/json' }, new TextEncoder().encode('{"resourceMetrics": ['), 400, 'bad_json'],
    ['JSON of the wrong shape', { 'content-type': 'application/json' }, new TextEncoder().encode('{"resourceMetrics": "x"}'), 400, 'bad_json'],
    ['a JSON array', { 'content-type': 'application/json' }, new TextEncoder().encode('[]'), 400, 'bad_json'],
    ['an unsupported content type', { 'content-type': 'text/plain' }, new TextEncoder().encode('hi'), 400, 'unsupported_content_type'],
    ['no content type', {}, encodeMetricsProtobuf(GOOD), 400, 'unsupported_content_type'],
    ['bad gzip', { ...PROTO, 'content-encoding': 'gzip' }, Uint8Array.from([1, 2, 3, 4]), 400, 'bad_compression'],
    ['an unsupported encoding', { ...PROTO, 'content-encoding': 'br' }, Uint8Array.from([1]), 400, 'unsupported_content_encoding'],
    ['an oversize body', PROTO, new Uint8Array(2048), 413, 'too_large'],
    ['an oversize gzip body once inflated', { ...PROTO, 'content-encoding': 'gzip' }, gzipSync(new Uint8Array(4096)), 413, 'too_large'],
  ] as const)('%s', async (_label, headers, body, status, code) => {
    const errors: RequestRecord[] = [];
    const r = await start({ maxBodyBytes: 1024, onError: (e) => errors.push(e) });
    const res = await postBytes(r.metricsUrl, body, headers);
    expect(res.status).toBe(status);
    await res.arrayBuffer();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ index: 0, status, error: { code } });
    expect(r.errors()).toEqual(errors);

    const ok = await postBytes(r.metricsUrl, encodeMetricsProtobuf(GOOD), PROTO);
    expect(ok.status).toBe(200);
    expect(r.points()).toHaveLength(1);
    expect(r.requests().map((q) => q.status)).toEqual([status, 200]);
  });

  it('error bodies are a google.rpc.Status in the request encoding', async () => {
    const r = await start();
    const proto = await postBytes(r.metricsUrl, Uint8Array.from([0x0a, 0x05]), PROTO);
    const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await proto.arrayBuffer()))) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/protobuf/);
    const json = await postJson(r.metricsUrl, { resourceMetrics: 3 });
    expect(await json.json()).toMatchObject({ code: 3, message: expect.stringMatching(/resourceMetrics is not an array/) });
  });

  it('wrong path and method', async () => {
    const r = await start();
    expect((await fetch(`${r.url}/v1/traces`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(r.metricsUrl)).status).toBe(405);
    expect(r.errors().map((e) => e.error?.code)).toEqual(['not_found', 'method_not_allowed']);
  });
});

describe('success answers', () => {
  it('are an empty protobuf body or {} in JSON', async () => {
    const r = await start();
    const proto = await postBytes(r.metricsUrl, encodeMetricsProtobuf(GOOD), PROTO);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
    const json = await postJson(r.metricsUrl, GOOD);
    expect(json.headers.get('content-type')).toBe('application/json');
    expect(await json.text()).toBe('{}');
    expect(r.requests().map((q) => [q.contentType, q.points])).toEqual([
      ['application/x-protobuf', 1],
      ['application/json', 1],
    ]);
  });
});

describe('OTLP/JSON mapping details', () => {
  it('accepts int64 as numbers, enum names, hex ids, exponential histograms and summaries', async () => {
    const r = await start();
    const res = await postJson(r.metricsUrl, {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'pid', value: { intValue: 42 } }, { key: 'blob', value: { bytesValue: 'AQI=' } }] },
          scopeMetrics: [
            {
              scope: { name: 'codex' },
              metrics: [
                {
                  name: 'c',
                  sum: {
                    isMonotonic: true,
                    aggregationTemporality: 'AGGREGATION_TEMPORALITY_DELTA',
                    dataPoints: [
                      {
                        startTimeUnixNano: 1,
                        timeUnixNano: '1700000000123456789',
                        asInt: 7,
                        exemplars: [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', asInt: '1' }],
                        attributes: [{ key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }] } } }],
                      },
                    ],
                  },
                },
                {
                  name: 'e',
                  exponentialHistogram: {
                    aggregationTemporality: 2,
                    dataPoints: [{ count: '3', sum: 6, scale: 2, zeroCount: '1', positive: { offset: -1, bucketCounts: ['1', '1'] }, min: 1, max: 3 }],
                  },
                },
                { name: 's', summary: { dataPoints: [{ count: '2', sum: 4, quantileValues: [{ quantile: 0.5, value: 2 }] }] } },
              ],
            },
          ],
        },
      ],
    });
    expect(res.status).toBe(200);
    const [c, e, s] = r.points();
    expect(c).toMatchObject({ metric: 'c', kind: 'counter', temporality: 'delta', value: 7, valueType: 'int', startTimeUnixNano: '1', timeUnixNano: '1700000000123456789' });
    expect(c.attributes).toEqual({ list: ['a', 1.5] });
    expect(c.resource.pid).toBe(42);
    expect(c.resource.blob).toEqual(Uint8Array.from([1, 2]));
    expect(e).toMatchObject({ kind: 'exponential_histogram', temporality: 'cumulative', count: 3, sum: 6, min: 1, max: 3 });
    expect(s).toMatchObject({ kind: 'summary', temporality: 'unspecified', count: 2, sum: 4 });
  });

  it('keeps nanosecond timestamps exact through protobuf', async () => {
    const r = await start();
    const body = request(sum('codex.api_request', [[1, {}]]));
    body.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].timeUnixNano = '1700000000123456789';
    await postBytes(r.metricsUrl, gzipSync(encodeMetricsProtobuf(body)), { ...PROTO, 'content-encoding': 'gzip' });
    expect(r.points()[0].timeUnixNano).toBe('1700000000123456789');
  });
});

describe('hostile JSON', () => {
  it('a "__proto__" key in the body is an ignored field, not a prototype fields are read from', async () => {
    const r = await start();
    const res = await fetch(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"__proto__": ${JSON.stringify(GOOD)}}` });
    expect(res.status).toBe(200);
    expect(r.points()).toEqual([]);
  });

  it('a "key":"__proto__" attribute becomes an own attribute, its kvlist no prototype', async () => {
    const r = await start();
    const body = request(sum('codex.api_request', [[1, {}]]));
    body.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].attributes = [
      { key: '__proto__', value: { kvlistValue: { values: [{ key: 'status', value: { stringValue: '200' } }] } } },
    ];
    await postJson(r.metricsUrl, body);
    const { attributes } = r.points()[0];
    expect(Object.keys(attributes)).toEqual(['__proto__']);
    expect(Object.hasOwn(attributes, 'status')).toBe(false);
    expect('status' in attributes).toBe(false);
  });

  it('undecodable JSON is reported without quoting the body', async () => {
    const errors: RequestRecord[] = [];
    const r = await start({ onError: (e) => errors.push(e) });
    const res = await fetch(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'sk-live-0123456789abcdef' });
    expect(res.status).toBe(400);
    const answer = await res.text();
    expect(errors[0].error?.message).toMatch(/^invalid JSON: Unexpected token/);
    expect(`${answer} ${errors[0].error?.message}`).not.toContain('sk-live');
  });
});

describe('retention', () => {
  it('with retainPoints: false, points() stays empty while onPoints gets every export', async () => {
    const batches: number[] = [];
    const r = await start({ retainPoints: false, onPoints: (points) => batches.push(points.length) });
    const two = request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }], [1, { ...DEFAULTS, status: '500', success: 'false' }]]));
    for (const body of [GOOD, two, GOOD]) expect((await postJson(r.metricsUrl, body)).status).toBe(200);
    expect(batches).toEqual([1, 2, 1]);
    expect(r.points()).toEqual([]);
    expect(r.stats()).toEqual({ requests: 3, rejected: 0, points: 4, refusedConnections: 0, closedIdleConnections: 0 });
    await expect(r.waitForPoints(() => true)).rejects.toThrow(/retainPoints/);
  });

  it('maxRequestRecords keeps the most recent records; stats() counts them all', async () => {
    const r = await start({ maxRequestRecords: 2 });
    await postJson(r.metricsUrl, GOOD);
    await (await postJson(r.metricsUrl, { resourceMetrics: 3 })).arrayBuffer();
    await postJson(r.metricsUrl, GOOD);
    expect(r.requests().map((q) => [q.index, q.status])).toEqual([
      [1, 400],
      [2, 200],
    ]);
    expect(r.errors().map((q) => q.index)).toEqual([1]);
    expect(r.stats()).toEqual({ requests: 3, rejected: 1, points: 2, refusedConnections: 0, closedIdleConnections: 0 });
    expect(r.points()).toHaveLength(2);
  });
});

describe('respond hook (fault injection)', () => {
  it('can answer instead, without recording the points', async () => {
    const r = await start({ respond: (q) => (q.index === 0 ? { status: 503, headers: { 'retry-after': '1' }, body: 'busy' } : undefined) });
    const first = await postJson(r.metricsUrl, GOOD);
    expect([first.status, first.headers.get('retry-after'), await first.text()]).toEqual([503, '1', 'busy']);
    expect(r.points()).toHaveLength(0);
    expect((await postJson(r.metricsUrl, GOOD)).status).toBe(200);
    expect(r.points()).toHaveLength(1);
    expect(r.requests().map((q) => [q.status, q.injected ?? false])).toEqual([
      [503, true],
      [200, false],
    ]);
  });

  it('sees the raw body', async () => {
    const sizes: number[] = [];
    const r = await start({ respond: (q) => void sizes.push(q.body.length) });
    const body = encodeMetricsProtobuf(GOOD);
    await postBytes(r.metricsUrl, body, PROTO);
    expect(sizes).toEqual([body.length]);
  });

  it('can delay', async () => {
    const r = await start({ respond: () => ({ delayMs: 50 }) });
    const t0 = Date.now();
    expect((await postJson(r.metricsUrl, GOOD)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });

  it('can hang, and close() still returns promptly', async () => {
    const r = await start({ respond: () => 'hang' });
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' } }, () => resolve('answered'));
      req.on('error', (err) => resolve(`error: ${err.message}`));
      req.end(JSON.stringify(GOOD));
    });
    // Until the hook has seen it (a fixed wait is too short on a loaded machine).
    for (let waited = 0; !r.requests()[0]?.injected && waited < 5_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(r.requests()[0]).toMatchObject({ status: 0, injected: true });
    const t0 = Date.now();
    await r.close();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(await outcome).toMatch(/^error/);
  });

  it('a throwing hook answers 500 and the server keeps serving', async () => {
    let calls = 0;
    const r = await start({
      respond: () => {
        if (calls++ === 0) throw new Error('boom');
        return undefined;
      },
    });
    expect((await postJson(r.metricsUrl, GOOD)).status).toBe(500);
    expect((await postJson(r.metricsUrl, GOOD)).status).toBe(200);
  });
});

it('close() rejects pending waiters and is idempotent', async () => {
  const r = await start();
  const waiting = r.waitForPoints(() => false, 10_000);
  await r.close();
  await expect(waiting).rejects.toThrow(/closed/);
  await r.close();
});

it('binds to loopback on an ephemeral port by default', async () => {
  const r = await start();
  expect(r.host).toBe('127.0.0.1');
  expect(r.port).toBeGreaterThan(0);
  expect(r.metricsUrl).toBe(`http://127.0.0.1:${r.port}/v1/metrics`);
});
