// Reads panels and PromQL back out of a built dashboard, including panels inside collapsed rows.
// Tests use it to prove every query; it works on the JSON too, so a hand-edited file can be checked.
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery as PrometheusQuery } from '@grafana/grafana-foundation-sdk/prometheus';

export interface DashboardQuery {
  readonly panelId: number | undefined;
  readonly panelTitle: string;
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
}

/** Every non-row panel, in dashboard order. */
export function dashboardPanels(dashboard: Pick<Dashboard, 'panels'>): Panel[] {
  const out: Panel[] = [];
  for (const p of dashboard.panels ?? []) {
    if (isRow(p)) out.push(...(p.panels ?? []));
    else out.push(p);
  }
  return out;
}

export function dashboardRows(dashboard: Pick<Dashboard, 'panels'>): RowPanel[] {
  return (dashboard.panels ?? []).filter(isRow);
}

/** A panel's targets as Prometheus queries (every panel this package builds uses Prometheus). */
export function prometheusTargets(panel: Panel): PrometheusQuery[] {
  return (panel.targets ?? []) as PrometheusQuery[];
}

export function dashboardQueries(dashboard: Pick<Dashboard, 'panels'>): DashboardQuery[] {
  return dashboardPanels(dashboard).flatMap((panel) =>
    prometheusTargets(panel).map((t) => ({
      panelId: panel.id,
      panelTitle: panel.title ?? '',
      refId: t.refId ?? '',
      expr: t.expr,
      legendFormat: t.legendFormat ?? '',
    })),
  );
}

function isRow(panel: Panel | RowPanel): panel is RowPanel {
  return panel.type === 'row';
}
