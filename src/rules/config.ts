// Thresholds of the generated alerts: defaults (documented in docs/alerts.md), `key=value` overrides
// from the CLI, and the bounds each value must meet so that no alert is generated that could never fire.
import type { MetricSpec } from '../catalog/spec.js';
import { DEFAULT_ATTRIBUTION_LABEL, isAttributionLabel } from '../dashboard/attribution.js';

export interface RulesConfig {
  /** Objective for model API requests (share that must succeed); burn-rate alerts use 1 − objective as the budget. */
  readonly apiRequestObjective: number;
  /** Objective for streamed (SSE) response events. */
  readonly sseEventObjective: number;
  /** Fewest requests (events) in the long burn-rate window before a burn-rate alert may fire. */
  readonly burnRateMinEvents: number;
  /** Failure ratio of one tool over 30 minutes that warns (commands fail legitimately, so no objective). */
  readonly toolCallFailureRatio: number;
  /** Fewest calls of that tool in those 30 minutes before the tool alert may fire. */
  readonly toolCallMinCalls: number;
  /** Failure ratio of one MCP server's calls over 15 minutes that pages. */
  readonly mcpServerFailureRatio: number;
  /** Fewest calls to that server in those 15 minutes before it may page. */
  readonly mcpServerMinCalls: number;
  /** `status` values of `mcp.call` counted as failures (Codex 0.171.0 sends `ok` and `error`). */
  readonly mcpFailureStatuses: readonly string[];
  /** A turn slower than this (ms; a bucket bound of `turn.e2e_duration_ms`) is slow. */
  readonly turnSlowMs: number;
  /** Share of slow turns that warns: a quantile threshold that also works beyond the top bucket. */
  readonly turnSlowRatio: number;
  /** p95 of `turn.ttft.duration_ms` (ms) that warns. */
  readonly turnTtftP95Ms: number;
  /** Fewest observations in 15 minutes before a latency alert may fire. */
  readonly latencyMinObservations: number;
  /** Windows sandbox set-up failure ratio over 1 hour that warns. */
  readonly windowsSetupFailureRatio: number;
  /** Fewest set-up failures in that hour before it may fire. */
  readonly windowsSetupMinFailures: number;
  /** Memory phase 1/2 jobs with a failure status in 1 hour that warn. */
  readonly memoryPhaseFailures: number;
  /** `status` values of `memory.phase1` / `memory.phase2` that count as failures. */
  readonly memoryFailureStatuses: readonly string[];
  /** State DB errors (`db.error`) in 15 minutes that warn. */
  readonly dbErrors: number;
  /** Where the runbook lives (an absolute URL); each alert links `<runbookBase>#<alert name in lower case>`. */
  readonly runbookBase: string;
  /**
   * Prometheus labels of `target_info` (resource attributes: `team`, `user_id` for `user.id`…) that
   * the attribution rules join onto request and token rates.
   */
  readonly attributionLabels: readonly string[];
}

/** The runbook of the version in this repository (docs/alerts.md); `--set runbookBase=` points elsewhere. */
export const DEFAULT_RUNBOOK_BASE = 'https://github.com/codex-otel-metrics/codex-otel-metrics/blob/main/docs/alerts.md';

export const DEFAULT_RULES_CONFIG: RulesConfig = {
  apiRequestObjective: 0.99,
  sseEventObjective: 0.99,
  burnRateMinEvents: 10,
  toolCallFailureRatio: 0.5,
  toolCallMinCalls: 20,
  mcpServerFailureRatio: 0.5,
  mcpServerMinCalls: 10,
  mcpFailureStatuses: ['error'],
  turnSlowMs: 120_000,
  turnSlowRatio: 0.05,
  turnTtftP95Ms: 10_000,
  latencyMinObservations: 10,
  windowsSetupFailureRatio: 0.2,
  windowsSetupMinFailures: 3,
  memoryPhaseFailures: 3,
  memoryFailureStatuses: ['failed', 'failure', 'error'],
  dbErrors: 1,
  runbookBase: DEFAULT_RUNBOOK_BASE,
  attributionLabels: [DEFAULT_ATTRIBUTION_LABEL],
};

/** Burn-rate factors of the two multi-window alerts (Google SRE workbook: 2% / 5% of a 30-day budget). */
export const FAST_BURN = { factor: 14.4, long: '1h', short: '5m', for: '2m' } as const;
export const SLOW_BURN = { factor: 6, long: '6h', short: '30m', for: '15m' } as const;

/** A configuration problem: which key, and what to do about it. */
export class RulesConfigError extends Error {
  readonly code: 'unknown_key' | 'invalid_value' | 'out_of_range';
  readonly key: string;
  constructor(code: RulesConfigError['code'], key: string, message: string) {
    super(message);
    this.name = 'RulesConfigError';
    this.code = code;
    this.key = key;
  }
}

type Key = keyof RulesConfig;
const KEYS = Object.keys(DEFAULT_RULES_CONFIG) as Key[];
const MAX_COUNT = 1_000_000;
const MAX_TEXT = 512;
const STATUS = /^[A-Za-z0-9._/-]+$/;

