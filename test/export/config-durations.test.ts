// Duration settings have documented ranges (issue #21): Node runs a timer over 2^31-1 ms after 1 ms,
// so OTEL_METRIC_EXPORT_INTERVAL=2147483648 used to export continuously. Out of range: strict
// throws, lenient clamps with one warning; only decimal digits are read from variables.
import { afterEach, describe, expect, it } from 'vitest';
import { resolveExportConfig } from '../../src/export/config.js';
import { DURATION_RANGES, MAX_TIMER_MS } from '../../src/export/durations.js';
import { ExportConfigError } from '../../src/export/errors.js';
import { startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { captureDiag, DEFAULTS, healthy, startCollector, type Collector, type DiagCapture } from '../faults/harness.js';

let logs: DiagCapture | undefined;
let session: CodexMetricsSession | undefined;
let collector: Collector | undefined;
afterEach(async () => {
  await session?.shutdown();
  await collector?.close();
  logs?.dispose();
  logs = session = collector = undefined;
});

const warnings = () => logs!.lines.filter((l) => l.startsWith('warn codex-otel-metrics'));

describe('export interval and timeout ranges', () => {
  it('the ranges are the documented numbers', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    expect(DURATION_RANGES).toEqual({ exportIntervalMillis: { min: 10, max: 2_147_483_647 }, exportTimeoutMillis: { min: 1, max: 2_147_483_647 }, exitTimeoutMillis: { min: 1, max: 2_147_483_647 } });
  });

  it('lenient: a variable past 2^31-1 ms is clamped to it, with one warning naming the variable', () => {
    logs = captureDiag();
    const c = resolveExportConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: '2147483648', OTEL_METRIC_EXPORT_TIMEOUT: '99999999999999999999999' });
    expect(c.intervalMillis).toBe(MAX_TIMER_MS);
    expect(c.timeoutMillis).toBe(MAX_TIMER_MS);
    expect(warnings()).toEqual([
      'warn codex-otel-metrics: OTEL_METRIC_EXPORT_INTERVAL is 2147483648 ms, outside 10..2147483647 ms; using 2147483647 ms ',
      'warn codex-otel-metrics: OTEL_METRIC_EXPORT_TIMEOUT is over 10^15 ms, outside 1..2147483647 ms; using 2147483647 ms ',
    ]);
  });

  it('lenient: options out of range are clamped the same way; below the floor too', () => {
    logs = captureDiag();
    expect(resolveExportConfig({ exportIntervalMillis: 2 ** 31, exportTimeoutMillis: 2 ** 40 }, {})).toMatchObject({ intervalMillis: MAX_TIMER_MS, timeoutMillis: MAX_TIMER_MS });
    expect(resolveExportConfig({ exportIntervalMillis: 1 }, {})).toMatchObject({ intervalMillis: 10, timeoutMillis: 10 });
    expect(resolveExportConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: '5' }).intervalMillis).toBe(10);
    expect(warnings()).toHaveLength(4);
    expect(warnings()[0]).toContain('the exportIntervalMillis option is 2147483648 ms, outside 10..2147483647 ms; using 2147483647 ms');
  });

  it('strict: out of range is an ExportConfigError (invalid_option) naming the setting', () => {
    for (const [options, env, source] of [
      [{ exportIntervalMillis: 2 ** 31 }, {}, 'the exportIntervalMillis option'],
      [{ exportTimeoutMillis: 2 ** 31 }, {}, 'the exportTimeoutMillis option'],
      [{}, { OTEL_METRIC_EXPORT_INTERVAL: '2147483648' }, 'OTEL_METRIC_EXPORT_INTERVAL'],
      [{}, { OTEL_METRIC_EXPORT_INTERVAL: '9' }, 'OTEL_METRIC_EXPORT_INTERVAL'],
      [{}, { OTEL_METRIC_EXPORT_TIMEOUT: '0x10' }, 'OTEL_METRIC_EXPORT_TIMEOUT'],
    ] as const) {
      let error: unknown;
      try {
        resolveExportConfig({ ...options, strict: true }, env);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ExportConfigError);
      expect(error).toMatchObject({ code: 'invalid_option' });
      expect((error as Error).message).toContain(source);
    }
    // At the bounds: accepted.
    expect(resolveExportConfig({ strict: true, exportIntervalMillis: MAX_TIMER_MS, exportTimeoutMillis: 1 }, {})).toMatchObject({ intervalMillis: MAX_TIMER_MS, timeoutMillis: 1 });
    expect(resolveExportConfig({ strict: true }, { OTEL_METRIC_EXPORT_INTERVAL: '10' }).intervalMillis).toBe(10);
  });

  it('variables: decimal digits only; hex, binary, exponents, fractions, signs, separators and 0 are refused (default kept, one warning each)', () => {
    logs = captureDiag();
    for (const raw of ['0x10', '0b11', '0o7', '1e3', '1.5', '+100', '-100', '1_000', 'Infinity', '0', '１２']) {
      expect(resolveExportConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: raw }).intervalMillis, raw).toBe(60_000);
    }
    expect(warnings()).toHaveLength(11);
    expect(warnings()[0]).toContain('ignoring OTEL_METRIC_EXPORT_INTERVAL "0x10" is not a positive whole number of milliseconds in decimal digits');
    // Spaces around and leading zeros are fine.
    expect(resolveExportConfig({}, { OTEL_METRIC_EXPORT_INTERVAL: ' 0500 ' }).intervalMillis).toBe(500);
  });

  it('options that are not positive numbers still throw a TypeError', () => {
    for (const bad of [0, -1, NaN, Infinity, '100' as unknown as number]) {
      expect(() => resolveExportConfig({ exportIntervalMillis: bad }, {})).toThrow(TypeError);
      expect(() => resolveExportConfig({ exportTimeoutMillis: bad }, {})).toThrow(TypeError);
    }
  });

  it('end to end: OTEL_METRIC_EXPORT_INTERVAL=2147483648 does not export continuously', async () => {
    logs = captureDiag();
    collector = await startCollector(healthy);
    session = startCodexMetrics({ endpoint: collector.url, defaults: DEFAULTS, env: { OTEL_METRIC_EXPORT_INTERVAL: '2147483648' } });
    session.metrics.add('tool.call', { tool: 'shell', success: true });
    await new Promise((r) => setTimeout(r, 300));
    // Before the fix: hundreds of exports in this time (the timer fired every millisecond).
    expect(collector.receiver.requests()).toHaveLength(0);
    expect(warnings()).toHaveLength(1);
  });
});
