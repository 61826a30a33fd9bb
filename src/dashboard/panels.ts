// Time-series panels, built with the foundation SDK: one per registry metric, plus the shared look.
import {
  AxisPlacement,
  LegendDisplayMode,
  LegendPlacement,
  SortOrder,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
  type DataSourceRef,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DEFAULT_PREFIX, type MetricSpec } from '../catalog/spec.js';
import { prometheusSeriesNames, type PrometheusNaming } from './naming.js';
import { COUNT_REF_ID, JOB_LABEL, defaultTagLabels, fieldLabels, isOncePerProcess, isRareCounter, metricQueries, tagFilterLabels, type PanelQuery } from './queries.js';

/** Every panel and query follows the dashboard's `$datasource` variable. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export const PANEL_WIDTH = 12;
export const PANEL_HEIGHT = 8;

/** Grafana unit id for a registry unit; annotation units (`{token}`) are plain numbers. */
export function grafanaUnit(unit: string): string {
  if (unit === 'ms') return 'ms';
  if (unit === 's') return 's';
  return 'short';
}

/** Axis label for annotation units, which Grafana has no unit for: `{token}` → `tokens`. */
export function axisLabelFor(unit: string): string | undefined {
  const match = /^\{(.+)\}$/.exec(unit);
  return match ? `${match[1]}s` : undefined;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  readonly width?: number;
  readonly height?: number;
  readonly axisLabel?: string;
}

export function timeseriesPanel(spec: PanelSpec): PanelBuilder {
  const panel = new PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .min(0)
    .span(spec.width ?? PANEL_WIDTH)
    .height(spec.height ?? PANEL_HEIGHT)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending));
  if (spec.axisLabel) panel.axisLabel(spec.axisLabel);
  for (const q of spec.queries) {
    panel.withTarget(new DataqueryBuilder().datasource(DATASOURCE).refId(q.refId).expr(q.expr).legendFormat(q.legendFormat).range());
  }
  return panel;
}

/**
 * The panel for one registry metric: counter rate by field (events per window for rare counters), or
 * histogram quantiles plus `_count` rate.
 */
export function metricPanel(metric: MetricSpec, naming: PrometheusNaming): PanelBuilder {
  const isCounter = metric.kind === 'counter';
  const rare = isRareCounter(metric);
  const once = isOncePerProcess(metric);
  const counterTitle = once ? '(held by processes in the window)' : rare ? '(events per interval)' : '(per second)';
  const panel = timeseriesPanel({
    title: isCounter ? `${metric.name} ${counterTitle}` : `${metric.name} p50 / p95 / p99`,
    description: describe(metric, naming),
    // A counter's rate is events per second whatever its unit; a histogram's quantiles carry the unit.
    unit: isCounter ? (rare || once ? 'short' : 'cps') : grafanaUnit(metric.unit),
    axisLabel: isCounter ? undefined : axisLabelFor(metric.unit),
    queries: metricQueries(metric, naming),
  });
  if (!isCounter) {
    // Observation rate (or count) is a different unit, so it gets the right-hand axis.
    panel.overrideByQuery(COUNT_REF_ID, [
      { id: 'unit', value: once ? 'short' : 'cps' },
      { id: 'custom.axisPlacement', value: AxisPlacement.Right },
      { id: 'custom.axisLabel', value: once ? 'observations' : 'observations/s' },
    ]);
  }
  return panel;
}

function describe(metric: MetricSpec, naming: PrometheusNaming): string {
  const fields = fieldLabels(metric, naming);
  const lines = [
    metric.description,
    '',
    `OTLP: \`${DEFAULT_PREFIX}${metric.name}\` (${metric.kind}, unit \`${metric.unit}\`).`,
    `Prometheus (${naming} naming): ${prometheusSeriesNames(metric, naming).map((s) => `\`${s}\``).join(', ')}.`,
    fields.length > 0 ? `Split by: ${fields.map((f) => `\`${f}\``).join(', ')}.` : 'No per-call fields.',
  ];
  if (isRareCounter(metric)) {
    lines.push('Rare event: drawn as the number of events in each $__rate_interval window (increase), not per second.');
  }
  if (isOncePerProcess(metric)) {
    lines.push(
      'Recorded about once per process, at start-up: a rate or increase of it reads 0 (a quantile NaN) while its series exist, so this panel shows what the series hold (max_over_time over each $__rate_interval window, summed): the counts and distributions of the processes seen in that window.',
    );
  }
  lines.push(filterNote(metric, naming));
  return lines.join('\n');
}

/** Which variables narrow the panel, and why the others do not (the Codex CLI does not send those tags). */
function filterNote(metric: MetricSpec, naming: PrometheusNaming): string {
  const applied = [JOB_LABEL, ...tagFilterLabels(metric, naming)];
  const ignored = defaultTagLabels(naming).filter((l) => !applied.includes(l));
  const vars = (labels: readonly string[]) => labels.map((l) => `$${l}`).join(', ');
  if (ignored.length === 0) return `Filtered by ${vars(applied)}.`;
  const fields = new Set(fieldLabels(metric, naming));
  const why =
    metric.tags === 'session'
      ? ''
      : metric.tags === 'originator'
        ? ' The Codex CLI records this metric with the originator tag only.'
        : ' The Codex CLI records this metric outside a session, without default tags.';
  const ownFields = ignored.filter((l) => fields.has(l));
  const own =
    ownFields.length > 0
      ? ` Here ${ownFields.map((l) => `\`${l}\``).join(', ')} is the metric's own per-call field (the panel is split by it), not the default tag.`
      : '';
  return `Filtered by ${vars(applied)} only; ${vars(ignored)} do not apply to this panel.${why}${own}`;
}
