// The whole path: typed calls -> SDK -> real OTLP/HTTP exporter -> loopback receiver -> decoded.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { runDemoWorkload } from '../../src/demo/workload.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { HISTOGRAM_BUCKETS, METRICS } from '../../src/generated/catalog.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/verify/receiver.js';
import { settledAlready, shutdownBound } from '../faults/harness.js';

const defaults = { auth_mode: 'ApiKey', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' } as const;
const VALUE = /^[A-Za-z0-9._/-]{1,256}$/;

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe.each([
  ['http/protobuf', 'application/x-protobuf'],
  ['http/json', 'application/json'],
] as const)('export over %s', (protocol, contentType) => {
  it('delivers all catalog metrics with prefix, kind, unit, default tags and wire spellings', async () => {
    receiver = await startOtlpReceiver();
    const session = startCodexMetrics({ defaults, endpoint: receiver.url, protocol, exportIntervalMillis: 60_000 });
    runDemoWorkload(session.metrics);
    await session.shutdown();

    const points = receiver.points();
    expect(new Set(receiver.requests().map((r) => r.contentType))).toEqual(new Set([contentType]));
    for (const spec of METRICS) {
      const mine = points.filter((p) => p.metric === `codex.${spec.name}`);
      expect(mine.length, spec.name).toBeGreaterThan(0);
      for (const p of mine) {
        expect(p.kind, spec.name).toBe(spec.kind);
        expect(p.unit, spec.name).toBe(spec.unit);
        expect(p.temporality).toBe('cumulative');
        expect(p.scopeName).toBe('codex');
        for (const key of DEFAULT_TAG_KEYS) expect(typeof p.attributes[key], `${spec.name} ${key}`).toBe('string');
        for (const f of spec.required) expect(p.attributes[f], `${spec.name}.${f}`).toBeDefined();
        for (const [k, v] of Object.entries(p.attributes)) {
          expect([...DEFAULT_TAG_KEYS, ...spec.required, ...spec.optional]).toContain(k);
          expect(v, `${spec.name}.${k}`).toMatch(VALUE);
        }
      }
    }
    // Turns 1-2 use the session's model, turn 3 a withDefaults view with another model.
    const api = points.filter((p) => p.metric === 'codex.api_request' && p.attributes.model === 'gpt-5.1-codex');
    expect(api.map((p) => `${p.attributes.status}/${p.attributes.success}`).sort()).toEqual(['200/true', '429/false', 'none/false']);
    expect(api.find((p) => p.attributes.status === '200')!.value).toBe(2);
    const turnModels = new Set(points.filter((p) => p.metric === 'codex.turn.e2e_duration_ms').map((p) => p.attributes.model));
    expect(turnModels).toEqual(new Set(['gpt-5.1-codex', 'gpt-5.1-codex-mini']));
    expect(points[0].resource).toMatchObject({ 'service.name': 'codex', 'service.version': '0.64.0', 'telemetry.sdk.language': 'nodejs' });
    const e2e = points.find((p) => p.metric === 'codex.turn.e2e_duration_ms')!;
    expect(e2e.explicitBounds).toEqual(HISTOGRAM_BUCKETS.duration.boundaries);
  });
});

describe('export settings', () => {
  it('honours OTEL_* variables: endpoint, headers, protocol, temporality, service name', async () => {
    const seen: Record<string, string | string[] | undefined>[] = [];
    receiver = await startOtlpReceiver({ respond: (req) => void seen.push(req.headers) });
    const session = startCodexMetrics({
      defaults,
      env: {
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.metricsUrl,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=k1',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
        OTEL_SERVICE_NAME: 'agent-x',
        OTEL_METRIC_EXPORT_INTERVAL: '100',
      },
    });
    session.metrics.add('task.review');
    const points = await receiver.waitForPoints((p) => p.some((x) => x.metric === 'codex.task.review'), 5000);
    await session.shutdown();
    const p = points.find((x) => x.metric === 'codex.task.review')!;
    expect(p).toMatchObject({ temporality: 'delta', contentType: 'application/json', value: 1 });
    expect(p.resource['service.name']).toBe('agent-x');
    expect(seen[0]['x-api-key']).toBe('k1');
  });

  it('flushOnExit registers one beforeExit listener and shutdown removes it', async () => {
    receiver = await startOtlpReceiver();
    const before = process.listenerCount('beforeExit');
    const session = startCodexMetrics({ defaults, endpoint: receiver.url, flushOnExit: true, env: {} });
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    await session.shutdown();
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('OTEL_SDK_DISABLED=true records nothing and sends nothing', async () => {
    receiver = await startOtlpReceiver();
    const session = startCodexMetrics({ defaults, env: { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
    session.metrics.add('task.review');
    await session.shutdown();
    expect(session.meterProvider).toBeUndefined();
    expect(receiver.requests()).toHaveLength(0);
  });

  it('shutdown returns within its timeout against a collector that never answers, and twice is harmless', async () => {
    receiver = await startOtlpReceiver({ respond: () => 'hang' });
    const session = startCodexMetrics({ defaults, endpoint: receiver.url, exportIntervalMillis: 60_000, exportTimeoutMillis: 300 });
    session.metrics.add('task.review');
    const started = performance.now();
    await session.shutdown();
    expect(performance.now() - started).toBeLessThan(shutdownBound(300));
    expect(await settledAlready(session.shutdown())).toBe(true);
    await session.forceFlush();
  });
});
