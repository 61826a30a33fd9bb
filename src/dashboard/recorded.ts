// The aggregates the dashboard's overview reads from recording rules (src/rules/ writes the rules):
// one rate per metric over RECORDING_WINDOW, kept by `job`, the default tags Codex attaches to that
// metric and a few fields, so the overview stays cheap on a long time range and still obeys every
// template variable. Recorded names do not depend on the naming mode; their sources do.
import { JOB_LABEL, sumBy, tagFilterLabels } from './queries.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';
import type { MetricSpec } from '../catalog/spec.js';

export const RECORDING_WINDOW = '5m';
/** Prefix of the series this package's recording rules write (`level:metric:operations` style). */
export const RECORDED_PREFIX = 'codex:';

/** What is recorded: registry metric, the fields kept, and whether it is a histogram's bucket rate. */
const AGGREGATES: readonly { readonly metric: string; readonly fields: readonly string[] }[] = [
  { metric: 'api_request', fields: ['success'] },
  { metric: 'sse_event', fields: ['success'] },
  { metric: 'tool.call', fields: ['tool', 'success'] },
  { metric: 'api_request.duration_ms', fields: [] },
  { metric: 'turn.e2e_duration_ms', fields: [] },
  { metric: 'turn.ttft.duration_ms', fields: [] },
];

export interface RecordedAggregate {
  readonly metric: MetricSpec;
  /** Recorded series name, e.g. `codex:api_request:rate5m`, `codex:turn_e2e_duration_ms_bucket:rate5m`. */
  readonly record: string;
  /** Default-tag labels the recorded series keeps (those Codex attaches to the metric): the dashboard filters on them. */
  readonly tagLabels: readonly string[];
  /** Field labels kept (plus `le` for histograms). */
  readonly fieldLabels: readonly string[];
  readonly expr: string;
}

/** Every aggregate whose metric (and kept fields) the registry has. */
export function recordedAggregates(metrics: readonly MetricSpec[], naming: PrometheusNaming): RecordedAggregate[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const out: RecordedAggregate[] = [];
  for (const a of AGGREGATES) {
    const metric = byName.get(a.metric);
    if (!metric || !a.fields.every((f) => metric.required.includes(f) || metric.optional.includes(f))) continue;
    const tagLabels = tagFilterLabels(metric, naming);
    const histogram = metric.kind === 'histogram';
    const fieldLabels = histogram ? ['le'] : a.fields.map((f) => prometheusLabelName(f, naming));
    const source = prometheusMetricName(metric, naming) + (histogram ? '_bucket' : '');
    out.push({
      metric,
      record: recordedName(metric),
      tagLabels,
      fieldLabels,
      expr: sumBy([JOB_LABEL, ...tagLabels, ...fieldLabels], `rate(${source}[${RECORDING_WINDOW}])`),
    });
  }
  return out;
}

export function recordedName(metric: Pick<MetricSpec, 'name' | 'kind'>): string {
  const base = metric.name.replace(/[^A-Za-z0-9_]/g, '_');
  return `${RECORDED_PREFIX}${base}${metric.kind === 'histogram' ? '_bucket' : ''}:rate${RECORDING_WINDOW}`;
}
