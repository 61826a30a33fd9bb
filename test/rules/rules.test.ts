// The rules generator without promtool: configuration bounds, consistency with the registry and the
// dashboard, committed files, and the `rules` command.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { rulesCommand } from '../../src/cli/rules.js';
import { ALERTS_FILE, RECORDING_FILE, RULES_DIR } from '../../src/cli/paths.js';
import { buildDashboard } from '../../src/dashboard/dashboard.js';
import { dashboardQueries } from '../../src/dashboard/inspect.js';
import { NAMING_MODES } from '../../src/dashboard/naming.js';
import { METRICS } from '../../src/generated/catalog.js';
import { DEFAULT_RULES_CONFIG, DEFAULT_RUNBOOK_BASE, RulesConfigError, parseRulesSettings, validateRulesConfig } from '../../src/rules/config.js';
import { buildRules, renderAlertRules, renderAllRules, renderRecordingRules } from '../../src/rules/render.js';
import { selectors } from '../dashboard/promql.js';
import { capture } from '../capture.js';

afterEach(() => vi.restoreAllMocks());

describe('configuration', () => {
  it('has valid defaults', () => {
    expect(validateRulesConfig(DEFAULT_RULES_CONFIG, METRICS)).toEqual([]);
  });

  it('parses key=value settings by the type of the default', () => {
    const c = parseRulesSettings(['apiRequestObjective=0.995', 'memoryFailureStatuses=failed|error', 'runbookBase=https://wiki/x']);
    expect(c).toMatchObject({ apiRequestObjective: 0.995, memoryFailureStatuses: ['failed', 'error'], runbookBase: 'https://wiki/x' });
    expect(c.dbErrors).toBe(DEFAULT_RULES_CONFIG.dbErrors);
    expect(parseRulesSettings(['attributionLabels=team|user_id']).attributionLabels).toEqual(['team', 'user_id']);
    expect(parseRulesSettings(['attributionLabels=none']).attributionLabels).toEqual([]);
    expect(buildRules(METRICS, { config: parseRulesSettings(['attributionLabels=none']) }).recording.some((r) => r.record.startsWith('job_team:'))).toBe(false);
  });

  it.each([
    ['nope=1', 'unknown_key'],
    ['dbErrors', 'invalid_value'],
    ['dbErrors=', 'invalid_value'],
    ['dbErrors=many', 'invalid_value'],
    [`runbookBase=${'x'.repeat(600)}`, 'invalid_value'],
  ])('rejects %s with %s', (setting, code) => {
    expect(() => parseRulesSettings([setting])).toThrow(RulesConfigError);
    try {
      parseRulesSettings([setting]);
    } catch (err) {
      expect((err as RulesConfigError).code).toBe(code);
    }
  });

  it.each([
    ['apiRequestObjective', 0.9, /fast burn threshold/],
    ['apiRequestObjective', 1, /objective between/],
    ['toolCallFailureRatio', 1, /ratio between 0 and 1/],
    ['dbErrors', 0.5, /whole number/],
    ['turnSlowMs', 100_000, /bucket bounds of turn.e2e_duration_ms/],
    ['turnSlowRatio', 0, /ratio between 0 and 1/],
    ['turnTtftP95Ms', 120_000, /top finite bucket of turn.ttft.duration_ms/],
    ['mcpServerFailureRatio', 1.5, /ratio between 0 and 1/],
    ['mcpServerMinCalls', 0, /whole number/],
    ['mcpFailureStatuses', [], /mcpFailureStatuses/],
    ['attributionLabels', ['team', 'instance'], /attributionLabels/],
    ['attributionLabels', ['user.id'], /attributionLabels/],
    ['runbookBase', 'docs/alerts.md', /absolute http\(s\) URL/],
    ['turnTtftP95Ms', 0, /more than 0/],
    ['memoryFailureStatuses', ['bad status'], /memoryFailureStatuses/],
    ['runbookBase', 'has space', /runbookBase/],
  ] as const)('flags %s=%s as out of bounds', (key, value, message) => {
    const problems = validateRulesConfig({ ...DEFAULT_RULES_CONFIG, [key]: value }, METRICS);
    expect(problems.map((p) => p.key)).toEqual([key]);
    expect(problems[0].message).toMatch(message);
    expect(() => buildRules(METRICS, { config: { ...DEFAULT_RULES_CONFIG, [key]: value } })).toThrow(RulesConfigError);
  });

  it('puts changed thresholds into the alerts and names them in the header', () => {
    const config = parseRulesSettings(['turnTtftP95Ms=5000', 'apiRequestObjective=0.995']);
    const text = renderAlertRules(METRICS, { config });
    expect(text).toContain('# Settings: apiRequestObjective=0.995, turnTtftP95Ms=5000');
    expect(text).toContain('job:codex_turn_ttft_duration_ms:p95_rate5m > 5000');
    expect(text).toContain('job:codex_api_request_failures:ratio_rate1h > 0.072');
  });
});

