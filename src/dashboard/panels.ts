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
import { COUNT_REF_ID, fieldLabels, metricQueries, type PanelQuery } from './queries.js';

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

/** The panel for one registry metric: counter rate by field, or histogram quantiles plus `_count` rate. */
export function metricPanel(metric: MetricSpec, naming: PrometheusNaming): PanelBuilder {
  const isCounter = metric.kind === 'counter';
  const panel = timeseriesPanel({
    title: isCounter ? `${metric.name} (per second)` : `${metric.name} p50 / p95 / p99`,
    description: describe(metric, naming),
    // A counter's rate is events per second whatever its unit; a histogram's quantiles carry the unit.
    unit: isCounter ? 'cps' : grafanaUnit(metric.unit),
    axisLabel: isCounter ? undefined : axisLabelFor(metric.unit),
    queries: metricQueries(metric, naming),
  });
  if (!isCounter) {
    // Observation rate is a different unit, so it gets the right-hand axis.
    panel.overrideByQuery(COUNT_REF_ID, [
      { id: 'unit', value: 'cps' },
      { id: 'custom.axisPlacement', value: AxisPlacement.Right },
      { id: 'custom.axisLabel', value: 'observations/s' },
    ]);
  }
  return panel;
}

function describe(metric: MetricSpec, naming: PrometheusNaming): string {
  const fields = fieldLabels(metric, naming);
  return [
    metric.description,
    '',
    `OTLP: \`${DEFAULT_PREFIX}${metric.name}\` (${metric.kind}, unit \`${metric.unit}\`).`,
    `Prometheus (${naming} naming): ${prometheusSeriesNames(metric, naming).map((s) => `\`${s}\``).join(', ')}.`,
    fields.length > 0 ? `Split by: ${fields.map((f) => `\`${f}\``).join(', ')}.` : 'No per-call fields.',
  ].join('\n');
}
