// Test helper: hand-made OTLP/JSON requests, to put exactly one mistake on the wire at a time.
import type { OtlpKeyValue, OtlpMetric, OtlpMetricsRequest } from '../../src/verify/otlp-types.js';

export const DEFAULTS = {
  auth_mode: 'ApiKey',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5',
  'app.version': '0.136.0',
} as const;

export type Attrs = Record<string, string | number | boolean>;

export function keyValues(attrs: Attrs): OtlpKeyValue[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : { intValue: String(v) },
  }));
}

const START = '1700000000000000000';
const time = (step: number) => String(BigInt(START) + BigInt(step) * 1_000_000_000n);

export interface SumOptions {
  unit?: string;
  monotonic?: boolean;
  temporality?: 0 | 1 | 2;
  step?: number;
}

export function sum(name: string, values: [value: number, attrs: Attrs][], o: SumOptions = {}): OtlpMetric {
  return {
    name,
    unit: o.unit ?? '1',
    sum: {
      isMonotonic: o.monotonic ?? true,
      aggregationTemporality: o.temporality ?? 2,
      dataPoints: values.map(([value, attrs]) => ({
        attributes: keyValues(attrs),
        startTimeUnixNano: START,
        timeUnixNano: time(o.step ?? 1),
        asInt: String(value),
      })),
    },
  };
}

export function histogram(name: string, records: [count: number, attrs: Attrs][], o: { unit?: string; temporality?: 0 | 1 | 2 } = {}): OtlpMetric {
  return {
    name,
    unit: o.unit ?? 'ms',
    histogram: {
      aggregationTemporality: o.temporality ?? 2,
      dataPoints: records.map(([count, attrs]) => ({
        attributes: keyValues(attrs),
        startTimeUnixNano: START,
        timeUnixNano: time(1),
        count: String(count),
        sum: count * 10,
        bucketCounts: [String(count), '0'],
        explicitBounds: [100],
      })),
    },
  };
}

export function gauge(name: string, value: number, attrs: Attrs, unit = '1'): OtlpMetric {
  return { name, unit, gauge: { dataPoints: [{ attributes: keyValues(attrs), timeUnixNano: time(1), asDouble: value }] } };
}

export function request(...metrics: OtlpMetric[]): OtlpMetricsRequest {
  return {
    resourceMetrics: [
      {
        resource: { attributes: keyValues({ 'service.name': 'codex' }) },
        scopeMetrics: [{ scope: { name: 'codex' }, metrics }],
      },
    ],
  };
}

export async function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export async function postBytes(url: string, body: Uint8Array, headers: Record<string, string>): Promise<Response> {
  return fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
}