/** Applies `key=value` settings (CLI `--set`) to the defaults; throws RulesConfigError on the first bad one. */
export function parseRulesSettings(settings: readonly string[], base: RulesConfig = DEFAULT_RULES_CONFIG): RulesConfig {
  const out: Record<string, unknown> = { ...base };
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    const key = (eq === -1 ? setting : setting.slice(0, eq)).trim();
    if (!(KEYS as string[]).includes(key)) {
      throw new RulesConfigError('unknown_key', key, `unknown rules setting "${key}" (known: ${KEYS.join(', ')})`);
    }
    const raw = eq === -1 ? '' : setting.slice(eq + 1).trim();
    if (raw === '' || raw.length > MAX_TEXT) throw new RulesConfigError('invalid_value', key, `${key} needs a value of 1..${MAX_TEXT} characters (${key}=VALUE)`);
    const current = DEFAULT_RULES_CONFIG[key as Key];
    if (typeof current === 'number') {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw new RulesConfigError('invalid_value', key, `${key} must be a number, got "${raw}"`);
      out[key] = n;
    } else if (Array.isArray(current)) {
      // `none`: an empty list (attribution rules off).
      out[key] = raw === 'none' ? [] : raw.split(/[|,]/).map((s) => s.trim()).filter((s) => s !== '');
    } else {
      out[key] = raw;
    }
  }
  return out as unknown as RulesConfig;
}

/** Every value within its bound; histogram thresholds below the registry's top finite bucket. */
export function validateRulesConfig(config: RulesConfig, metrics: readonly MetricSpec[]): RulesConfigError[] {
  const problems: RulesConfigError[] = [];
  const range = (key: Key, ok: boolean, bound: string): void => {
    if (!ok) problems.push(new RulesConfigError('out_of_range', key, `${key}=${String(config[key])} is out of range: ${bound}`));
  };
  for (const key of ['apiRequestObjective', 'sseEventObjective'] as const) {
    const v = config[key];
    // The fast burn threshold must stay below a 100% error ratio, or that alert could never fire.
    const lowest = 1 - 1 / FAST_BURN.factor;
    range(key, v > lowest && v < 1, `an objective between ${lowest.toFixed(4)} and 1 (exclusive); at or below ${lowest.toFixed(4)} the fast burn threshold (${FAST_BURN.factor} × budget) exceeds 100% errors`);
  }
  for (const key of ['toolCallFailureRatio', 'mcpServerFailureRatio', 'turnSlowRatio', 'windowsSetupFailureRatio'] as const) {
    range(key, config[key] > 0 && config[key] < 1, 'a ratio between 0 and 1 (exclusive)');
  }
  for (const key of ['burnRateMinEvents', 'toolCallMinCalls', 'mcpServerMinCalls', 'latencyMinObservations', 'windowsSetupMinFailures', 'memoryPhaseFailures', 'dbErrors'] as const) {
    range(key, Number.isInteger(config[key]) && config[key] >= 1 && config[key] <= MAX_COUNT, `a whole number from 1 to ${MAX_COUNT}`);
  }
  {
    // histogram_quantile never returns more than the top finite bucket bound: a higher threshold never fires.
    const metric = 'turn.ttft.duration_ms';
    const bounds = metrics.find((m) => m.name === metric)?.buckets?.boundaries ?? [];
    const top = bounds.length > 0 ? bounds[bounds.length - 1] : Number.POSITIVE_INFINITY;
    range('turnTtftP95Ms', config.turnTtftP95Ms > 0 && config.turnTtftP95Ms < top, `more than 0 and below ${top} ms, the top finite bucket of ${metric} (a p95 above it reads as ${top})`);
  }
  {
    // The slow-turn share reads the bucket whose bound is the threshold: it must be one.
    const bounds = metrics.find((m) => m.name === 'turn.e2e_duration_ms')?.buckets?.boundaries ?? [];
    range('turnSlowMs', bounds.length === 0 || bounds.includes(config.turnSlowMs), `one of the bucket bounds of turn.e2e_duration_ms (${bounds.join(', ')} ms)`);
  }
  for (const key of ['memoryFailureStatuses', 'mcpFailureStatuses'] as const) {
    const statuses = config[key];
    if (statuses.length === 0 || statuses.length > 32 || !statuses.every((s) => STATUS.test(s) && s.length <= 256)) {
      problems.push(new RulesConfigError('invalid_value', key, `${key} must list 1..32 status values of [A-Za-z0-9._/-], separated by | or ,`));
    }
  }
  const labels = config.attributionLabels;
  if (labels.length > 8 || !labels.every(isAttributionLabel)) {
    problems.push(new RulesConfigError('invalid_value', 'attributionLabels', 'attributionLabels must list 0..8 Prometheus label names of target_info ([A-Za-z_][A-Za-z0-9_]*, not job, instance or le), separated by | or ,'));
  }
  // Alertmanager and Grafana show runbook_url as a link: a relative path resolves against nothing.
  if (!/^https?:\/\/[^\s"'`\\]+$/.test(config.runbookBase)) {
    problems.push(new RulesConfigError('invalid_value', 'runbookBase', 'runbookBase must be an absolute http(s) URL without spaces or quotes'));
  }
  return problems;
}
