// The overview row: the few numbers people open the dashboard for. Each panel is skipped when its
// metric (or the field it splits by) is not in the registry it is built from.
import type { MetricSpec } from '../catalog/spec.js';
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';
import { timeseriesPanel } from './panels.js';
import { legendFor, quantile, rate, sumBy } from './queries.js';

const OVERVIEW_WIDTH = 8;

const API_REQUEST = 'api_request';
const API_LATENCY = 'api_request.duration_ms';
const TURN_E2E = 'turn.e2e_duration_ms';
const TOOL_CALL = 'tool.call';
const TOKEN_USAGE = 'turn.token_usage';

export function overviewPanels(metrics: readonly MetricSpec[], naming: PrometheusNaming): PanelBuilder[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const has = (name: string, field?: string): MetricSpec | undefined => {
    const m = byName.get(name);
    return m && (!field || m.required.includes(field) || m.optional.includes(field)) ? m : undefined;
  };
  const panels: PanelBuilder[] = [];
  const success = prometheusLabelName('success', naming);

  const requests = has(API_REQUEST);
  if (requests) {
    const series = prometheusMetricName(requests, naming);
    const split = has(API_REQUEST, 'success') ? [success] : [];
    panels.push(
      timeseriesPanel({
        title: 'API request rate',
        description: 'Model API requests per second, split by success.',
        unit: 'reqps',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy(split, rate(series, naming)), legendFormat: legendFor(split, 'requests/s') }],
      }),
    );
    if (split.length > 0) {
      // `or vector(0)` keeps the ratio at 0 instead of "No data" when nothing failed.
      const failed = `(${sumBy([], rate(series, naming, { [success]: 'false' }))} or vector(0))`;
      panels.push(
        timeseriesPanel({
          title: 'API error ratio',
          description: 'Share of model API requests with success=false.',
          unit: 'percentunit',
          width: OVERVIEW_WIDTH,
          queries: [{ refId: 'A', expr: `${failed} / ${sumBy([], rate(series, naming))}`, legendFormat: 'error ratio' }],
        }),
      );
    }
  }

  const latency = has(API_LATENCY);
  if (latency) {
    panels.push(
      timeseriesPanel({
        title: 'API latency p95',
        description: '95th percentile of model API request duration.',
        unit: 'ms',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: quantile(0.95, prometheusMetricName(latency, naming), naming), legendFormat: 'p95' }],
      }),
    );
  }

  const turn = has(TURN_E2E);
  if (turn) {
    const base = prometheusMetricName(turn, naming);
    panels.push(
      timeseriesPanel({
        title: 'Turn end-to-end p50 / p95',
        description: 'Duration of a whole turn, from user input to the final response.',
        unit: 'ms',
        width: OVERVIEW_WIDTH,
        queries: [
          { refId: 'A', expr: quantile(0.5, base, naming), legendFormat: 'p50' },
          { refId: 'B', expr: quantile(0.95, base, naming), legendFormat: 'p95' },
        ],
      }),
    );
  }

  const tools = has(TOOL_CALL, 'tool');
  if (tools) {
    const by = [prometheusLabelName('tool', naming)];
    panels.push(
      timeseriesPanel({
        title: 'Tool calls by tool',
        description: 'Tool invocations per second by tool name.',
        unit: 'cps',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy(by, rate(prometheusMetricName(tools, naming), naming)), legendFormat: legendFor(by, 'calls/s') }],
      }),
    );
  }

  const tokens = has(TOKEN_USAGE, 'token_type');
  if (tokens) {
    const by = [prometheusLabelName('token_type', naming)];
    panels.push(
      timeseriesPanel({
        title: 'Token usage by token type',
        // The histogram's _sum grows by the tokens of every turn, so its rate is tokens per second.
        description: 'Tokens per second by token type, from the per-turn token usage histogram.',
        unit: 'short',
        axisLabel: 'tokens/s',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy(by, rate(`${prometheusMetricName(tokens, naming)}_sum`, naming)), legendFormat: legendFor(by, 'tokens/s') }],
      }),
    );
  }
  return panels;
}
