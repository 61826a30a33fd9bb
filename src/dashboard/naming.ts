// OTLP metric/attribute names → the names Prometheus stores, for the two pipelines people run.
//
// `collector`: OpenTelemetry Collector `prometheus` exporter and Prometheus 3 OTLP ingestion with their
//   default translation strategy (`UnderscoreEscapingWithSuffixes`): the unit word is appended unless the
//   name already has it (`ms` → `_milliseconds`), braced annotation units (`{token}`) and `1` add nothing,
//   counters end in `_total`.
// `plain`: what `@opentelemetry/exporter-prometheus` (JS) serves, i.e. `UnderscoreEscapingWithoutSuffixes`
//   except that counters still end in `_total`: characters escaped to `_`, no unit word.
import { DEFAULT_PREFIX, type MetricSpec } from '../catalog/spec.js';
import { findGenAiMetric } from '../genai/conventions.js';

const isGenAiMetricName = (name: string): boolean => findGenAiMetric(name) !== undefined;

export const NAMING_MODES = ['collector', 'plain'] as const;
export type PrometheusNaming = (typeof NAMING_MODES)[number];

/** Matches the stock Collector and Prometheus 3 OTLP ingestion, the pipelines Codex's OTLP export meets. */
export const DEFAULT_NAMING: PrometheusNaming = 'collector';

export function isPrometheusNaming(value: string): value is PrometheusNaming {
  return (NAMING_MODES as readonly string[]).includes(value);
}

type NamedMetric = Pick<MetricSpec, 'name' | 'kind' | 'unit'>;

// Only the units the catalog uses (plus seconds and bytes) need words; an unknown unit is used as written,
// which is what the Collector does too.
const UNIT_WORDS: Readonly<Record<string, string>> = {
  '1': '',
  ms: 'milliseconds',
  s: 'seconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  '%': 'percent',
};
const PER_UNIT_WORDS: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

/**
 * Prometheus name of a metric's main series: `…_total` for counters, the histogram base name
 * (without `_bucket`/`_count`/`_sum`) for histograms.
 */
export function prometheusMetricName(metric: NamedMetric, naming: PrometheusNaming): string {
  // The GenAI view's metrics keep the convention's own names (no codex. prefix).
  const otlpName = isGenAiMetricName(metric.name) ? metric.name : `${DEFAULT_PREFIX}${metric.name}`;
  return naming === 'collector' ? collectorName(otlpName, metric) : plainName(otlpName, metric);
}

/** Every series name Prometheus stores for the metric. */
export function prometheusSeriesNames(metric: NamedMetric, naming: PrometheusNaming): string[] {
  const base = prometheusMetricName(metric, naming);
  return metric.kind === 'histogram' ? [`${base}_bucket`, `${base}_count`, `${base}_sum`] : [base];
}

/** Prometheus label name of an attribute key (`app.version` → `app_version`); same in both modes here. */
export function prometheusLabelName(key: string, naming: PrometheusNaming): string {
  const escaped = key.replace(/[^A-Za-z0-9_]/g, '_');
  // The JS exporter squeezes runs of underscores; the Collector keeps them.
  const label = naming === 'plain' ? escaped.replace(/_{2,}/g, '_') : escaped;
  return /^[0-9]/.test(label) ? `key_${label}` : label;
}

function plainName(otlpName: string, metric: NamedMetric): string {
  const name = otlpName.replace(/[^A-Za-z0-9_]/g, '_').replace(/_{2,}/g, '_');
  return metric.kind === 'counter' && !name.endsWith('_total') ? `${name}_total` : name;
}

function collectorName(otlpName: string, metric: NamedMetric): string {
  // Underscores separate tokens too, so `a__b` and `a.b` both become `a_b`.
  let tokens = otlpName.split(/[^A-Za-z0-9:]+/).filter((t) => t !== '');
  const [mainUnit = '', perUnit = ''] = metric.unit.split('/', 2).map((u) => u.trim());
  const main = unitWord(mainUnit, UNIT_WORDS);
  const per = unitWord(perUnit, PER_UNIT_WORDS);
  if (main && !tokens.includes(main)) tokens.push(main);
  if (per && !tokens.includes(`per_${per}`)) tokens.push('per', per);
  if (metric.kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  const name = tokens.join('_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

function unitWord(unit: string, words: Readonly<Record<string, string>>): string {
  // `{token}`-style annotations are not units.
  if (unit === '' || /[{}]/.test(unit)) return '';
  return (words[unit] ?? unit).replace(/[^A-Za-z0-9:]+/g, '_').replace(/^_+|_+$/g, '');
}
