import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { MetricSpec } from '../../src/catalog/spec.js';
import { COLLAPSE_ABOVE, buildDashboard, renderDashboardJson, sections } from '../../src/dashboard/dashboard.js';
import { dashboardPanels, dashboardQueries, dashboardRows, prometheusTargets } from '../../src/dashboard/inspect.js';
import { prometheusSeriesNames } from '../../src/dashboard/naming.js';
import { METRICS } from '../../src/generated/catalog.js';
import { GENAI_SECTION } from '../../src/genai/conventions.js';
import { DEFAULT_DASHBOARD_OUT } from '../../src/cli/paths.js';
import { PER_REQUEST_COUNTERS } from '../../src/dashboard/queries.js';
import { ATTRIBUTION_ROW } from '../../src/dashboard/attribution.js';

const TAG_LABELS = ['auth_mode', 'originator', 'session_source', 'model', 'app_version'];
const VARIABLES = ['job', ...TAG_LABELS];

// Typed as the SDK's Dashboard: the compiler checks the builders' output against the schema types.
const dashboard: Dashboard = buildDashboard(METRICS);

describe('structure', () => {
  it('holds only JSON values besides the SDK\'s query-variant markers, and round-trips', () => {
    expect(nonJsonLeaves(dashboard).filter((path) => !path.endsWith('._implementsDataqueryVariant'))).toEqual([]);
    const json = renderDashboardJson(METRICS);
    expect(json.endsWith('}\n')).toBe(true);
    expect(`${JSON.stringify(JSON.parse(json), null, 2)}\n`).toBe(json);
    expect(renderDashboardJson(METRICS)).toBe(json);
  });

  it('matches the committed dashboards/codex-metrics.json', () => {
    expect(readFileSync(DEFAULT_DASHBOARD_OUT, 'utf8')).toBe(renderDashboardJson(METRICS));
  });

  it('has an overview row, the attribution row, then one row per docs section in order', () => {
    const titles = dashboardRows(dashboard).map((r) => r.title);
    // The GenAI view's row comes last (test/genai/dashboard.test.ts).
    expect(titles).toEqual(['Overview', ATTRIBUTION_ROW, ...new Set(METRICS.map((m) => m.section)), GENAI_SECTION]);
    expect(dashboardRows(buildDashboard(METRICS, { attributionLabel: null })).map((r) => r.title)).not.toContain(ATTRIBUTION_ROW);
    expect(dashboardRows(dashboard)[0].collapsed).toBe(false);
  });

  it('puts each metric panel under its section row, collapsing long sections', () => {
    const top = dashboard.panels ?? [];
    for (const [section, members] of sections(METRICS)) {
      const index = top.findIndex((p) => p.type === 'row' && p.title === section);
      const row = top[index] as RowPanel;
      let owned: Panel[];
      if (members.length > COLLAPSE_ABOVE) {
        expect(row.collapsed, section).toBe(true);
        owned = row.panels;
      } else {
        expect(row.collapsed, section).toBe(false);
        const next = top.findIndex((p, i) => i > index && p.type === 'row');
        owned = top.slice(index + 1, next === -1 ? undefined : next) as Panel[];
      }
      expect(owned.map((p) => p.title?.split(' ')[0])).toEqual(members.map((m) => m.name));
    }
  });

  it('collapses nothing when every section is short', () => {
    const short = [...sections(METRICS).values()].flatMap((members) => members.slice(0, 2));
    const d = buildDashboard(short);
    expect(dashboardRows(d).every((r) => !r.collapsed)).toBe(true);
    expect(dashboardPanels(d).length).toBeGreaterThan(short.length);
    assertLayout(d);
  });

  it('gives every panel and row a unique id', () => {
    const ids = [...dashboardRows(dashboard), ...dashboardPanels(dashboard)].map((p) => p.id);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    assertLayout(dashboard);
  });
});

describe('coverage', () => {
  it('gives every registry metric a panel that queries its series', () => {
    const exprs = dashboardQueries(dashboard).map((q) => q.expr);
    const panels = dashboardPanels(dashboard);
    for (const m of METRICS) {
      expect(panels.some((p) => p.title?.startsWith(`${m.name} `)), m.name).toBe(true);
      const used = m.kind === 'counter' ? prometheusSeriesNames(m, 'collector') : prometheusSeriesNames(m, 'collector').slice(0, 2);
      for (const series of used) expect(exprs.some((e) => e.includes(`${series}{`)), series).toBe(true);
    }
  });

  it('has the overview panels', () => {
    const overview = (dashboard.panels ?? []).slice(1, (dashboard.panels ?? []).findIndex((p, i) => i > 0 && p.type === 'row'));
    expect(overview.map((p) => p.title)).toEqual([
      'API request rate',
      'Failure ratios',
      'API latency p95',
      'Turn end-to-end p50 / p95',
      'Time to first token p50 / p95',
      'Tool calls by tool',
      'Token usage by token type',
    ]);
  });

  it('reads recording rules in the overview where they exist, and says so', () => {
    const overview = (dashboard.panels ?? []).slice(1, (dashboard.panels ?? []).findIndex((p, i) => i > 0 && p.type === 'row')) as Panel[];
    const recorded = overview.filter((p) => prometheusTargets(p).every((t) => t.expr.includes('codex:')));
    expect(recorded.map((p) => p.title)).toEqual(overview.filter((p) => p.title !== 'Token usage by token type').map((p) => p.title));
    for (const p of recorded) expect(p.description, p.title).toMatch(/recording rule/);
  });

  it('says in each panel description which variables apply', () => {
    const panels = dashboardPanels(dashboard);
    const describe = (name: string) => panels.find((p) => p.title?.startsWith(`${name} `))?.description ?? '';
    expect(describe('api_request')).toContain('Filtered by $job, $auth_mode, $originator, $session_source, $model, $app_version.');
    expect(describe('process.start')).toContain('Filtered by $job, $originator only; $auth_mode, $session_source, $model, $app_version do not apply');
    expect(describe('db.error')).toContain('without default tags');
    expect(describe('windows_sandbox.setup_failure')).toMatch(/`originator` is the metric's own per-call field/);
  });

  it('skips overview panels whose metric is missing', () => {
    const onlyTools = METRICS.filter((m) => m.name === 'tool.call');
    const d = buildDashboard(onlyTools);
    expect(dashboardRows(d).map((r) => r.title)).toEqual(['Overview', 'Turn and tool activity']);
    expect(dashboardPanels(d).map((p) => p.title)).toEqual(['Failure ratios', 'Tool calls by tool', 'tool.call (per second)']);
  });

  it('takes units from the registry', () => {
    const panels = dashboardPanels(dashboard);
    const unitOf = (m: MetricSpec) => panels.find((p) => p.title?.startsWith(`${m.name} `))?.fieldConfig?.defaults?.unit;
    for (const m of METRICS) {
      // Per-request counters are rates (cps); rare ones are counts per window.
      if (m.kind === 'counter') expect(unitOf(m), m.name).toBe(PER_REQUEST_COUNTERS.has(m.name) ? 'cps' : 'short');
      else expect(unitOf(m), m.name).toBe(m.unit === 'ms' ? 'ms' : 'short');
    }
  });

  it('points every panel and query at the $datasource variable', () => {
    for (const p of dashboardPanels(dashboard)) {
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of prometheusTargets(p)) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      const refIds = prometheusTargets(p).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
    }
  });
});

