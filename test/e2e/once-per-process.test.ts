// Metrics a process records about once, at start-up, on a real Prometheus (Debian's 2.42): one Codex
// process exported once (a captured `codex exec`) through the Collector recipe's model, then nothing
// more, so its series stay flat. The dashboard's panel queries for those metrics read the counts and
// quantiles the series hold (finite, equal to the same aggregation over their current values); the
// rate/increase form they replace reads 0 (and NaN) meanwhile.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildDashboard } from '../../src/dashboard/dashboard.js';
import { dashboardQueries } from '../../src/dashboard/inspect.js';
import { ONCE_PER_PROCESS } from '../../src/dashboard/queries.js';
import { METRICS } from '../../src/generated/catalog.js';
import { expandForPrometheus, selectors } from '../dashboard/promql.js';
import { codexJsonExports, CodexProcess } from './codex-process.js';
import { fromCollectorConfig, serveCollectors, type ModelServer } from './collector-model.js';
import { prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from './prometheus-process.js';

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) console.warn('SKIPPED test/e2e/once-per-process.test.ts: `prometheus` is not on PATH. In CI this fails instead.');

const WINDOW = '10s';

describe.skipIf(skip)('once-per-process panels on a real Prometheus', () => {
  let server: ModelServer | undefined;
  let prometheus: PrometheusServer | undefined;
  const queries = dashboardQueries(buildDashboard(METRICS)).filter((q) => ONCE_PER_PROCESS.has(q.panelTitle.split(' ')[0]));

  async function values(promql: string): Promise<number[]> {
    const res = (await (await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {
      status: string;
      error?: string;
      data?: { result: { value: [number, string] }[] };
    };
    if (res.status !== 'success') throw new Error(`${promql}: ${res.error}`);
    return res.data!.result.map((s) => Number(s.value[1]));
  }

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH');
    server = await serveCollectors({ fixed: fromCollectorConfig(readFileSync('examples/otel-collector.yaml', 'utf8')) });
    await new CodexProcess(codexJsonExports().get('plain-turn')!, { startedAt: Date.now() - 1000 }).export(server.otlpUrl);
    prometheus = await startPrometheus(
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'collector', honor_labels: true, metrics_path: '/metrics/fixed', static_configs: [{ targets: [`127.0.0.1:${server.port}`] }] }],
      }),
    );
    // Several scrapes of the same, flat values.
    await waitFor(async () => (await values('count_over_time(codex_process_start_total[1m]) >= 4')).length > 0, 30_000, () => prometheus!.log());
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('covers the start-up metrics the capture holds', () => {
    const titles = new Set(queries.map((q) => q.panelTitle.split(' ')[0]));
    for (const name of ['process.start', 'startup.phase.duration_ms', 'sqlite.init.count', 'auth_storage.operation']) expect(titles, name).toContain(name);
  });

  it('every panel query reads what the series hold, finite, while they exist', async () => {
    const problems: string[] = [];
    let ran = 0;
    for (const q of queries) {
      const names = selectors(q.expr).map((sel) => sel.metric ?? '');
      const present = await Promise.all(names.map(async (n) => (await values(`count(${n})`)).length > 0));
      if (!present.every(Boolean)) continue; // not in this capture
      ran++;
      const expr = expandForPrometheus(q.expr, WINDOW);
      // The same aggregation over the series' current values (an instant vector, no window).
      const held = expr.replace(/max_over_time\(([^[]+)\[[^\]]+\]\)/g, '$1');
      const [got, want] = [await values(expr), await values(held)];
      if (got.length === 0 || !got.every(Number.isFinite) || JSON.stringify(got.sort()) !== JSON.stringify(want.sort())) {
        problems.push(`${q.panelTitle} [${q.refId}]: ${JSON.stringify(got)} vs held ${JSON.stringify(want)} :: ${q.expr}`);
      }
    }
    expect(problems).toEqual([]);
    expect(ran, 'queries over series the capture holds').toBeGreaterThan(20);
  });

  it('the rate/increase form reads 0 and NaN on the same flat series', async () => {
    expect(await values(`sum(increase(codex_process_start_total[${WINDOW}]))`)).toEqual([0]);
    const p50 = await values(`histogram_quantile(0.5, sum by (le) (rate(codex_startup_phase_duration_ms_milliseconds_bucket[${WINDOW}])))`);
    expect(p50.every((v) => Number.isNaN(v))).toBe(true);
  });
});
