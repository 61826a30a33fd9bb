// The overview row: the few numbers people open the dashboard for. Where a recording rule exists
// (src/dashboard/recorded.ts, written by `codex-otel-metrics rules`) the panel reads the recorded
// series; each panel is skipped when its metric (or the field it splits by) is not in the registry.
import type { MetricSpec } from '../catalog/spec.js';
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';
import { timeseriesPanel } from './panels.js';
import { legendFor, quantile, rate, selector, sumBy, tagFilterLabels, type PanelQuery } from './queries.js';
import { RECORDING_WINDOW, recordedAggregates, type RecordedAggregate } from './recorded.js';

const OVERVIEW_WIDTH = 8;

const API_REQUEST = 'api_request';
const SSE_EVENT = 'sse_event';
const TOOL_CALL = 'tool.call';
const API_LATENCY = 'api_request.duration_ms';
const TURN_E2E = 'turn.e2e_duration_ms';
const TURN_TTFT = 'turn.ttft.duration_ms';
const TOKEN_USAGE = 'turn.token_usage';

export function overviewPanels(metrics: readonly MetricSpec[], naming: PrometheusNaming): PanelBuilder[] {
  const recorded = new Map(recordedAggregates(metrics, naming).map((a) => [a.metric.name, a]));
  const panels: PanelBuilder[] = [];
  const success = prometheusLabelName('success', naming);
  const keeps = (a: RecordedAggregate | undefined, label: string): a is RecordedAggregate => a !== undefined && a.fieldLabels.includes(label);
  const from = (a: RecordedAggregate, matchers?: Record<string, string>) => selector(a.record, a.tagLabels, matchers);
  const source = (a: RecordedAggregate) =>
    `Reads the recording rule \`${a.record}\` (${RECORDING_WINDOW} rate; rules/*/codex-recording.yaml): load the rules, or this panel shows No data.`;

  const requests = recorded.get(API_REQUEST);
  if (keeps(requests, success)) {
    panels.push(
      timeseriesPanel({
        title: 'API request rate',
        description: `Model API requests per second, split by success.\n\n${source(requests)}`,
        unit: 'reqps',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy([success], from(requests)), legendFormat: legendFor([success], 'requests/s') }],
      }),
    );
  }

  // `or vector(0)` keeps a ratio at 0 instead of "No data" when nothing failed.
  const ratios: PanelQuery[] = [];
  const ratioSources: RecordedAggregate[] = [];
  for (const [name, legend] of [
    [API_REQUEST, 'API requests'],
    [SSE_EVENT, 'SSE events'],
    [TOOL_CALL, 'tool calls'],
  ] as const) {
    const a = recorded.get(name);
    if (!keeps(a, success)) continue;
    const failed = `(${sumBy([], from(a, { [success]: 'false' }))} or vector(0))`;
    ratios.push({ refId: String.fromCharCode(65 + ratios.length), expr: `${failed} / ${sumBy([], from(a))}`, legendFormat: legend });
    ratioSources.push(a);
  }
  if (ratios.length > 0) {
    panels.push(
      timeseriesPanel({
        title: 'Failure ratios',
        description: [
          'Share of model API requests, SSE events and tool calls with success=false.',
          '',
          'A response stream cut mid-answer (a proxy or load balancer dropping the connection) counts as a successful API request (status 200, then a retry): it shows only in the SSE ratio, as sse_event{kind="unknown"} (docs/codex-cli.md, "Error ratios and cut streams").',
          '',
          `Reads the recording rules ${ratioSources.map((a) => `\`${a.record}\``).join(', ')} (${RECORDING_WINDOW} rates): load rules/*/codex-recording.yaml, or this panel shows No data.`,
        ].join('\n'),
        unit: 'percentunit',
        width: OVERVIEW_WIDTH,
        queries: ratios,
      }),
    );
  }

  const latency = recorded.get(API_LATENCY);
  if (latency) {
    panels.push(
      timeseriesPanel({
        title: 'API latency p95',
        description: `95th percentile of model API request duration.\n\n${source(latency)}`,
        unit: 'ms',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: quantile(0.95, from(latency)), legendFormat: 'p95' }],
      }),
    );
  }

  for (const [name, title, description] of [
    [TURN_E2E, 'Turn end-to-end p50 / p95', 'Duration of a whole turn, from user input to the final response.'],
    [TURN_TTFT, 'Time to first token p50 / p95', 'Time from the start of a turn to the first token of the model response.'],
  ] as const) {
    const a = recorded.get(name);
    if (!a) continue;
    panels.push(
      timeseriesPanel({
        title,
        description: `${description}\n\n${source(a)}`,
        unit: 'ms',
        width: OVERVIEW_WIDTH,
        queries: [
          { refId: 'A', expr: quantile(0.5, from(a)), legendFormat: 'p50' },
          { refId: 'B', expr: quantile(0.95, from(a)), legendFormat: 'p95' },
        ],
      }),
    );
  }

  const tools = recorded.get(TOOL_CALL);
  const tool = prometheusLabelName('tool', naming);
  if (keeps(tools, tool)) {
    panels.push(
      timeseriesPanel({
        title: 'Tool calls by tool',
        description: `Tool invocations per second by tool name.\n\n${source(tools)}`,
        unit: 'cps',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy([tool], from(tools)), legendFormat: legendFor([tool], 'calls/s') }],
      }),
    );
  }

  const tokens = metrics.find((m) => m.name === TOKEN_USAGE && (m.required.includes('token_type') || m.optional.includes('token_type')));
  if (tokens) {
    const by = [prometheusLabelName('token_type', naming)];
    const sum = `${prometheusMetricName(tokens, naming)}_sum`;
    panels.push(
      timeseriesPanel({
        title: 'Token usage by token type',
        // The histogram's _sum grows by the tokens of every turn, so its rate is tokens per second.
        description: 'Tokens per second by token type, from the per-turn token usage histogram.',
        unit: 'short',
        axisLabel: 'tokens/s',
        width: OVERVIEW_WIDTH,
        queries: [{ refId: 'A', expr: sumBy(by, rate(sum, tagFilterLabels(tokens, naming))), legendFormat: legendFor(by, 'tokens/s') }],
      }),
    );
  }
  return panels;
}
