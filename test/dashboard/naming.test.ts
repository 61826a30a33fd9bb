import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../src/catalog/spec.js';
import {
  DEFAULT_NAMING,
  isPrometheusNaming,
  prometheusLabelName,
  prometheusMetricName,
  prometheusSeriesNames,
} from '../../src/dashboard/naming.js';
import { METRICS } from '../../src/generated/catalog.js';

const metric = (name: string, kind: MetricSpec['kind'], unit: string) => ({ name, kind, unit });

describe('plain naming (@opentelemetry/exporter-prometheus)', () => {
  it('escapes dots, adds _total to counters and no unit word', () => {
    expect(prometheusMetricName(metric('api_request', 'counter', '1'), 'plain')).toBe('codex_api_request_total');
    expect(prometheusSeriesNames(metric('api_request.duration_ms', 'histogram', 'ms'), 'plain')).toEqual([
      'codex_api_request_duration_ms_bucket',
      'codex_api_request_duration_ms_count',
      'codex_api_request_duration_ms_sum',
    ]);
    expect(prometheusMetricName(metric('turn.token_usage', 'histogram', '{token}'), 'plain')).toBe('codex_turn_token_usage');
  });

  it('does not double _total', () => {
    expect(prometheusMetricName(metric('x.done_total', 'counter', '1'), 'plain')).toBe('codex_x_done_total');
  });
});

describe('collector naming (UnderscoreEscapingWithSuffixes)', () => {
  it('appends the unit word, even when the name ends in the unit symbol', () => {
    expect(prometheusSeriesNames(metric('api_request.duration_ms', 'histogram', 'ms'), 'collector')[0]).toBe(
      'codex_api_request_duration_ms_milliseconds_bucket',
    );
    expect(prometheusMetricName(metric('memory.phase1.e2e_ms', 'histogram', 'ms'), 'collector')).toBe('codex_memory_phase1_e2e_ms_milliseconds');
  });

  it('drops annotation units and unit 1, and ends counters in _total', () => {
    expect(prometheusMetricName(metric('api_request', 'counter', '1'), 'collector')).toBe('codex_api_request_total');
    expect(prometheusMetricName(metric('turn.token_usage', 'histogram', '{token}'), 'collector')).toBe('codex_turn_token_usage');
    expect(prometheusMetricName(metric('thread.skills.truncated', 'histogram', '1'), 'collector')).toBe('codex_thread_skills_truncated');
    // Histograms keep a `total` word; counters move it to the end.
    expect(prometheusMetricName(metric('thread.skills.enabled_total', 'histogram', '{skill}'), 'collector')).toBe(
      'codex_thread_skills_enabled_total',
    );
    expect(prometheusMetricName(metric('a.total.b', 'counter', '1'), 'collector')).toBe('codex_a_b_total');
  });

  it('does not repeat a unit word the name already has, and spells per-units', () => {
    expect(prometheusMetricName(metric('wait.seconds', 'histogram', 's'), 'collector')).toBe('codex_wait_seconds');
    expect(prometheusMetricName(metric('net.io', 'counter', 'By/s'), 'collector')).toBe('codex_net_io_bytes_per_second_total');
  });
});

describe('labels', () => {
  it('escapes attribute keys the same way in both modes for the default tags', () => {
    for (const naming of ['collector', 'plain'] as const) {
      expect(prometheusLabelName('app.version', naming)).toBe('app_version');
      expect(prometheusLabelName('auth_mode', naming)).toBe('auth_mode');
    }
  });
});

describe('the registry', () => {
  it('gives every metric distinct series names in both modes', () => {
    for (const naming of ['collector', 'plain'] as const) {
      const names = METRICS.flatMap((m) => prometheusSeriesNames(m, naming));
      expect(new Set(names).size).toBe(names.length);
      for (const n of names) expect(n).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    }
  });

  it('defaults to collector naming and validates mode names', () => {
    expect(DEFAULT_NAMING).toBe('collector');
    expect(isPrometheusNaming('plain')).toBe(true);
    expect(isPrometheusNaming('utf8')).toBe(false);
  });
});
