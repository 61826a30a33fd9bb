// Every query of the generated dashboard may only name series and labels that exist for the chosen
// naming. Expected names are derived here from the MetricSpec, independently of src/dashboard/naming.ts.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS, type MetricSpec } from '../../src/catalog/spec.js';
import { ONCE_PER_PROCESS, PER_REQUEST_COUNTERS } from '../../src/dashboard/queries.js';
import { ATTRIBUTION_ROW } from '../../src/dashboard/attribution.js';
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

describe('once-per-process metrics', () => {
  it('names only registry metrics, none of them per request', () => {
    for (const name of ONCE_PER_PROCESS) {
      expect(METRICS.some((m) => m.name === name), name).toBe(true);
      expect(PER_REQUEST_COUNTERS.has(name), name).toBe(false);
    }
  });
});

/** The Attribution row's recorded series: job, the target_info label, and one kept field each. */
const ATTRIBUTION_RECORDED: Record<string, string[]> = {
  'job_team:codex_api_request:rate5m': ['job', 'team', 'success'],
  'job_team:codex_turn_token_usage:rate5m': ['job', 'team', 'token_type'],
};

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
  for (const [record, labels] of Object.entries(ATTRIBUTION_RECORDED)) known.set(record, new Set(labels));
  const variableNames = new Set(dashboard.templating.list?.map((v) => v.name));
  const isAttribution = (q: { panelTitle: string }) => dashboardPanelsOfRow(ATTRIBUTION_ROW).has(q.panelTitle);
  function dashboardPanelsOfRow(row: string): Set<string> {
    const top = dashboard.panels ?? [];
    const i = top.findIndex((p) => p.type === 'row' && p.title === row);
    const next = top.findIndex((p, j) => j > i && p.type === 'row');
    return new Set(top.slice(i + 1, next).map((p) => p.title ?? ''));
  }

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
      // Attribution series (job_team:codex_…) hold a codex_ name after their level prefix.
      for (const id of codexIdentifiers(q.expr.replace(/\bjob_team:[A-Za-z0-9_:]+/g, ''))) if (!known.has(id)) problems.push(`${where}: stray name ${id}`);
    }
    expect(problems).toEqual([]);
  });

  it('filters every selector by $job and exactly the default tags Codex sends on that metric (attribution: $job and $team)', () => {
    const attribution = queries.filter(isAttribution);
    expect(attribution.map((q) => selectors(q.expr)[0].metric).sort()).toEqual(Object.keys(ATTRIBUTION_RECORDED).sort());
    for (const q of attribution) {
      const filtered = selectors(q.expr)[0].matchers.filter((x) => x.op === '=~' && x.value === `$${x.label}`).map((x) => x.label);
      expect(filtered.sort()).toEqual(['job', 'team']);
    }
    for (const q of queries.filter((x) => !isAttribution(x))) {
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
      const recorded = selectors(expr).every((s) => s.metric?.startsWith('codex:') || s.metric?.startsWith('job_team:'));
      if (!recorded) expect(expr).toMatch(/(rate|increase|max_over_time)\([^)]*\[\$__rate_interval\]\)/);
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
        // Per-request counters are rates; rare ones (set-up, lifecycle) are counts per window; those
        // recorded once per process what the series hold.
        const fn = PER_REQUEST_COUNTERS.has(m.name) ? 'rate' : ONCE_PER_PROCESS.has(m.name) ? 'max_over_time' : 'increase';
        expect(exprs[0]).toContain(`${fn}(${series}{`);
        expect(groupingLabels(exprs[0]).sort()).toEqual([...fields].sort());
      } else {
        const base = series.replace(/_bucket$/, '');
        const fn = ONCE_PER_PROCESS.has(m.name) ? 'max_over_time' : 'rate';
        for (const q of ['0.5', '0.95', '0.99']) {
          const prefix = `histogram_quantile(${q}, sum by (le) (${fn}(${base}_bucket{`;
          expect(exprs.some((e) => e.startsWith(prefix)), `${m.name} p${q}`).toBe(true);
        }
        const count = exprs.find((e) => e.includes(`${base}_count{`));
        expect(count, m.name).toBeDefined();
        expect(groupingLabels(count!).sort()).toEqual([...fields].sort());
      }
    }
  });
});
