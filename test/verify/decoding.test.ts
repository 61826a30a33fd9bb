import { ValueType } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { exportOnce } from './sdk-export.js';
import type { SdkExportOptions } from './sdk-export.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const byMetric = (points: readonly ReceivedPoint[], name: string) => points.filter((p) => p.metric === name);

async function recordSample(options: SdkExportOptions): Promise<ReceivedPoint[]> {
  await exportOnce(
    receiver.metricsUrl,
    (meter) => {
      const counter = meter.createCounter('codex.api_request', { unit: '1', description: 'API requests' });
      counter.add(2, { status: '200', success: 'true' });
      counter.add(1, { status: '500', success: 'false' });
      const histogram = meter.createHistogram('codex.api_request.duration_ms', { unit: 'ms' });
      histogram.record(12, { status: '200', success: 'true' });
      histogram.record(700, { status: '200', success: 'true' });
      meter.createUpDownCounter('codex.test.updown', { valueType: ValueType.INT }).add(-3, { flag: true, n: 7 });
      meter.createGauge('codex.test.gauge').record(1.5);
    },
    options,
  );
  return receiver.points();
}

describe.each([
  ['protobuf', { protocol: 'protobuf' }, 'application/x-protobuf'],
  ['protobuf+gzip', { protocol: 'protobuf', gzip: true }, 'application/x-protobuf'],
  ['json', { protocol: 'json' }, 'application/json'],
  ['json+gzip', { protocol: 'json', gzip: true }, 'application/json'],
] as const)('decoding %s exports from the OpenTelemetry SDK', (_label, options, contentType) => {
  it('normalises sums, histograms, gauges, attributes, resource and scope', async () => {
    const points = await recordSample(options);
    const [request] = receiver.requests();
    expect(request).toMatchObject({ method: 'POST', path: '/v1/metrics', status: 200, contentType, points: points.length });
    expect(request.contentEncoding).toBe(options.protocol && 'gzip' in options ? 'gzip' : '');

    const counters = byMetric(points, 'codex.api_request');
    expect(counters).toHaveLength(2);
    const ok = counters.find((p) => p.attributes.status === '200');
    expect(ok).toMatchObject({
      kind: 'counter',
      monotonic: true,
      temporality: 'cumulative',
      unit: '1',
      description: 'API requests',
      value: 2,
      attributes: { status: '200', success: 'true' },
      resource: expect.objectContaining({ 'service.name': 'verify-test' }),
      scopeName: 'codex',
      scopeVersion: '1.2.3',
      contentType,
      requestIndex: 0,
    });
    expect(ok!.startTimeUnixNano).toMatch(/^\d{19}$/);
    expect(BigInt(ok!.timeUnixNano)).toBeGreaterThanOrEqual(BigInt(ok!.startTimeUnixNano));

    const [histogram] = byMetric(points, 'codex.api_request.duration_ms');
    expect(histogram).toMatchObject({ kind: 'histogram', temporality: 'cumulative', unit: 'ms', count: 2, sum: 712, min: 12, max: 700 });
    expect(histogram.explicitBounds).toEqual([0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000]);
    expect(histogram.bucketCounts).toHaveLength(16);
    expect(histogram.bucketCounts!.reduce((a, b) => a + b, 0)).toBe(2);

    const [updown] = byMetric(points, 'codex.test.updown');
    expect(updown).toMatchObject({ kind: 'updowncounter', monotonic: false, value: -3, attributes: { flag: true, n: 7 } });
    expect(updown.valueType).toBe('int');
    const [gauge] = byMetric(points, 'codex.test.gauge');
    expect(gauge).toMatchObject({ kind: 'gauge', temporality: 'unspecified', value: 1.5, valueType: 'double' });
  });
});

it('reports delta temporality', async () => {
  const points = await recordSample({ protocol: 'protobuf', delta: true });
  expect(byMetric(points, 'codex.api_request')[0].temporality).toBe('delta');
  expect(byMetric(points, 'codex.api_request.duration_ms')[0].temporality).toBe('delta');
});

it('waitForPoints resolves once the predicate holds and rejects on timeout', async () => {
  const waiting = receiver.waitForPoints((ps) => ps.some((p) => p.metric === 'codex.api_request'), 1500);
  await recordSample({ protocol: 'json' });
  expect((await waiting).length).toBeGreaterThan(0);
  await expect(receiver.waitForPoints(() => false, 20)).rejects.toThrow(/timed out/);
});
