// Every query of the generated dashboard may only name series and labels that exist for the chosen
// naming. Expected names are derived here from the MetricSpec, independently of src/dashboard/naming.ts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS, type MetricSpec } from '../../src/catalog/spec.js';
import { PER_REQUEST_COUNTERS } from '../../src/dashboard/queries.js';
import { buildDashboard } from '../../src/dashboard/dashboard.js';
import { dashboardPanels, dashboardQueries, prometheusTargets } from '../../src/dashboard/inspect.js';
import type { PrometheusNaming } from '../../src/dashboard/naming.js';
import { METRICS } from '../../src/generated/catalog.js';
import { GENAI_METRICS } from '../../src/genai/conventions.js';
import { codexIdentifiers, groupingLabels, legendLabels, selectors, variables } from './promql.js';

const DEFAULT_LABELS = DEFAULT_TAG_KEYS.map((k) => k.replace('.', '_'));

/** Default-tag labels the Codex CLI sends on a metric (docs/metrics.md Tags column), minus its own fields. */
function sentTags(m: MetricSpec): string[] {
  const scope = m.tags === 'session' ? DEFAULT_LABELS : m.tags === 'originator' ? ['originator'] : [];
  return scope.filter((l) => !m.required.includes(l) && !m.optional.includes(l));
}

/** Series the recording rules write that the overview reads: name → (source metric, kept fields). */
const RECORDED: Record<string, { metric: string; fields: string[] }> = {
  'codex:api_request:rate5m': { metric: 'api_request', fields: ['success'] },
  'codex:sse_event:rate5m': { metric: 'sse_event', fields: ['success'] },
  'codex:tool_call:rate5m': { metric: 'tool.call', fields: ['tool', 'success'] },
  'codex:api_request_duration_ms_bucket:rate5m': { metric: 'api_request.duration_ms', fields: ['le'] },
  'codex:turn_e2e_duration_ms_bucket:rate5m': { metric: 'turn.e2e_duration_ms', fields: ['le'] },
  'codex:turn_ttft_duration_ms_bucket:rate5m': { metric: 'turn.ttft.duration_ms', fields: ['le'] },
};

/** The catalog only uses names and units for which the rules below are complete; fail loudly otherwise. */
function assertCatalogShape(m: MetricSpec): void {
  expect(m.name, m.name).toMatch(/^[a-z0-9_.]+$/);
  expect(['1', 'ms'].includes(m.unit) || /^\{[a-z]+\}$/.test(m.unit), `${m.name} unit ${m.unit}`).toBe(true);
  for (const f of [...m.required, ...m.optional]) expect(f, m.name).toMatch(/^[a-z_]+$/);
}

/** Series Prometheus holds for a metric, and the labels each carries. */
function expectedSeries(m: MetricSpec, naming: PrometheusNaming): Map<string, Set<string>> {
  const base = `codex_${m.name.replace(/\./g, '_')}`;
  // This package sends all five tags on every metric; the Codex CLI only sentTags(m). Both carry job.
  const labels = ['job', ...DEFAULT_LABELS, ...m.required, ...m.optional];
  if (m.kind === 'counter') return new Map([[`${base}_total`, new Set(labels)]]);
  const withUnit = naming === 'collector' && m.unit === 'ms' ? `${base}_milliseconds` : base;
  return new Map([
    [`${withUnit}_bucket`, new Set([...labels, 'le'])],
    [`${withUnit}_count`, new Set(labels)],
    [`${withUnit}_sum`, new Set(labels)],
  ]);
}

describe('per-request counters', () => {
  it('names only registry counters (the rest are drawn with increase)', () => {
    for (const name of PER_REQUEST_COUNTERS) expect(METRICS.find((m) => m.name === name)?.kind, name).toBe('counter');
  });
});