describe.each(NAMING_MODES)('%s naming', (naming) => {
  const set = buildRules(METRICS, { naming });
  const recorded = new Set(set.recording.map((r) => r.record));

  it('matches the committed rule files', () => {
    expect(readFileSync(join(RULES_DIR, naming, RECORDING_FILE), 'utf8')).toBe(renderRecordingRules(METRICS, { naming }));
    expect(readFileSync(join(RULES_DIR, naming, ALERTS_FILE), 'utf8')).toBe(renderAlertRules(METRICS, { naming }));
  });

  it('records every series the dashboard reads from rules', () => {
    const read = dashboardQueries(buildDashboard(METRICS, { naming })).flatMap((q) => selectors(q.expr).map((s) => s.metric ?? ''));
    const fromRules = [...new Set(read.filter((n) => n.includes(':')))];
    expect(fromRules.length).toBeGreaterThanOrEqual(6);
    for (const name of fromRules) expect(recorded.has(name), name).toBe(true);
  });

  it('alerts read only recorded series or registry series, with severity, summary, description and runbook', () => {
    for (const a of set.alerts) {
      for (const name of a.expr.match(/\b[a-z_]+:[a-z0-9_]+:[a-z0-9_]+\b/g) ?? []) expect(recorded.has(name), `${a.alert}: ${name}`).toBe(true);
      expect(['critical', 'warning']).toContain(a.labels.severity);
      expect(a.annotations.summary.length).toBeGreaterThan(10);
      expect(a.annotations.description.length).toBeGreaterThan(10);
      expect(a.annotations.runbook_url).toBe(`${DEFAULT_RUNBOOK_BASE}#${a.alert.toLowerCase()}`);
    }
    expect(set.alerts.map((a) => a.alert)).toEqual([
      'CodexApiRequestErrorBudgetBurnFast',
      'CodexApiRequestErrorBudgetBurnSlow',
      'CodexSseEventErrorBudgetBurnFast',
      'CodexSseEventErrorBudgetBurnSlow',
      'CodexToolCallFailureRatioHigh',
      'CodexMcpServerFailing',
      'CodexTurnLatencyHigh',
      'CodexTimeToFirstTokenHigh',
      'CodexWindowsSandboxSetupFailing',
      'CodexMemoryPhaseFailing',
      'CodexStateDbErrors',
    ]);
  });

  it('has a runbook section in docs/alerts.md for every alert', () => {
    const doc = readFileSync(join(RULES_DIR, '..', 'docs', 'alerts.md'), 'utf8');
    for (const a of set.alerts) expect(doc, a.alert).toMatch(new RegExp(`^### ${a.alert}$`, 'm'));
  });
});

describe('a reduced registry', () => {
  it('leaves out the rules and alerts whose metrics are missing, consistently', () => {
    const without = METRICS.filter((m) => !m.name.startsWith('sse_event') && m.name !== 'db.error');
    const set = buildRules(without);
    expect(set.recording.some((r) => r.record.includes('sse_event') || r.record.includes('db_error'))).toBe(false);
    expect(set.alerts.some((a) => a.alert.startsWith('CodexSseEvent') || a.alert === 'CodexStateDbErrors')).toBe(false);
    expect(set.alerts.some((a) => a.alert === 'CodexApiRequestErrorBudgetBurnFast')).toBe(true);
  });
});

describe('codex-otel-metrics rules', () => {
  it('prints one file with both groups', async () => {
    const out = capture(process.stdout);
    expect(await rulesCommand([])).toBe(0);
    const doc = parse(out()) as { groups: { name: string; rules: unknown[] }[] };
    expect(doc.groups.map((g) => g.name)).toEqual(['codex-recording', 'codex-alerts']);
    expect(out()).toBe(renderAllRules(METRICS));
  });

  it('writes --out DIR with the requested naming and settings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codex-rules-cli-'));
    try {
      const err = capture(process.stderr);
      expect(await rulesCommand(['--out', dir, '--naming', 'plain', '--set', 'dbErrors=3'])).toBe(0);
      const config = parseRulesSettings(['dbErrors=3']);
      expect(readFileSync(join(dir, RECORDING_FILE), 'utf8')).toBe(renderRecordingRules(METRICS, { naming: 'plain', config }));
      expect(readFileSync(join(dir, ALERTS_FILE), 'utf8')).toContain('>= 3');
      expect(err()).toMatch(/\d+ recording rules, 11 alerts \(plain naming\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['an unknown naming', ['--naming', 'utf8'], /unknown --naming "utf8"/],
    ['an objective above 1', ['--set', 'apiRequestObjective=2'], /out of range.*\[out_of_range\]/],
    ['an unknown setting', ['--set', 'x=1'], /unknown rules setting "x".*\[unknown_key\]/],
    ['65 --set options', Array.from({ length: 65 }, () => ['--set', 'dbErrors=1']).flat(), /too many --set options/],
  ])('exits 2 on %s', async (_what, argv, message) => {
    const err = capture(process.stderr);
    capture(process.stdout);
    expect(await rulesCommand(argv)).toBe(2);
    expect(err()).toMatch(message);
  });
});