describe('template variables', () => {
  const list = dashboard.templating.list ?? [];

  it('starts with a Prometheus datasource variable', () => {
    expect(list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const pinned = buildDashboard(METRICS, { datasourceUid: 'prom-uid' }).templating.list?.[0];
    expect(pinned?.current).toMatchObject({ value: 'prom-uid' });
  });

  it('has job, then one multi-select label_values variable per default tag, chained, All = .*, then team from target_info', () => {
    expect(list.slice(1).map((v) => v.name)).toEqual([...VARIABLES, 'team']);
    expect(list.at(-1)).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*', query: 'label_values(target_info{job=~"$job"}, team)' });
    expect(buildDashboard(METRICS, { attributionLabel: 'user_id' }).templating.list?.at(-1)?.query).toBe('label_values(target_info{job=~"$job"}, user_id)');
    expect(() => buildDashboard(METRICS, { attributionLabel: 'instance' })).toThrow(TypeError);
    list.slice(1, -1).forEach((v, i) => {
      expect(v).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
      expect(v.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      // One anchor series, narrowed by every variable before this one; never a scan of all codex_* series.
      const chain = VARIABLES.slice(0, i).map((l) => `${l}=~"$${l}"`).join(',');
      expect(v.query).toBe(`label_values(codex_api_request_total${chain ? `{${chain}}` : ''}, ${v.name})`);
    });
  });

  it('names the same labels in plain naming', () => {
    expect(buildDashboard(METRICS, { naming: 'plain' }).templating.list?.slice(1).map((v) => v.name)).toEqual([...VARIABLES, 'team']);
  });

  it('falls back to one session counter, then to every Codex series, as the variable anchor', () => {
    const noRequests = METRICS.filter((m) => m.name !== 'api_request');
    const firstSession = noRequests.find((m) => m.kind === 'counter' && m.tags === 'session')!;
    expect(buildDashboard(noRequests).templating.list?.[1].query).toBe(`label_values(codex_${firstSession.name.replace(/\./g, '_')}_total, job)`);
    const onlyDb = METRICS.filter((m) => m.name === 'db.error');
    expect(buildDashboard(onlyDb).templating.list?.[2].query).toBe('label_values({__name__=~"codex_.+",job=~"$job"}, auth_mode)');
  });
});

function assertLayout(d: Dashboard): void {
  const top = d.panels ?? [];
  const boxes: { title: string; x: number; y: number; w: number; h: number }[] = [];
  for (const p of top) {
    const g = p.gridPos;
    expect(g, p.title).toBeDefined();
    expect(g!.x >= 0 && g!.y >= 0 && g!.w > 0 && g!.h > 0 && g!.x + g!.w <= 24, `${p.title} ${JSON.stringify(g)}`).toBe(true);
    boxes.push({ title: p.title ?? '', ...g! });
    if (p.type === 'row') {
      const row = p as RowPanel;
      expect(g).toMatchObject({ x: 0, w: 24, h: 1 });
      // Hidden panels sit below their row, as if it were expanded, and do not overlap each other.
      const inner = row.panels.map((c) => ({ title: c.title ?? '', ...c.gridPos! }));
      for (const c of inner) expect(c.y > g!.y && c.x + c.w <= 24, c.title).toBe(true);
      expectNoOverlap(inner);
    }
  }
  expectNoOverlap(boxes);
  // Top-level items are in reading order.
  for (let i = 1; i < boxes.length; i++) expect(boxes[i].y >= boxes[i - 1].y, boxes[i].title).toBe(true);
}

function expectNoOverlap(boxes: readonly { title: string; x: number; y: number; w: number; h: number }[]): void {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(overlap, `${a.title} overlaps ${b.title}`).toBe(false);
    }
  }
}

/** Paths of values JSON.stringify would drop or change: functions, undefined, non-finite numbers. */
function nonJsonLeaves(value: unknown, path = '$'): string[] {
  if (typeof value === 'function' || value === undefined) return [path];
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => nonJsonLeaves(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`));
}