describe.each(['collector', 'plain'] as const)('%s naming', (naming) => {
  const dashboard = buildDashboard(METRICS, { naming });
  const queries = dashboardQueries(dashboard);
  const known = new Map<string, Set<string>>();
  const specOf = new Map<string, MetricSpec>();
  for (const m of METRICS) {
    assertCatalogShape(m);
    for (const [series, labels] of expectedSeries(m, naming)) {
      known.set(series, labels);
      specOf.set(series, m);
    }
  }
  for (const [record, { metric, fields }] of Object.entries(RECORDED)) {
    const m = METRICS.find((x) => x.name === metric)!;
    known.set(record, new Set(['job', ...sentTags(m), ...fields]));
    specOf.set(record, m);
  }
  // The GenAI view's row: gen_ai.* series, unprefixed, `s` → `_seconds` in the collector naming.
  for (const m of GENAI_METRICS) {
    const base = m.name.replace(/\./g, '_') + (naming === 'collector' && m.unit === 's' ? '_seconds' : '');
    const labels = ['job', ...DEFAULT_LABELS, ...[...m.required, ...m.optional].map((f) => f.replace(/\./g, '_'))];
    for (const [series, extra] of [[`${base}_bucket`, ['le']], [`${base}_count`, []], [`${base}_sum`, []]] as const) {
      known.set(series, new Set([...labels, ...extra]));
      specOf.set(series, m);
    }
  }
  const variableNames = new Set(dashboard.templating.list?.map((v) => v.name));

  it('names only series that exist, with labels those series carry', () => {
    const problems: string[] = [];
    for (const q of queries) {
      const where = `${q.panelTitle} [${q.refId}]`;
      const sels = selectors(q.expr);
      if (sels.length === 0) problems.push(`${where}: no selector in ${q.expr}`);
      const usedLabels = new Set<string>();
      for (const sel of sels) {
        const labels = sel.metric ? known.get(sel.metric) : undefined;
        if (!labels) {
          problems.push(`${where}: unknown series ${sel.metric}`);
          continue;
        }
        for (const { label } of sel.matchers) {
          usedLabels.add(label);
          if (!labels.has(label)) problems.push(`${where}: ${sel.metric} has no label ${label}`);
        }
        for (const label of groupingLabels(q.expr)) {
          if (!labels.has(label)) problems.push(`${where}: groups by ${label}, absent from ${sel.metric}`);
        }
      }
      for (const id of codexIdentifiers(q.expr)) if (!known.has(id)) problems.push(`${where}: stray name ${id}`);
    }
    expect(problems).toEqual([]);
  });

  it('filters every selector by $job and exactly the default tags Codex sends on that metric', () => {
    for (const q of queries) {
      for (const sel of selectors(q.expr)) {
        const m = specOf.get(sel.metric ?? '');
        expect(m, q.expr).toBeDefined();
        const filtered = sel.matchers.filter((x) => x.op === '=~' && x.value === `$${x.label}`).map((x) => x.label);
        expect(filtered.sort(), `${sel.metric} in ${q.expr}`).toEqual(['job', ...sentTags(m!)].sort());
      }
      for (const v of variables(q.expr)) if (!v.startsWith('__')) expect(variableNames.has(v), `$${v} in ${q.expr}`).toBe(true);
    }
  });

  it('never filters a windows_sandbox panel by the $originator default-tag variable', () => {
    const sandbox = queries.filter((q) => q.panelTitle.startsWith('windows_sandbox.'));
    expect(sandbox.length).toBeGreaterThan(0);
    for (const q of sandbox) expect(variables(q.expr), q.expr).not.toContain('originator');
    const split = sandbox.filter((q) => groupingLabels(q.expr).includes('originator'));
    expect(split.length, 'panels split by the per-call originator field').toBeGreaterThan(0);
  });

  it('uses windows over $__rate_interval (or recorded rates) and legends that name grouped labels', () => {
    for (const { expr, legendFormat } of queries) {
      const recorded = selectors(expr).every((s) => s.metric?.startsWith('codex:'));
      if (!recorded) expect(expr).toMatch(/(rate|increase)\([^)]*\[\$__rate_interval\]\)/);
      for (const l of legendLabels(legendFormat)) expect(groupingLabels(expr), `${legendFormat} vs ${expr}`).toContain(l);
    }
  });

  it('queries counters by every documented field and histograms by quantile and _count', () => {
    for (const m of METRICS) {
      const panel = dashboardPanels(dashboard).find((p) => p.title?.startsWith(`${m.name} `));
      expect(panel, m.name).toBeDefined();
      const exprs = prometheusTargets(panel!).map((t) => t.expr);
      const fields = [...m.required, ...m.optional];
      const [series] = expectedSeries(m, naming).keys();
      if (m.kind === 'counter') {
        expect(exprs).toHaveLength(1);
        // Per-request counters are rates; rare ones (start-up, set-up, lifecycle) are counts per window.
        expect(exprs[0]).toContain(`${PER_REQUEST_COUNTERS.has(m.name) ? 'rate' : 'increase'}(${series}{`);
        expect(groupingLabels(exprs[0]).sort()).toEqual([...fields].sort());
      } else {
        const base = series.replace(/_bucket$/, '');
        for (const q of ['0.5', '0.95', '0.99']) {
          const prefix = `histogram_quantile(${q}, sum by (le) (rate(${base}_bucket{`;
          expect(exprs.some((e) => e.startsWith(prefix)), `${m.name} p${q}`).toBe(true);
        }
        const count = exprs.find((e) => e.includes(`${base}_count{`));
        expect(count, m.name).toBeDefined();
        expect(groupingLabels(count!).sort()).toEqual([...fields].sort());
      }
    }
  });
});
