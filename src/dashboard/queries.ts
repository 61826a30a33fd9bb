// PromQL for every registry metric. Each selector filters by `$job` and by the default-tag variables
// of the tags the Codex CLI attaches to that metric (MetricSpec.tags), so a selection never hides a
// metric recorded without those tags; `$__rate_interval` keeps windows correct at any scrape interval.
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, defaultTagsOf, type MetricSpec } from '../catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';

export interface PanelQuery {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
}

export const RATE_WINDOW = '$__rate_interval';
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * The label that tells Codex processes and hosts apart. With the Collector (and Prometheus 3 OTLP
 * ingestion) it is the resource's `service.name` (`codex_exec`, …; `service.namespace/service.name`
 * when a namespace is set); when Prometheus scrapes an exporter it is the scrape job's name.
 */
export const JOB_LABEL = 'job';

/**
 * Counters that count per model request, streamed event, tool call or turn: drawn as per-second
 * rates. Every other counter counts rare events (start-up, set-up, background jobs, thread
 * lifecycle), which a per-second rate rounds to nothing, so those panels show `increase(...)`.
 */
export const PER_REQUEST_COUNTERS: ReadonlySet<string> = new Set([
  'api_request',
  'sse_event',
  'websocket.request',
  'websocket.event',
  'websocket.continuation',
  'responses.reasoning_replay',
  'tool.call',
  'tool.unified_exec',
  'mcp.call',
  'hooks.run',
  'turn.network_proxy',
  'turn.memory',
  'memories.usage',
  'auth.selection',
  'rollout.persistence.append',
]);

/**
 * Metrics a process records about once, at start-up: start-up phases, the local SQLite databases,
 * credential storage, the skills catalog, the plugin start-up sync and the initial state DB backfill.
 * Their series are flat after the first sample (and every new process is a new series, whose first
 * sample `increase` never counts), so a rate or increase reads 0, and a quantile NaN, while the series
 * exist. Their panels show what the series hold: `max_over_time` over the window, summed, i.e. the
 * counts (or distributions) of the processes seen in that window.
 */
export const ONCE_PER_PROCESS: ReadonlySet<string> = new Set([
  'process.start',
  'startup.phase.duration_ms',
  'startup_prewarm.duration_ms',
  'startup_prewarm.age_at_first_turn_ms',
  'startup_prewarm.websocket_check',
  'sqlite.init.count',
  'sqlite.init.duration_ms',
  'auth_storage.operation',
  'auth_storage.duration',
  'skills.catalog.entries',
  'skills.shadow_selection',
  'skills.shadow_selection.duration_ms',
  'skills.shadow_selection.catalog_entries',
  'skills.shadow_selection.selected_entries',
  'skills.shadow_selection.query_terms',
  'skills.shadow_selection.reduction_bps',
  'plugins.startup_sync',
  'plugins.startup_sync.final',
  'db.backfill',
  'db.backfill.duration_ms',
]);

export function isOncePerProcess(metric: Pick<MetricSpec, 'name'>): boolean {
  return ONCE_PER_PROCESS.has(metric.name);
}

type ScopedMetric = Pick<MetricSpec, 'tags' | 'required' | 'optional'>;

/** One template variable per default tag, named after its Prometheus label. */
export function defaultTagLabels(naming: PrometheusNaming): string[] {
  return DEFAULT_TAG_KEYS.map((key) => prometheusLabelName(key, naming));
}

/**
 * Default-tag labels a metric's queries filter on: the tags Codex attaches to it, minus any that is
 * also one of its own fields (`originator` on `windows_sandbox.*` is the per-call value, not the tag).
 */
export function tagFilterLabels(metric: ScopedMetric, naming: PrometheusNaming): string[] {
  const fields = new Set(fieldLabels(metric, naming));
  return defaultTagsOf(metric.tags)
    .map((key) => prometheusLabelName(key, naming))
    .filter((label) => !fields.has(label));
}

/** `name{job=~"$job",model=~"$model",…,extra}`: the variable filters plus any exact matchers. */
/** `present`: labels that must be set (`label!=""`), e.g. `error.type` for failures only. */
export function selector(series: string, filterLabels: readonly string[], matchers: Readonly<Record<string, string>> = {}, present: readonly string[] = []): string {
  const filters = [JOB_LABEL, ...filterLabels].map((label) => `${label}=~"$${label}"`);
  const exact = Object.entries(matchers).map(([label, value]) => `${label}="${value}"`);
  const set = present.map((label) => `${label}!=""`);
  return `${series}{${[...filters, ...exact, ...set].join(',')}}`;
}

/** Documented fields of a metric as Prometheus labels, required first. */
export function fieldLabels(metric: Pick<MetricSpec, 'required' | 'optional'>, naming: PrometheusNaming): string[] {
  return [...metric.required, ...metric.optional].map((f) => prometheusLabelName(f, naming));
}

