// End to end: the package records every catalog metric, @opentelemetry/exporter-prometheus serves it,
// a real Prometheus scrapes it, and every query of the generated dashboard must return data.
//
// Prometheus scrapes the exporter twice: job `plain` as is, and job `collector` with the series renamed
// the way the OpenTelemetry Collector names them (`…_ms_bucket` → `…_ms_milliseconds_bucket`), so the
// default (collector-named) dashboard is proven as well as the plain one.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildDashboard } from '../../src/dashboard/dashboard.js';
import { dashboardQueries } from '../../src/dashboard/inspect.js';
import type { PrometheusNaming } from '../../src/dashboard/naming.js';
import { runDemoWorkload } from '../../src/demo/workload.js';
import { createCodexMetrics } from '../../src/index.js';
import { METRICS } from '../../src/generated/catalog.js';
import { expandForPrometheus } from '../dashboard/promql.js';
import { freePort, prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from './prometheus-process.js';

const DEFAULTS = {
  auth_mode: 'ApiKey',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.136.0',
} as const;
/** Stands in for Grafana's `$__rate_interval`: wide enough to hold every sample of a few seconds. */
const RATE_WINDOW = '10s';
const MIN_SCRAPES = 3;

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) {
  console.warn('SKIPPED test/e2e/prometheus.test.ts: `prometheus` is not on PATH (apt-get install -y --no-install-recommends prometheus). In CI this fails instead.');
}

/** Plain histogram base names of `ms` metrics; the Collector appends `_milliseconds` to these. */
const msHistograms = METRICS.filter((m) => m.kind === 'histogram' && m.unit === 'ms').map((m) => `codex_${m.name.replace(/\./g, '_')}`);

function prometheusConfig(target: string): string {
  const job = (name: string) => ({ job_name: name, static_configs: [{ targets: [target] }] });
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: [
      job('plain'),
      {
        ...job('collector'),
        metric_relabel_configs: [
          {
            source_labels: ['__name__'],
            regex: `(${msHistograms.join('|')})_(bucket|count|sum)`,
            target_label: '__name__',
            replacement: '${1}_milliseconds_${2}',
          },
        ],
      },
    ],
  });
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

describe.skipIf(skip)('generated dashboard on a real Prometheus', () => {
  let prometheus: PrometheusServer | undefined;
  let provider: MeterProvider | undefined;
  let workload: NodeJS.Timeout | undefined;
  let workloadError: unknown;

  async function query(promql: string): Promise<{ status: string; error?: string; data?: { result: Sample[] } }> {
    const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return (await res.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  }

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH; CI installs Debian 12 prometheus in .ci/run');
    const port = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
    await exporter.startServer();
    provider = new MeterProvider({ readers: [exporter] });
    const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: provider, strict: true });
    // Keep recording so every rate is positive and every quantile finite while Prometheus scrapes.
    let seed = 1;
    const tick = (): void => runDemoWorkload(metrics, { seed: seed++ });
    tick();
    workload = setInterval(() => {
      try {
        tick();
      } catch (err) {
        workloadError ??= err;
      }
    }, 200);

    prometheus = await startPrometheus(prometheusConfig(`127.0.0.1:${port}`));
    await waitFor(
      async () => {
        const scrapes = (await query(`min(count_over_time(up[1m])) >= ${MIN_SCRAPES} and min(up) == 1`)).data?.result ?? [];
        return scrapes.length === 1;
      },
      15_000,
      () => `fewer than ${MIN_SCRAPES} successful scrapes of both jobs:\n${prometheus?.log()}`,
    );
  }, 20_000);

  afterAll(async () => {
    if (workload) clearInterval(workload);
    await prometheus?.stop();
    // Shuts the exporter and its HTTP server down too.
    await provider?.shutdown();
  });

  it('scrapes every registry metric with the default tags', async () => {
    expect(workloadError).toBeUndefined();
    const result = (await query('count by (__name__) ({job="plain", __name__=~"codex_.+", app_version="0.136.0", model=~".+"})')).data?.result ?? [];
    const scraped = new Set(result.map((s) => s.metric.__name__));
    const missing = METRICS.map((m) => `codex_${m.name.replace(/\./g, '_')}${m.kind === 'counter' ? '_total' : '_count'}`).filter(
      (name) => !scraped.has(name),
    );
    expect(missing, 'metrics the workload never recorded').toEqual([]);
  });

  it('stores field values spelled like the Rust emitter (true/false, decimal ints)', async () => {
    const failed = await query('codex_api_request_total{job="plain", success="false", status="429"}');
    expect(failed.data?.result.length).toBe(1);
  });

  it.each(['plain', 'collector'] as const)('answers every %s-named panel query with data', async (naming: PrometheusNaming) => {
    const queries = dashboardQueries(buildDashboard(METRICS, { naming }));
    const failures: string[] = [];
    const batch = 16;
    for (let i = 0; i < queries.length; i += batch) {
      await Promise.all(
        queries.slice(i, i + batch).map(async (q) => {
          const promql = expandForPrometheus(q.expr, RATE_WINDOW);
          const res = await query(promql);
          const values = (res.data?.result ?? []).map((s) => Number(s.value[1]));
          if (res.status !== 'success') failures.push(`${q.panelTitle} [${q.refId}] invalid: ${res.error} :: ${promql}`);
          else if (values.length === 0) failures.push(`${q.panelTitle} [${q.refId}] no samples :: ${promql}`);
          else if (!values.some(Number.isFinite)) failures.push(`${q.panelTitle} [${q.refId}] only NaN/Inf :: ${promql}`);
        }),
      );
    }
    expect(queries.length).toBeGreaterThan(METRICS.length);
    expect(failures, `${failures.length} of ${queries.length} queries failed:\n${failures.join('\n')}`).toEqual([]);
  }, 15_000);

  it('fills every template variable from label_values', async () => {
    const variables = (buildDashboard(METRICS).templating.list ?? []).filter((v) => v.type === 'query');
    expect(variables).toHaveLength(5);
    for (const v of variables) {
      // Grafana turns label_values(selector, label) into the label values API.
      const [, match, label] = /^label_values\((.+), (\w+)\)$/.exec(String(v.query)) ?? [];
      const res = await fetch(`${prometheus!.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
      const body = (await res.json()) as { status: string; data: string[] };
      const expected = DEFAULTS[label === 'app_version' ? 'app.version' : (label as keyof typeof DEFAULTS)];
      expect(body.data, `$${v.name}`).toContain(expected);
    }
  });
});
