import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { describeConfig, parseHeaders, resolveExportConfig } from '../../src/export/config.js';
import { ExportConfigError } from '../../src/export/errors.js';
import { captureDiag, type DiagCapture } from '../faults/harness.js';

let logs: DiagCapture | undefined;
afterEach(() => {
  logs?.dispose();
  logs = undefined;
});

describe('resolveExportConfig', () => {
  it('defaults: protobuf to localhost:4318, 60 s interval, cumulative, service codex', () => {
    const config = resolveExportConfig({}, {});
    expect(config.headers).toEqual({});
    expect(config.url).toBe('http://localhost:4318/v1/metrics');
    expect({ ...config }).toEqual({
      disabled: false,
      protocol: 'http/protobuf',
      compression: 'none',
      resourceAttributes: {},
      intervalMillis: 60_000,
      timeoutMillis: 10_000,
      exitTimeoutMillis: 2_000,
      temporality: 'cumulative',
      serviceName: 'codex',
      cardinalityLimit: 2000,
      logLevel: undefined,
    });
  });

  it('reads the standard OTEL_* variables', () => {
    const c = resolveExportConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-tenant=t1',
        OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'x-tenant=t2',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
        OTEL_METRIC_EXPORT_INTERVAL: '5000',
        OTEL_METRIC_EXPORT_TIMEOUT: '2000',
        OTEL_SERVICE_NAME: 'my-agent',
      },
    );
    expect(c).toMatchObject({
      url: 'http://collector:4318/v1/metrics',
      protocol: 'http/json',
      headers: { authorization: 'Bearer abc', 'x-tenant': 't2' },
      intervalMillis: 5000,
      timeoutMillis: 2000,
      temporality: 'delta',
      serviceName: 'my-agent',
    });
  });

  it('the metrics-specific endpoint and protocol win and are used as given', () => {
    const c = resolveExportConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://b:9999/custom/path',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      },
    );
    expect(c.url).toBe('http://b:9999/custom/path');
    expect(c.protocol).toBe('http/protobuf');
  });

  it('options win over the environment, except OTEL_SERVICE_NAME which wins over serviceName', () => {
    const c = resolveExportConfig(
      { endpoint: 'http://opt:4318', protocol: 'http/json', temporality: 'cumulative', exportIntervalMillis: 1000, exportTimeoutMillis: 5000, headers: { a: '1' }, serviceName: 'x' },
      { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://env:1/v1/metrics', OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta', OTEL_EXPORTER_OTLP_HEADERS: 'a=2,b=3', OTEL_SERVICE_NAME: 'svc' },
    );
    expect(c).toMatchObject({ url: 'http://opt:4318/v1/metrics', protocol: 'http/json', temporality: 'cumulative', intervalMillis: 1000, serviceName: 'svc', headers: { a: '1', b: '3' } });
    expect(c.timeoutMillis).toBe(1000); // never above the interval (an SDK requirement)
  });

  it('OTEL_SDK_DISABLED=true disables export; bad numbers fall back to defaults', () => {
    expect(resolveExportConfig({}, { OTEL_SDK_DISABLED: 'TRUE' }).disabled).toBe(true);
    expect(resolveExportConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: 'soon' }).intervalMillis).toBe(60_000);
    expect(resolveExportConfig({}, { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'lowmemory' }).temporality).toBe('delta');
    expect(() => resolveExportConfig({ exportIntervalMillis: -1 }, {})).toThrow(/exportIntervalMillis/);
  });

  it('header values stay out of JSON and console output of the config', async () => {
    const config = resolveExportConfig({ headers: { authorization: 'Bearer s3cr3t' } }, { OTEL_EXPORTER_OTLP_HEADERS: 'x-key=k3y' });
    const { inspect } = await import('node:util');
    expect(config.headers).toEqual({ 'x-key': 'k3y', authorization: 'Bearer s3cr3t' });
    for (const text of [JSON.stringify(config), inspect(config), String(Object.entries(config))]) {
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('k3y');
    }
  });

  it('an endpoint with a path prefix gets /v1/metrics appended, like OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(resolveExportConfig({ endpoint: 'https://gw.example/otlp' }, {}).url).toBe('https://gw.example/otlp/v1/metrics');
    expect(resolveExportConfig({ endpoint: 'https://gw.example/otlp/' }, {}).url).toBe('https://gw.example/otlp/v1/metrics');
    expect(resolveExportConfig({ endpoint: 'https://gw.example/otlp/v1/metrics' }, {}).url).toBe('https://gw.example/otlp/v1/metrics');
    expect(resolveExportConfig({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gw.example/otlp' }).url).toBe('https://gw.example/otlp/v1/metrics');
  });

  it('compression and resource attributes come from the given environment', () => {
    const c = resolveExportConfig({ serviceName: 'opt' }, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs,deployment.environment=ci' });
    expect(c).toMatchObject({ compression: 'gzip', serviceName: 'from-attrs', resourceAttributes: { 'deployment.environment': 'ci' } });
    expect(resolveExportConfig({}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none' }).compression).toBe('none');
  });

  it('describeConfig masks credentials and query strings in the URL', () => {
    const text = describeConfig(resolveExportConfig({ endpoint: 'https://user:s3cret@gw.example/v1/metrics?api_key=abc' }, {}));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('abc');
    expect(text).toContain('gw.example');
  });

  it('describeConfig never prints header values', () => {
    const text = describeConfig(resolveExportConfig({ headers: { authorization: 'Bearer s3cr3t' } }, {}));
    expect(text).toContain('authorization=***');
    expect(text).not.toContain('s3cr3t');
  });

  it('parseHeaders skips malformed pairs', () => {
    expect(parseHeaders('a=1,,=2,b,c=x=y, d = %zz')).toEqual({ a: '1', c: 'x=y', d: '%zz' });
  });

  it('grpc (lenient): one warning names the variable, says it is unsupported and what is sent where instead', () => {
    logs = captureDiag();
    const c = resolveExportConfig({}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' });
    expect(c.protocol).toBe('http/protobuf');
    const lines = logs.lines.filter((l) => l.includes('codex-otel-metrics'));
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn codex-otel-metrics: OTLP protocol "grpc" from OTEL_EXPORTER_OTLP_PROTOCOL is not supported; sending http\/protobuf to http:\/\/collector:4317\/v1\/metrics instead/);
    expect(lines[0]).toContain('4318');
  });

  it('grpc (strict): an ExportConfigError with code unsupported_protocol', () => {
    let error: unknown;
    try {
      resolveExportConfig({ strict: true }, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ExportConfigError);
    expect(error).toMatchObject({ code: 'unsupported_protocol' });
    expect((error as Error).message).toMatch(/OTEL_EXPORTER_OTLP_METRICS_PROTOCOL.*OTLP\/HTTP only/);
    expect(() => resolveExportConfig({ strict: true, protocol: 'http/json' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).not.toThrow();
  });

  it('an endpoint that is not an http(s) URL is an invalid_endpoint error that does not quote it', () => {
    for (const [options, env, source] of [
      [{ endpoint: 'http://user:pa ss@[collector' }, {}, 'the endpoint option'],
      [{ endpoint: 'collector:4318' }, {}, 'the endpoint option'],
      [{}, { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://user:pa ss@[collector' }, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT'],
      [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:pass@collector' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    ] as const) {
      let error: unknown;
      try {
        resolveExportConfig(options, env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ExportConfigError);
      expect(error).toMatchObject({ code: 'invalid_endpoint' });
      expect((error as Error).message).toContain(source);
      expect((error as Error).message).not.toMatch(/pa ss|pass|user/);
    }
    // With export disabled the endpoint is not used, so not checked.
    expect(resolveExportConfig({ endpoint: 'nonsense' }, { OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
  });

  it('JSON, util.inspect and Object.entries of the config never show the URL password or a header value', () => {
    const config = resolveExportConfig({ endpoint: 'https://user:s3cr3t@gw.example/otlp?token=t0k3n', headers: { authorization: 'Bearer h3ad3r' } }, {});
    expect(config.url).toBe('https://user:s3cr3t@gw.example/otlp/v1/metrics?token=t0k3n'); // still usable
    const json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
    expect(json.url).toBe('https://***@gw.example/otlp/v1/metrics?***');
    expect(json.headers).toBe('authorization=***');
    for (const text of [JSON.stringify(config), inspect(config, { showHidden: false }), String(Object.entries(config)), describeConfig(config)]) {
      for (const secret of ['s3cr3t', 't0k3n', 'h3ad3r']) expect(text).not.toContain(secret);
    }
  });

  it('logLevel from the option or CODEX_OTEL_METRICS_LOG_LEVEL; a bad value warns (lenient) or throws (strict)', () => {
    expect(resolveExportConfig({}, {}).logLevel).toBeUndefined();
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(resolveExportConfig({ logLevel: 'none' }, { CODEX_OTEL_METRICS_LOG_LEVEL: 'debug' }).logLevel).toBe('none');
    logs = captureDiag();
    expect(resolveExportConfig({}, { CODEX_OTEL_METRICS_LOG_LEVEL: 'loud' }).logLevel).toBeUndefined();
    expect(logs.count(/ignoring CODEX_OTEL_METRICS_LOG_LEVEL "loud"/)).toBe(1);
    expect(() => resolveExportConfig({ strict: true }, { CODEX_OTEL_METRICS_LOG_LEVEL: 'loud' })).toThrow(ExportConfigError);
  });
});