export function sumBy(labels: readonly string[], inner: string): string {
  return labels.length === 0 ? `sum(${inner})` : `sum by (${labels.join(', ')}) (${inner})`;
}

export function rate(series: string, filterLabels: readonly string[], matchers?: Readonly<Record<string, string>>): string {
  return `rate(${selector(series, filterLabels, matchers)}[${RATE_WINDOW}])`;
}

export function increase(series: string, filterLabels: readonly string[]): string {
  return `increase(${selector(series, filterLabels)}[${RATE_WINDOW}])`;
}

/** What each series held in the window: never 0 while a series exists (ONCE_PER_PROCESS). */
export function held(series: string, filterLabels: readonly string[]): string {
  return `max_over_time(${selector(series, filterLabels)}[${RATE_WINDOW}])`;
}

/** p-quantile over the selected `_bucket` series (raw, or a recorded bucket rate when `recorded`). */
export function quantile(q: number, bucketRate: string): string {
  return `histogram_quantile(${q}, sum by (le) (${bucketRate}))`;
}

/** Legend showing the grouping labels, e.g. `tool={{tool}} success={{success}}`. */
export function legendFor(labels: readonly string[], fallback: string): string {
  return labels.length === 0 ? fallback : labels.map((l) => `${l}={{${l}}}`).join(' ');
}

export function isRareCounter(metric: Pick<MetricSpec, 'name' | 'kind'>): boolean {
  return metric.kind === 'counter' && !PER_REQUEST_COUNTERS.has(metric.name) && !ONCE_PER_PROCESS.has(metric.name);
}

/** Counter: per-second rate (events per window when rare, held counts when once per process), split by every documented field. */
export function counterQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  const labels = fieldLabels(metric, naming);
  const series = prometheusMetricName(metric, naming);
  const filters = tagFilterLabels(metric, naming);
  if (isOncePerProcess(metric)) return [{ refId: 'A', expr: sumBy(labels, held(series, filters)), legendFormat: legendFor(labels, 'processes') }];
  const inner = isRareCounter(metric) ? increase(series, filters) : rate(series, filters);
  return [{ refId: 'A', expr: sumBy(labels, inner), legendFormat: legendFor(labels, isRareCounter(metric) ? 'events' : 'rate') }];
}

/** Histogram: p50/p95/p99 over everything selected, plus observations per second (held observations when once per process) by field. */
export function histogramQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  const base = prometheusMetricName(metric, naming);
  const labels = fieldLabels(metric, naming);
  const filters = tagFilterLabels(metric, naming);
  const window = isOncePerProcess(metric) ? held : rate;
  const quantiles = QUANTILES.map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    expr: quantile(q, window(`${base}_bucket`, filters)),
    legendFormat: `p${Math.round(q * 100)}`,
  }));
  const count = {
    refId: COUNT_REF_ID,
    expr: sumBy(labels, window(`${base}_count`, filters)),
    legendFormat: legendFor(labels, isOncePerProcess(metric) ? 'observations' : 'observations/s'),
  };
  return [...quantiles, count];
}

/** refId of a histogram panel's `_count` rate, which panels put on the right axis. */
export const COUNT_REF_ID = 'D';

export function metricQueries(metric: MetricSpec, naming: PrometheusNaming): PanelQuery[] {
  return metric.kind === 'counter' ? counterQueries(metric, naming) : histogramQueries(metric, naming);
}

/**
 * `label_values` query of a template variable: the values of `label` on the anchor series (one
 * metric, not every `codex_*` series), narrowed by the variables before it (`chain`).
 */
export function variableQuery(label: string, anchor: string, chain: readonly string[] = []): string {
  const filters = chain.map((l) => `${l}=~"$${l}"`);
  if (filters.length === 0) return `label_values(${anchor}, ${label})`;
  // The fallback anchor is itself a `{…}` selector: add the filters inside it.
  const selected = anchor.endsWith('}') ? `${anchor.slice(0, -1)},${filters.join(',')}}` : `${anchor}{${filters.join(',')}}`;
  return `label_values(${selected}, ${label})`;
}

/**
 * Series the variables read their values from: the API request counter, which every Codex session
 * sends with all five default tags. A registry without it falls back to its first session-tagged
 * counter, then to every Codex series.
 */
export function variableAnchor(metrics: readonly MetricSpec[], naming: PrometheusNaming): string {
  const anchor = metrics.find((m) => m.name === 'api_request') ?? metrics.find((m) => m.kind === 'counter' && m.tags === 'session');
  if (anchor) return prometheusMetricName(anchor, naming);
  return `{__name__=~"${DEFAULT_PREFIX.replace(/[^A-Za-z0-9_]/g, '_')}.+"}`;
}
