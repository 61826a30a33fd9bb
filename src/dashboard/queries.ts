// PromQL for every registry metric. Each selector carries the default-tag filters, so the template
// variables narrow every panel; `$__rate_interval` keeps rates correct at any scrape interval.
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, type MetricSpec } from '../catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';

export interface PanelQuery {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
}

export const RATE_WINDOW = '$__rate_interval';
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/** One template variable per default tag, named after its Prometheus label. */
export function defaultTagLabels(naming: PrometheusNaming): string[] {
  return DEFAULT_TAG_KEYS.map((key) => prometheusLabelName(key, naming));
}

/** `name{auth_mode=~"$auth_mode",…,extra}`: the variable filters plus any exact matchers. */
export function selector(series: string, naming: PrometheusNaming, matchers: Readonly<Record<string, string>> = {}): string {
  const filters = defaultTagLabels(naming).map((label) => `${label}=~"$${label}"`);
  const exact = Object.entries(matchers).map(([label, value]) => `${label}="${value}"`);
  return `${series}{${[...filters, ...exact].join(',')}}`;
}

/** Documented fields of a metric as Prometheus labels, required first. */
export function fieldLabels(metric: Pick<MetricSpec, 'required' | 'optional'>, naming: PrometheusNaming): string[] {
  return [...metric.required, ...metric.optional].map((f) => prometheusLabelName(f, naming));
}

export function sumBy(labels: readonly string[], inner: string): string {
  return labels.length === 0 ? `sum(${inner})` : `sum by (${labels.join(', ')}) (${inner})`;
}

export function rate(series: string, naming: PrometheusNaming, matchers?: Readonly<Record<string, string>>): string {
  return `rate(${selector(series, naming, matchers)}[${RATE_WINDOW}])`;
}

export function quantile(q: number, histogramBase: string, naming: PrometheusNaming): string {
  return `histogram_quantile(${q}, sum by (le) (${rate(`${histogramBase}_bucket`, naming)}))`;
}

/** Legend showing the grouping labels, e.g. `tool={{tool}} success={{success}}`. */
export function legendFor(labels: readonly string[], fallback: string): string {
  return labels.length === 0 ? fallback : labels.map((l) => `${l}={{${l}}}`).join(' ');
}

/** Counter: per-second rate split by every documented field (so `success` splits success/failure). */
export function counterQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  const labels = fieldLabels(metric, naming);
  return [{ refId: 'A', expr: sumBy(labels, rate(prometheusMetricName(metric, naming), naming)), legendFormat: legendFor(labels, 'rate') }];
}

/** Histogram: p50/p95/p99 over everything selected, plus observations per second by field. */
export function histogramQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  const base = prometheusMetricName(metric, naming);
  const labels = fieldLabels(metric, naming);
  const quantiles = QUANTILES.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    expr: quantile(q, base, naming),
    legendFormat: `p${Math.round(q * 100)}`,
  }));
  const count = { refId: COUNT_REF_ID, expr: sumBy(labels, rate(`${base}_count`, naming)), legendFormat: legendFor(labels, 'observations/s') };
  return [...quantiles, count];
}

/** refId of a histogram panel's `_count` rate, which panels put on the right axis. */
export const COUNT_REF_ID = 'D';

export function metricQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  return metric.kind === 'counter' ? counterQueries(metric, naming) : histogramQueries(metric, naming);
}

/** `label_values` query for one template variable, over every Codex series (same prefix in both modes). */
export function variableQuery(label: string): string {
  const prefix = DEFAULT_PREFIX.replace(/[^A-Za-z0-9_]/g, '_');
  return `label_values({__name__=~"${prefix}.+"}, ${label})`;
}
