// The "GenAI (semantic conventions)" row: the GenAI view's metrics (src/genai/), which the package
// records only with `genAi: true`, so the row starts collapsed and its queries run only when opened.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { ERROR_TYPE, GEN_AI_OPERATION_NAME, GEN_AI_TOKEN_TYPE } from '../genai/attributes.js';
import { findGenAiMetric, GEN_AI_OPERATION_DURATION, GEN_AI_TIME_TO_FIRST_CHUNK, GEN_AI_TOKEN_USAGE, type GenAiMetricSpec } from '../genai/conventions.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from './naming.js';
import { timeseriesPanel } from './panels.js';
import { legendFor, rate, RATE_WINDOW, selector, sumBy, tagFilterLabels } from './queries.js';

const ENABLE = 'Recorded only with the genAi option (CODEX_OTEL_METRICS_GENAI=true); see docs/genai.md.';

export function genAiPanels(naming: PrometheusNaming): PanelBuilder[] {
  const metric = (name: string): GenAiMetricSpec => findGenAiMetric(name)!;
  const label = (key: string) => prometheusLabelName(key, naming);
  const series = (name: string) => prometheusMetricName(metric(name), naming);
  const filters = (name: string) => tagFilterLabels(metric(name), naming);
  const operation = label(GEN_AI_OPERATION_NAME);
  const error = label(ERROR_TYPE);
  const tokenType = label(GEN_AI_TOKEN_TYPE);
  const duration = series(GEN_AI_OPERATION_DURATION);
  const quantileBy = (q: number, name: string, by: readonly string[]) =>
    `histogram_quantile(${q}, ${sumBy(['le', ...by], rate(`${series(name)}_bucket`, filters(name)))})`;
  const chatCount = (matchers: Record<string, string>) => `rate(${selector(`${duration}_count`, filters(GEN_AI_OPERATION_DURATION), { [operation]: 'chat', ...matchers })}[${RATE_WINDOW}])`;
  const chatErrors = selector(`${duration}_count`, filters(GEN_AI_OPERATION_DURATION), { [operation]: 'chat' }, [error]);

  return [
    timeseriesPanel({
      title: 'GenAI token usage by type',
      description: `gen_ai.client.token.usage: tokens per second by gen_ai.token.type (input includes cached input, output includes reasoning).\n\n${ENABLE}`,
      unit: 'short',
      axisLabel: 'tokens/s',
      queries: [{ refId: 'A', expr: sumBy([tokenType], rate(`${series(GEN_AI_TOKEN_USAGE)}_sum`, filters(GEN_AI_TOKEN_USAGE))), legendFormat: legendFor([tokenType], 'tokens/s') }],
    }),
    timeseriesPanel({
      title: 'GenAI operation duration p50 / p95',
      description: `gen_ai.client.operation.duration by gen_ai.operation.name: chat (one model API request), invoke_agent (one Codex turn).\n\n${ENABLE}`,
      unit: 's',
      queries: [
        { refId: 'A', expr: quantileBy(0.5, GEN_AI_OPERATION_DURATION, [operation]), legendFormat: `p50 ${legendFor([operation], '')}` },
        { refId: 'B', expr: quantileBy(0.95, GEN_AI_OPERATION_DURATION, [operation]), legendFormat: `p95 ${legendFor([operation], '')}` },
      ],
    }),
    timeseriesPanel({
      title: 'GenAI chat error ratio by error.type',
      // `or vector(0)`-free on purpose: a ratio per error.type has no series when nothing failed.
      description: `Share of chat operations (model API requests) that failed, by error.type (the HTTP status, or _OTHER when none arrived).\n\n${ENABLE}`,
      unit: 'percentunit',
      queries: [
        {
          refId: 'A',
          expr: `${sumBy([error], `rate(${chatErrors}[${RATE_WINDOW}])`)} / ignoring(${error}) group_left ${sumBy([], chatCount({}))}`,
          legendFormat: legendFor([error], 'errors'),
        },
      ],
    }),
    timeseriesPanel({
      title: 'GenAI time to first chunk p95',
      description: `gen_ai.client.operation.time_to_first_chunk (invoke_agent: measured from the start of the turn, an approximation).\n\n${ENABLE}`,
      unit: 's',
      queries: [{ refId: 'A', expr: quantileBy(0.95, GEN_AI_TIME_TO_FIRST_CHUNK, []), legendFormat: 'p95' }],
    }),
  ];
}
