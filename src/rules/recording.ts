// Recording rules: the dashboard's aggregates (src/dashboard/recorded.ts) and, per `job`, the ratios,
// quantiles and event counts the alerts compare with their thresholds. A rule whose metric (or field)
// is not in the registry is left out, and so is every alert that reads it.
import type { MetricSpec } from '../catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from '../dashboard/naming.js';
import { JOB_LABEL, sumBy } from '../dashboard/queries.js';
import { ATTRIBUTED, attributionName, joinTargetInfo } from '../dashboard/attribution.js';
import { RECORDING_WINDOW, recordedAggregates, type RecordedAggregate } from '../dashboard/recorded.js';
import { FAST_BURN, SLOW_BURN, type RulesConfig } from './config.js';

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** Metrics with a `success` field whose failure ratio is recorded, and the windows the alerts need. */
export const RATIO_WINDOWS: Readonly<Record<string, readonly string[]>> = {
  api_request: [FAST_BURN.short, SLOW_BURN.short, FAST_BURN.long, SLOW_BURN.long],
  sse_event: [FAST_BURN.short, SLOW_BURN.short, FAST_BURN.long, SLOW_BURN.long],
  'tool.call': [RECORDING_WINDOW, '30m'],
};
export const LATENCY_QUANTILES = [0.5, 0.95] as const;
export const TOOL_WINDOW = '30m';
export const MCP_WINDOW = '15m';
export const WINDOWS_SETUP_WINDOW = '1h';
export const MEMORY_WINDOW = '1h';
export const DB_ERROR_WINDOW = '15m';

const snake = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, '_');

/** `job:codex_api_request_failures:ratio_rate1h` */
export function failureRatioName(metric: string, window: string): string {
  return `job:codex_${snake(metric)}_failures:ratio_rate${window}`;
}
/** `job:codex_turn_e2e_duration_ms:p95_rate5m` */
export function quantileName(metric: string, q: number): string {
  return `job:codex_${snake(metric)}:p${Math.round(q * 100)}_rate${RECORDING_WINDOW}`;
}
/** Per tool and per MCP server: one failing while the job's overall ratio stays low must still show. */
export const TOOL_FAILURE_RATIO = `job_tool:codex_tool_call_failures:ratio_rate${TOOL_WINDOW}`;
export const MCP_SERVER_FAILURE_RATIO = `job_server:codex_mcp_call_failures:ratio_rate${MCP_WINDOW}`;
/** Share of turns slower than `turnSlowMs`, from the recorded bucket rates (works beyond the top bucket). */
export const TURN_SLOW_RATIO = `job:codex_turn_e2e_duration_ms:slow_ratio_rate${RECORDING_WINDOW}`;
export const WINDOWS_SETUP_RATIO = `job:codex_windows_sandbox_setup_failures:ratio_increase${WINDOWS_SETUP_WINDOW}`;
export const WINDOWS_SETUP_FAILURES = `job:codex_windows_sandbox_setup_failures:increase${WINDOWS_SETUP_WINDOW}`;
export const MEMORY_FAILURES = `job:codex_memory_phase_failures:increase${MEMORY_WINDOW}`;
export const DB_ERRORS = `job:codex_db_error:increase${DB_ERROR_WINDOW}`;

