// Attribution: per-team (or per-user) views without a label per team on every series. The resource
// attribute (`team`, `user.id` → `user_id`, `enduser.id` → `enduser_id`) lives in `target_info`, one
// series per process (job + instance); recording rules (src/rules/) join it onto request and token
// rates, and the dashboard's Attribution row and `$<label>` variable read those. The join goes
// through one `target_info` per job and instance, so it cannot fail with "duplicate series for the
// match group" when many processes share a job or a resource changed while its series lived.
import type { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import type { MetricSpec } from '../catalog/spec.js';
import { prometheusLabelName, type PrometheusNaming } from './naming.js';
import { timeseriesPanel } from './panels.js';
import { JOB_LABEL, legendFor, sumBy } from './queries.js';
import { RECORDING_WINDOW } from './recorded.js';

/** The `target_info` label the committed dashboard and rules attribute by. */
export const DEFAULT_ATTRIBUTION_LABEL = 'team';
export const TARGET_INFO = 'target_info';
export const ATTRIBUTION_ROW = 'Attribution (target_info)';

const LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set([JOB_LABEL, 'instance', 'le', '__name__']);

export function isAttributionLabel(label: string): boolean {
  return LABEL.test(label) && label.length <= 128 && !RESERVED.has(label);
}

export type AttributedRate = 'api_request' | 'turn_token_usage';

/** `job_team:codex_api_request:rate5m` */
export function attributionName(label: string, what: AttributedRate): string {
  return `job_${label}:codex_${what}:rate${RECORDING_WINDOW}`;
}

/** One `target_info` series per job and instance, keeping only `label` (topk picks one if a resource changed). */
export function targetInfoOne(label: string): string {
  return `topk by (${JOB_LABEL}, instance) (1, max by (${JOB_LABEL}, instance, ${label}) (${TARGET_INFO}))`;
}

/** `rate * on (job, instance) group_left (label) <one target_info per process>` */
export function joinTargetInfo(rateExpr: string, label: string): string {
  return `${rateExpr} * on (${JOB_LABEL}, instance) group_left (${label}) ${targetInfoOne(label)}`;
}

/** The rates the attribution rules record: source metric, the field each keeps. */
export const ATTRIBUTED: readonly { readonly what: AttributedRate; readonly metric: string; readonly field: string; readonly series: 'counter' | 'sum' }[] = [
  { what: 'api_request', metric: 'api_request', field: 'success', series: 'counter' },
  { what: 'turn_token_usage', metric: 'turn.token_usage', field: 'token_type', series: 'sum' },
];

/** The Attribution row's panels, reading the recorded joins filtered by `$job` and `$<label>`. */
export function attributionPanels(metrics: readonly MetricSpec[], naming: PrometheusNaming, label: string): PanelBuilder[] {
  const panels: PanelBuilder[] = [];
  for (const a of ATTRIBUTED) {
    const spec = metrics.find((m) => m.name === a.metric && (m.required.includes(a.field) || m.optional.includes(a.field)));
    if (!spec) continue;
    const field = prometheusLabelName(a.field, naming);
    const record = attributionName(label, a.what);
    const selector = `${record}{${JOB_LABEL}=~"$${JOB_LABEL}",${label}=~"$${label}"}`;
    panels.push(
      timeseriesPanel({
        title: a.what === 'api_request' ? `API requests by ${label}` : `Tokens by ${label}`,
        description: [
          a.what === 'api_request' ? `Model API requests per second by ${label} and success.` : `Tokens per second by ${label} and token type (the turn token usage histogram's _sum).`,
          '',
          `\`${label}\` is a resource attribute, read from \`${TARGET_INFO}\` per process (job + instance) by the recording rule \`${record}\` (rules/*/codex-recording.yaml, \`attributionLabels\`): load the rules, or this panel shows No data. Processes without \`${label}\` show as an empty ${label}; Codex CLI processes need a service.instance.id to have a \`${TARGET_INFO}\` at all (docs/fleet.md).`,
        ].join('\n'),
        unit: a.what === 'api_request' ? 'reqps' : 'short',
        axisLabel: a.what === 'api_request' ? undefined : 'tokens/s',
        queries: [{ refId: 'A', expr: sumBy([label, field], selector), legendFormat: legendFor([label, field], 'rate') }],
      }),
    );
  }
  return panels;
}
