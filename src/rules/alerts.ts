// Alerting rules over the recorded series (recording.ts): multi-window burn-rate alerts where an
// objective fits (API request and SSE event error ratios), plain thresholds elsewhere. Every alert has
// a severity, a summary, a description and a runbook link (docs/alerts.md has one section per alert).
import type { MetricSpec } from '../catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from '../dashboard/naming.js';
import { JOB_LABEL, sumBy } from '../dashboard/queries.js';
import { FAST_BURN, SLOW_BURN, type RulesConfig } from './config.js';
import {
  DB_ERRORS,
  DB_ERROR_WINDOW,
  MCP_SERVER_FAILURE_RATIO,
  MCP_WINDOW,
  MEMORY_FAILURES,
  MEMORY_WINDOW,
  TOOL_FAILURE_RATIO,
  TOOL_WINDOW,
  TURN_SLOW_RATIO,
  WINDOWS_SETUP_FAILURES,
  WINDOWS_SETUP_RATIO,
  WINDOWS_SETUP_WINDOW,
  failureRatioName,
  hasField,
  quantileName,
  type RecordingRule,
} from './recording.js';

export type Severity = 'critical' | 'warning';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: Severity };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

const LATENCY_GUARD_WINDOW = '15m';

/** Prometheus float literal without binary noise (14.4 × 0.01 → 0.144). */
function num(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** Every alert whose recorded inputs exist in `recorded` (so a reduced registry yields a consistent pair). */
export function alertRules(metrics: readonly MetricSpec[], naming: PrometheusNaming, config: RulesConfig, recorded: readonly RecordingRule[]): AlertRule[] {
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const have = new Set(recorded.map((r) => r.record));
  const runbook = (alert: string): string => `${config.runbookBase}#${alert.toLowerCase()}`;
  const alerts: AlertRule[] = [];
  const on = `and on (${JOB_LABEL})`;

  const burnRate = (metric: string, title: string, objective: number, what: string): void => {
    const spec = byName.get(metric);
    if (!spec || !hasField(spec, 'success')) return;
    const budget = 1 - objective;
    for (const [speed, burn, severity] of [
      ['Fast', FAST_BURN, 'critical'],
      ['Slow', SLOW_BURN, 'warning'],
    ] as const) {
      const long = failureRatioName(metric, burn.long);
      const short = failureRatioName(metric, burn.short);
      if (!have.has(long) || !have.has(short)) continue;
      const threshold = num(burn.factor * budget);
      const alert = `Codex${title}ErrorBudgetBurn${speed}`;
      const volume = sumBy([JOB_LABEL], `increase(${prometheusMetricName(spec, naming)}[${burn.long}])`);
      alerts.push({
        alert,
        expr: `${long} > ${threshold}\n${on} ${short} > ${threshold}\n${on} ${volume} >= ${config.burnRateMinEvents}`,
        for: burn.for,
        labels: { severity },
        annotations: {
          summary: `Codex ${what} of {{ $labels.job }} fail ${burn.factor}x faster than the ${num(objective * 100)}% objective allows`,
          description:
            `{{ $value | humanizePercentage }} of ${what} failed over the last ${burn.long} (and over ${burn.short}); ` +
            `the ${num(objective * 100)}% objective allows ${num(budget * 100)}%. At this rate ${speed === 'Fast' ? '2%' : '5%'} of a 30-day error budget is gone in ${burn.long}.`,
          runbook_url: runbook(alert),
        },
      });
    }
  };
  burnRate('api_request', 'ApiRequest', config.apiRequestObjective, 'model API requests');
  burnRate('sse_event', 'SseEvent', config.sseEventObjective, 'streamed response (SSE) events');

  const tool = byName.get('tool.call');
  if (tool && have.has(TOOL_FAILURE_RATIO)) {
    const alert = 'CodexToolCallFailureRatioHigh';
    const by = [JOB_LABEL, prometheusLabelName('tool', naming)];
    const calls = sumBy(by, `increase(${prometheusMetricName(tool, naming)}[${TOOL_WINDOW}])`);
    alerts.push({
      alert,
      expr: `${TOOL_FAILURE_RATIO} > ${num(config.toolCallFailureRatio)}\nand on (${by.join(', ')}) ${calls} >= ${config.toolCallMinCalls}`,
      for: '10m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `More than ${num(config.toolCallFailureRatio * 100)}% of Codex {{ $labels.${by[1]} }} tool calls of {{ $labels.job }} fail`,
        description: `{{ $value | humanizePercentage }} of {{ $labels.${by[1]} }} calls failed over the last ${TOOL_WINDOW} (at least ${config.toolCallMinCalls} calls of that tool).`,
        runbook_url: runbook(alert),
      },
    });
  }

  const mcp = byName.get('mcp.call');
  if (mcp && have.has(MCP_SERVER_FAILURE_RATIO)) {
    const alert = 'CodexMcpServerFailing';
    const by = [JOB_LABEL, prometheusLabelName('server', naming)];
    const calls = sumBy(by, `increase(${prometheusMetricName(mcp, naming)}[${MCP_WINDOW}])`);
    alerts.push({
      alert,
      expr: `${MCP_SERVER_FAILURE_RATIO} > ${num(config.mcpServerFailureRatio)}\nand on (${by.join(', ')}) ${calls} >= ${config.mcpServerMinCalls}`,
      for: '5m',
      labels: { severity: 'critical' },
      annotations: {
        summary: `MCP server {{ $labels.${by[1]} }} fails for Codex users of {{ $labels.job }}`,
        description: `{{ $value | humanizePercentage }} of calls to MCP server {{ $labels.${by[1]} }} ended with status ${config.mcpFailureStatuses.join('|')} over the last ${MCP_WINDOW} (at least ${config.mcpServerMinCalls} calls).`,
        runbook_url: runbook(alert),
      },
    });
  }

  const turn = byName.get('turn.e2e_duration_ms');
  if (turn && have.has(TURN_SLOW_RATIO)) {
    const alert = 'CodexTurnLatencyHigh';
    const observations = sumBy([JOB_LABEL], `increase(${prometheusMetricName(turn, naming)}_count[${LATENCY_GUARD_WINDOW}])`);
    alerts.push({
      alert,
      expr: `${TURN_SLOW_RATIO} > ${num(config.turnSlowRatio)}\n${on} ${observations} >= ${config.latencyMinObservations}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `More than ${num(config.turnSlowRatio * 100)}% of Codex turns of {{ $labels.job }} take longer than ${num(config.turnSlowMs)} ms`,
        description: `{{ $value | humanizePercentage }} of turns took longer than ${num(config.turnSlowMs)} ms end to end (5-minute windows) for 15 minutes, with at least ${config.latencyMinObservations} turns per ${LATENCY_GUARD_WINDOW}.`,
        runbook_url: runbook(alert),
      },
    });
  }

  const ttft = byName.get('turn.ttft.duration_ms');
  const ttftP95 = quantileName('turn.ttft.duration_ms', 0.95);
  if (ttft && have.has(ttftP95)) {
    const alert = 'CodexTimeToFirstTokenHigh';
    const what = 'time to first token';
    const observations = sumBy([JOB_LABEL], `increase(${prometheusMetricName(ttft, naming)}_count[${LATENCY_GUARD_WINDOW}])`);
    alerts.push({
      alert,
      expr: `${ttftP95} > ${num(config.turnTtftP95Ms)}\n${on} ${observations} >= ${config.latencyMinObservations}`,
      for: '15m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Codex p95 ${what} of {{ $labels.job }} is above ${num(config.turnTtftP95Ms)} ms`,
        description: `The 95th percentile of ${what} has been {{ $value | printf "%.0f" }} ms (5-minute windows) for 15 minutes, with at least ${config.latencyMinObservations} observations per ${LATENCY_GUARD_WINDOW}.`,
        runbook_url: runbook(alert),
      },
    });
  }

  if (have.has(WINDOWS_SETUP_RATIO) && have.has(WINDOWS_SETUP_FAILURES)) {
    const alert = 'CodexWindowsSandboxSetupFailing';
    alerts.push({
      alert,
      expr: `${WINDOWS_SETUP_RATIO} > ${num(config.windowsSetupFailureRatio)}\n${on} ${WINDOWS_SETUP_FAILURES} >= ${config.windowsSetupMinFailures}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Windows sandbox set-up fails for Codex users of {{ $labels.job }}`,
        description: `{{ $value | humanizePercentage }} of Windows sandbox set-ups failed in the last ${WINDOWS_SETUP_WINDOW} (at least ${config.windowsSetupMinFailures} failures).`,
        runbook_url: runbook(alert),
      },
    });
  }

  if (have.has(MEMORY_FAILURES)) {
    const alert = 'CodexMemoryPhaseFailing';
    alerts.push({
      alert,
      expr: `${MEMORY_FAILURES} >= ${config.memoryPhaseFailures}`,
      for: '5m',
      labels: { severity: 'warning' },
      annotations: {
        summary: `Codex memory {{ $labels.phase }} jobs of {{ $labels.job }} are failing`,
        description: `{{ $value | printf "%.0f" }} memory {{ $labels.phase }} jobs ended with status ${config.memoryFailureStatuses.join('|')} in the last ${MEMORY_WINDOW}.`,
        runbook_url: runbook(alert),
      },
    });
  }

  if (have.has(DB_ERRORS)) {
    const alert = 'CodexStateDbErrors';
    alerts.push({
      alert,
      expr: `${sumBy([JOB_LABEL], DB_ERRORS)} >= ${config.dbErrors}`,
      labels: { severity: 'warning' },
      annotations: {
        summary: `Codex state database errors on {{ $labels.job }}`,
        description: `{{ $value | printf "%.0f" }} state DB errors in the last ${DB_ERROR_WINDOW}; the stages are in ${DB_ERRORS}.`,
        runbook_url: runbook(alert),
      },
    });
  }
  return alerts;
}
