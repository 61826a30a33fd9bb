// The real component: Debian's promtool (package `prometheus`, installed by .ci/run) checks every
// generated rule file and runs the unit tests in codex-alerts.promtool.yaml against both naming modes.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ALERTS_FILE, RECORDING_FILE, RULES_DIR } from '../../src/cli/paths.js';
import { NAMING_MODES, prometheusSeriesNames } from '../../src/dashboard/naming.js';
import { METRICS } from '../../src/generated/catalog.js';
import { buildRules, renderAllRules } from '../../src/rules/render.js';
import { parseRulesSettings } from '../../src/rules/config.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const UNIT_TESTS = join(HERE, 'codex-alerts.promtool.yaml');

const available = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = !available && !process.env.CI;
if (skip) {
  console.warn(
    'SKIPPED test/rules/promtool.test.ts: `promtool` is not on PATH (apt-get install -y --no-install-recommends prometheus). In CI this fails instead.',
  );
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface UnitTests {
  rule_files: string[];
  tests: { input_series: { series: string }[]; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const scratch = mkdtempSync(join(tmpdir(), 'codex-rules-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The unit tests for another naming: same cases, series renamed, rule_files pointing at that mode's files. */
function unitTestsFor(naming: (typeof NAMING_MODES)[number]): string {
  const tests = parse(readFileSync(UNIT_TESTS, 'utf8')) as UnitTests;
  const rename = new Map<string, string>();
  for (const m of METRICS) {
    const from = prometheusSeriesNames(m, 'collector');
    const to = prometheusSeriesNames(m, naming);
    from.forEach((name, i) => rename.set(name, to[i]));
  }
  for (const t of tests.tests) {
    for (const s of t.input_series) {
      const [, name, rest] = /^([A-Za-z_:][A-Za-z0-9_:]*)(.*)$/s.exec(s.series)!;
      expect(rename.has(name), `unit-test series ${name} is a registry series`).toBe(true);
      s.series = `${rename.get(name)}${rest}`;
    }
  }
  tests.rule_files = [join(RULES_DIR, naming, RECORDING_FILE), join(RULES_DIR, naming, ALERTS_FILE)];
  const file = join(scratch, `${naming}.promtool.yaml`);
  writeFileSync(file, stringify(tests));
  return file;
}

describe.skipIf(skip)('promtool', () => {
  it.each(NAMING_MODES)('check rules passes on the committed %s rule files', (naming) => {
    if (!available) throw new Error('`promtool` is not on PATH; CI installs Debian 12 prometheus in .ci/run');
    const files = [RECORDING_FILE, ALERTS_FILE].map((f) => join(RULES_DIR, naming, f));
    const r = promtool('check', 'rules', ...files);
    expect(r.output).not.toMatch(/FAILED/);
    expect(r.status, r.output).toBe(0);
    const set = buildRules(METRICS, { naming });
    expect(r.output).toContain(`SUCCESS: ${set.recording.length} rules found`);
    expect(r.output).toContain(`SUCCESS: ${set.alerts.length} rules found`);
  });

  it('check rules passes on the combined stdout file with every threshold changed', () => {
    const config = parseRulesSettings([
      'apiRequestObjective=0.995',
      'sseEventObjective=0.999',
      'burnRateMinEvents=50',
      'toolCallFailureRatio=0.3',
      'toolCallMinCalls=5',
      'turnSlowMs=60000',
      'turnSlowRatio=0.1',
      'mcpServerFailureRatio=0.25',
      'mcpServerMinCalls=3',
      'mcpFailureStatuses=error|blocked',
      'attributionLabels=team|user_id',
      'turnTtftP95Ms=5000',
      'latencyMinObservations=3',
      'windowsSetupFailureRatio=0.1',
      'windowsSetupMinFailures=1',
      'memoryPhaseFailures=1',
      'memoryFailureStatuses=failed|error',
      'dbErrors=5',
      'runbookBase=https://wiki.example/codex',
    ]);
    const file = join(scratch, 'all.yaml');
    writeFileSync(file, renderAllRules(METRICS, { config }));
    const r = promtool('check', 'rules', file);
    expect(r.status, r.output).toBe(0);
  });

  it.each(NAMING_MODES)('test rules: every alert fires on a bad series and stays quiet on a healthy one (%s)', (naming) => {
    const file = naming === 'collector' ? UNIT_TESTS : unitTestsFor(naming);
    const r = promtool('test', 'rules', file);
    expect(r.status, r.output).toBe(0);
    expect(r.output).toContain('SUCCESS');
  }, 150_000);

  it('the unit tests hold a firing and a quiet case for every generated alert', () => {
    const tests = parse(readFileSync(UNIT_TESTS, 'utf8')) as UnitTests;
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    for (const { alert } of buildRules(METRICS).alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect(mine.some((c) => c.exp_alerts.length > 0), `${alert} firing case`).toBe(true);
      expect(mine.some((c) => c.exp_alerts.length === 0), `${alert} quiet case`).toBe(true);
    }
    // And nothing tests an alert that is not generated.
    const names = new Set(buildRules(METRICS).alerts.map((a) => a.alert));
    for (const c of cases) expect(names.has(c.alertname), c.alertname).toBe(true);
  });
});

// Keep the relative rule_files of the committed unit tests pointing at the committed collector files.
describe('unit-test file', () => {
  it('loads the committed collector rule files', () => {
    const tests = parse(readFileSync(UNIT_TESTS, 'utf8')) as UnitTests;
    expect(tests.rule_files.map((f) => resolve(HERE, f))).toEqual([join(RULES_DIR, 'collector', RECORDING_FILE), join(RULES_DIR, 'collector', ALERTS_FILE)]);
  });
});
