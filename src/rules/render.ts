// Prometheus rule files as YAML (the `yaml` library), with a header saying what generated them, for
// which naming, and with which thresholds.
import { Document } from 'yaml';
import type { MetricSpec } from '../catalog/spec.js';
import { DEFAULT_NAMING, type PrometheusNaming } from '../dashboard/naming.js';
import { alertRules, type AlertRule } from './alerts.js';
import { DEFAULT_RULES_CONFIG, RulesConfigError, validateRulesConfig, type RulesConfig } from './config.js';
import { recordingRules, type RecordingRule } from './recording.js';

export const RECORDING_GROUP = 'codex-recording';
export const ALERTS_GROUP = 'codex-alerts';

export interface RulesOptions {
  readonly naming?: PrometheusNaming;
  readonly config?: RulesConfig;
}

export interface RuleSet {
  readonly naming: PrometheusNaming;
  readonly config: RulesConfig;
  readonly recording: readonly RecordingRule[];
  readonly alerts: readonly AlertRule[];
}

/** Both rule lists for one naming mode; throws the first RulesConfigError of an invalid config. */
export function buildRules(metrics: readonly MetricSpec[], options: RulesOptions = {}): RuleSet {
  const naming = options.naming ?? DEFAULT_NAMING;
  const config = options.config ?? DEFAULT_RULES_CONFIG;
  const problems = validateRulesConfig(config, metrics);
  if (problems.length > 0) throw problems[0];
  const recording = recordingRules(metrics, naming, config);
  return { naming, config, recording, alerts: alertRules(metrics, naming, config, recording) };
}

export function renderRecordingRules(metrics: readonly MetricSpec[], options: RulesOptions = {}): string {
  const set = buildRules(metrics, options);
  return render(set, [{ name: RECORDING_GROUP, rules: set.recording }], 'Recording rules');
}

export function renderAlertRules(metrics: readonly MetricSpec[], options: RulesOptions = {}): string {
  const set = buildRules(metrics, options);
  return render(set, [{ name: ALERTS_GROUP, rules: set.alerts }], 'Alerting rules', ' They read the series codex-recording.yaml records: load both files.');
}

/** One file with both groups, for stdout. */
export function renderAllRules(metrics: readonly MetricSpec[], options: RulesOptions = {}): string {
  const set = buildRules(metrics, options);
  return render(
    set,
    [
      { name: RECORDING_GROUP, rules: set.recording },
      { name: ALERTS_GROUP, rules: set.alerts },
    ],
    'Recording and alerting rules',
  );
}

function render(set: RuleSet, groups: readonly { name: string; rules: readonly (RecordingRule | AlertRule)[] }[], what: string, note?: string): string {
  const doc = new Document({ groups: groups.map((g) => ({ name: g.name, rules: g.rules.map(plain) })) });
  const changed = (Object.keys(set.config) as (keyof RulesConfig)[]).filter(
    (k) => JSON.stringify(set.config[k]) !== JSON.stringify(DEFAULT_RULES_CONFIG[k]),
  );
  doc.commentBefore = [
    ` ${what} for the Codex metrics, ${set.naming} Prometheus naming.`,
    ...(note ? [note] : []),
    ' Generated from the registry by `codex-otel-metrics rules`; do not edit (regenerate with --set KEY=VALUE).',
    ' Thresholds and runbooks: docs/alerts.md.',
    ...(changed.length > 0 ? [` Settings: ${changed.map((k) => `${k}=${String(set.config[k])}`).join(', ')}`] : []),
  ].join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Drops undefined keys so the YAML has no `null`s. */
function plain(rule: RecordingRule | AlertRule): Record<string, unknown> {
  return Object.fromEntries(Object.entries(rule).filter(([, v]) => v !== undefined));
}

export { RulesConfigError };