/** Everything the recording rule file holds, in evaluation order (aggregates first: later rules read them). */
export function recordingRules(metrics: readonly MetricSpec[], naming: PrometheusNaming, config: RulesConfig): RecordingRule[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const aggregates = recordedAggregates(metrics, naming);
  const aggregate = new Map(aggregates.map((a) => [a.metric.name, a]));
  const rules: RecordingRule[] = aggregates.map((a) => ({ record: a.record, expr: a.expr }));
  const success = prometheusLabelName('success', naming);

  for (const [name, windows] of Object.entries(RATIO_WINDOWS)) {
    const metric = byName.get(name);
    if (!metric || !hasField(metric, 'success')) continue;
    for (const window of windows) rules.push({ record: failureRatioName(name, window), expr: failureRatio(metric, naming, success, window, aggregate.get(name)) });
  }

  const tool = byName.get('tool.call');
  if (tool && hasField(tool, 'success') && hasField(tool, 'tool')) {
    const by = [JOB_LABEL, prometheusLabelName('tool', naming)];
    rules.push({ record: TOOL_FAILURE_RATIO, expr: ratioOf(by, prometheusMetricName(tool, naming), `${success}="false"`, TOOL_WINDOW) });
  }
  const mcp = byName.get('mcp.call');
  if (mcp && hasField(mcp, 'status') && hasField(mcp, 'server')) {
    const by = [JOB_LABEL, prometheusLabelName('server', naming)];
    const failed = `${prometheusLabelName('status', naming)}=~"${config.mcpFailureStatuses.join('|')}"`;
    rules.push({ record: MCP_SERVER_FAILURE_RATIO, expr: ratioOf(by, prometheusMetricName(mcp, naming), failed, MCP_WINDOW) });
  }

  for (const a of aggregates) {
    if (a.metric.kind !== 'histogram') continue;
    for (const q of LATENCY_QUANTILES) {
      rules.push({ record: quantileName(a.metric.name, q), expr: `histogram_quantile(${q}, ${sumBy([JOB_LABEL, 'le'], a.record)})` });
    }
    if (a.metric.name === 'turn.e2e_duration_ms') {
      // Everything above the bucket bound `turnSlowMs` (the +Inf bucket is all observations).
      const within = sumBy([JOB_LABEL], `${a.record}{le="${config.turnSlowMs}"}`);
      const all = sumBy([JOB_LABEL], `${a.record}{le="+Inf"}`);
      rules.push({ record: TURN_SLOW_RATIO, expr: `1 - ${within} / ${all}` });
    }
  }

  const setupFailure = byName.get('windows_sandbox.setup_failure');
  const setupSuccess = byName.get('windows_sandbox.setup_success');
  if (setupFailure && setupSuccess) {
    const failed = sumBy([JOB_LABEL], `increase(${prometheusMetricName(setupFailure, naming)}[${WINDOWS_SETUP_WINDOW}])`);
    const ok = sumBy([JOB_LABEL], `increase(${prometheusMetricName(setupSuccess, naming)}[${WINDOWS_SETUP_WINDOW}])`);
    rules.push({ record: WINDOWS_SETUP_FAILURES, expr: failed });
    // Either side may have no series yet: `or x * 0` stands in a zero for it.
    rules.push({ record: WINDOWS_SETUP_RATIO, expr: `(${failed} or ${ok} * 0) / ((${failed} or ${ok} * 0) + (${ok} or ${failed} * 0))` });
  }

  for (const phase of ['phase1', 'phase2']) {
    const metric = byName.get(`memory.${phase}`);
    if (!metric || !hasField(metric, 'status')) continue;
    const status = prometheusLabelName('status', naming);
    const failed = `${prometheusMetricName(metric, naming)}{${status}=~"${config.memoryFailureStatuses.join('|')}"}`;
    rules.push({ record: MEMORY_FAILURES, expr: sumBy([JOB_LABEL], `increase(${failed}[${MEMORY_WINDOW}])`), labels: { phase } });
  }

  const dbError = byName.get('db.error');
  if (dbError) {
    const stage = hasField(dbError, 'stage') ? [prometheusLabelName('stage', naming)] : [];
    rules.push({ record: DB_ERRORS, expr: sumBy([JOB_LABEL, ...stage], `increase(${prometheusMetricName(dbError, naming)}[${DB_ERROR_WINDOW}])`) });
  }
  rules.push(...attributionRules(byName, naming, config));
  return rules;
}

export function hasField(metric: Pick<MetricSpec, 'required' | 'optional'>, field: string): boolean {
  return metric.required.includes(field) || metric.optional.includes(field);
}

/**
 * Failed over all per job, 0 (not empty) when nothing failed. The dashboard's recorded rate is reused
 * for its own window; other windows read the raw counter.
 */
function failureRatio(metric: MetricSpec, naming: PrometheusNaming, success: string, window: string, recorded: RecordedAggregate | undefined): string {
  const series = prometheusMetricName(metric, naming);
  const useRecorded = recorded !== undefined && window === RECORDING_WINDOW && recorded.fieldLabels.includes(success);
  const total = useRecorded ? sumBy([JOB_LABEL], recorded.record) : sumBy([JOB_LABEL], `rate(${series}[${window}])`);
  const failed = useRecorded
    ? sumBy([JOB_LABEL], `${recorded.record}{${success}="false"}`)
    : sumBy([JOB_LABEL], `rate(${series}{${success}="false"}[${window}])`);
  return `(${failed} or ${total} * 0) / ${total}`;
}

/**
 * The resource attributes in `target_info` (team, user…) joined onto request and token rates, per
 * process (src/dashboard/attribution.ts says why the join cannot fail on duplicates).
 */
function attributionRules(byName: ReadonlyMap<string, MetricSpec>, naming: PrometheusNaming, config: RulesConfig): RecordingRule[] {
  const rules: RecordingRule[] = [];
  for (const label of config.attributionLabels) {
    for (const a of ATTRIBUTED) {
      const spec = byName.get(a.metric);
      if (!spec || !hasField(spec, a.field)) continue;
      const series = prometheusMetricName(spec, naming) + (a.series === 'sum' ? '_sum' : '');
      const by = [JOB_LABEL, label, prometheusLabelName(a.field, naming)];
      rules.push({ record: attributionName(label, a.what), expr: sumBy(by, joinTargetInfo(`rate(${series}[${RECORDING_WINDOW}])`, label)) });
    }
  }
  return rules;
}

/** Failed over all per `by`, 0 (not empty) when nothing failed. */
function ratioOf(by: readonly string[], series: string, failedMatcher: string, window: string): string {
  const total = sumBy(by, `rate(${series}[${window}])`);
  return `(${sumBy(by, `rate(${series}{${failedMatcher}}[${window}])`)} or ${total} * 0) / ${total}`;
}
