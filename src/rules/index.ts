// Public surface of the Prometheus rules generator.
export { ALERTS_GROUP, RECORDING_GROUP, buildRules, renderAlertRules, renderAllRules, renderRecordingRules, type RuleSet, type RulesOptions } from './render.js';
export { DEFAULT_RULES_CONFIG, RulesConfigError, parseRulesSettings, validateRulesConfig, type RulesConfig } from './config.js';
export type { AlertRule, Severity } from './alerts.js';
export type { RecordingRule } from './recording.js';
