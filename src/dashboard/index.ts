// Public surface of the dashboard generator.
export { buildDashboard, renderDashboardJson, sections, DASHBOARD_UID, type DashboardOptions } from './dashboard.js';
export { dashboardPanels, dashboardQueries, dashboardRows, prometheusTargets, type DashboardQuery } from './inspect.js';
export {
  DEFAULT_NAMING,
  NAMING_MODES,
  isPrometheusNaming,
  prometheusLabelName,
  prometheusMetricName,
  prometheusSeriesNames,
  type PrometheusNaming,
} from './naming.js';
export { JOB_LABEL, metricQueries, tagFilterLabels, variableQuery, type PanelQuery } from './queries.js';
export { RECORDING_WINDOW, recordedAggregates, type RecordedAggregate } from './recorded.js';
