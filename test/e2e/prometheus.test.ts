// End to end on a real Prometheus (Debian's 2.42), once per naming mode, fed with BOTH
//   - this package's export: the demo workload recorded into @opentelemetry/exporter-prometheus,
//     scraped directly as job `codex-agent` (in the collector mode the `ms` histograms are renamed the
//     way the OpenTelemetry Collector names them), and
//   - the real Codex CLI 0.171.0 exports committed under test/fixtures/ (delta OTLP), each replayed as
//     one Codex process on its own host into the model of the Collector running the shipped recipe
//     (collector-model.ts, examples/otel-collector.yaml) and scraped with honor_labels, so they land
//     as job `codex_exec` (Codex's service.name), one `instance` per host,
// with the generated recording and alerting rules loaded. Every dashboard query must return data with
// every variable at All, and with every variable set to a concrete value found in the data (chained as
// Grafana resolves them) for each job.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ALERTS_FILE, RECORDING_FILE, RULES_DIR } from '../../src/cli/paths.js';
import { buildDashboard } from '../../src/dashboard/dashboard.js';
import { dashboardQueries } from '../../src/dashboard/inspect.js';
import { NAMING_MODES, prometheusSeriesNames, type PrometheusNaming } from '../../src/dashboard/naming.js';
import { recordedAggregates } from '../../src/dashboard/recorded.js';
import { createCodexMetrics } from '../../src/index.js';
import { METRICS } from '../../src/generated/catalog.js';
import { GENAI_METRICS } from '../../src/genai/conventions.js';
import type { MetricSpec } from '../../src/catalog/spec.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { expandForPrometheus, selectors } from '../dashboard/promql.js';
import { readFileSync } from 'node:fs';
import { loadFixturePoints, readManifest } from '../interop/fixtures.js';
import { restamp } from './codex-process.js';
import { fromCollectorConfig, serveExposition, type CollectorModel } from './collector-model.js';
import { startDemoTicker, type DemoTicker } from './demo-ticker.js';
import { freePort, prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from './prometheus-process.js';

// The originator default differs from the per-call `originator` the workload gives windows_sandbox.*
// (codex_cli_rs), so a panel that filtered those by the default-tag variable would come back empty.
const DEFAULTS = {
  auth_mode: 'ApiKey',
  originator: 'codex_vscode',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.136.0',
} as const;
const AGENT_JOB = 'codex-agent';
const CODEX_JOB = 'codex_exec';
const AGENT_TEAM = 'agents';
/** Sent by every Codex process as an [otel] exporter header; the recipe puts it on the resource. */
const CODEX_TEAM = 'codex-users';
/** Stands in for Grafana's `$__rate_interval`: wide enough to hold every sample of a few seconds. */
const RATE_WINDOW = '10s';
/** How often the Codex fixtures are replayed as one more export interval. */
const REPLAY_MS = 1_000;
const MIN_SCRAPES = 3;
const TAG_VARIABLES = ['auth_mode', 'originator', 'session_source', 'model', 'app_version'];

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) {
  console.warn('SKIPPED test/e2e/prometheus.test.ts: `prometheus` is not on PATH (apt-get install -y --no-install-recommends prometheus). In CI this fails instead.');
}

/** Plain histogram base names of `ms` metrics; the Collector appends `_milliseconds` to these. */
const msHistograms = METRICS.filter((m) => m.kind === 'histogram' && m.unit === 'ms').map((m) => `codex_${m.name.replace(/\./g, '_')}`);
/** The GenAI view's `s` histograms; the Collector appends `_seconds` to these. */
const secondsHistograms = GENAI_METRICS.filter((m) => m.unit === 's').map((m) => m.name.replace(/\./g, '_'));

function prometheusConfig(naming: PrometheusNaming, agent: string, collector: string): string {
  return stringify({
    // 2 s leaves the exporters room on a busy 2-core machine; the rate window below spans 5 scrapes.
    global: { scrape_interval: '2s', scrape_timeout: '2s', evaluation_interval: '2s' },
    rule_files: [join(RULES_DIR, naming, RECORDING_FILE), join(RULES_DIR, naming, ALERTS_FILE)],
    scrape_configs: [
      {
        job_name: AGENT_JOB,
        static_configs: [{ targets: [agent] }],
        ...(naming === 'collector'
          ? {
              metric_relabel_configs: [
                {
                  source_labels: ['__name__'],
                  regex: `(${msHistograms.join('|')})_(bucket|count|sum)`,
                  target_label: '__name__',
                  replacement: '${1}_milliseconds_${2}',
                },
                {
                  source_labels: ['__name__'],
                  regex: `(${secondsHistograms.join('|')})_(bucket|count|sum)`,
                  target_label: '__name__',
                  replacement: '${1}_seconds_${2}',
                },
              ],
            }
          : {}),
      },
      // The Collector's prometheus exporter sets job/instance from the resource: keep them.
      { job_name: 'otel-collector', honor_labels: true, metrics_path: `/metrics/${naming}`, static_configs: [{ targets: [collector] }] },
    ],
  });
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
type QueryResult = { status: string; error?: string; data?: { result: Sample[] } };

/** Grafana's escaping of a single selected value inside a `=~` regex. */
function regexEscape(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');
}

/** What Grafana sends with concrete variable values and a fixed rate window. */
function expandConcrete(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$__rate_interval/g, RATE_WINDOW).replace(/\$\{?(\w+)\}?/g, (all, name: string) => {
    if (!(name in values)) throw new Error(`no value for $${name} in ${expr}`);
    return regexEscape(values[name]);
  });
}

/** Registry spec behind every series name a query can read (raw, or recorded by the rules). */
function seriesSpecs(naming: PrometheusNaming): Map<string, MetricSpec> {
  const specs = new Map<string, MetricSpec>();
  for (const m of [...METRICS, ...GENAI_METRICS]) for (const s of prometheusSeriesNames(m, naming)) specs.set(s, m);
  for (const a of recordedAggregates(METRICS, naming)) specs.set(a.record, a.metric);
  return specs;
}

describe.skipIf(skip)('generated dashboard and rules on a real Prometheus', () => {
  let provider: MeterProvider | undefined;
  let agentPort = 0;
  let ticker: DemoTicker | undefined;
  let collector: { port: number; close(): Promise<void> } | undefined;
  let replay: NodeJS.Timeout | undefined;
  // The shipped Collector recipe, once per naming (plain: the same pipeline named as the JS exporter would).
  const recipe = readFileSync(join(RULES_DIR, '..', 'examples', 'otel-collector.yaml'), 'utf8');
  const models = new Map<PrometheusNaming, CollectorModel>(NAMING_MODES.map((n) => [n, fromCollectorConfig(recipe, { naming: n })]));
  let codexPoints: ReceivedPoint[] = [];
  let processes: { points: ReceivedPoint[]; address: string; last: bigint }[] = [];

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH; CI installs Debian 12 prometheus in .ci/run');
    agentPort = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port: agentPort, preventServerStart: true });
    await exporter.startServer();
    // A team on the resource: the exporter serves it in target_info, which the attribution rules join.
    provider = new MeterProvider({ readers: [exporter], resource: resourceFromAttributes({ team: AGENT_TEAM }) });
    // With the GenAI view, so the dashboard's GenAI row has data too.
    const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: provider, strict: true, genAi: true });
    // Keep recording so every rate is positive and every quantile finite while Prometheus scrapes.
    ticker = startDemoTicker(metrics, 200);

    // A Codex process exporting every captured Codex export (both protocols, all scenarios) as one
    // more interval of deltas every REPLAY_MS (restamped as the Rust SDK would; points that are the
    // same series are added up by the recipe's transform), so the Codex counters keep growing like a
    // busy fleet's. (test/e2e/fleet.test.ts runs many writers.)
    const started = BigInt(Date.now()) * 1_000_000n;
    // `codex exec` only: `codex app-server` exports under jobs of its own (service.name `codex-app-server`).
    for (const entry of readManifest().entries.filter((e) => e.scenario !== 'app-server')) codexPoints.push(...(await loadFixturePoints(entry)));
    processes.push({ points: codexPoints, address: '10.0.0.1', last: started });
    const feed = (): void => {
      const now = BigInt(Date.now()) * 1_000_000n;
      for (const p of processes) {
        const points = restamp(p.points, p.last, now, p.points[0].resource);
        for (const model of models.values()) model.receive(points, { clientAddress: p.address, headers: { 'x-codex-team': CODEX_TEAM } });
        p.last = now;
      }
    };
    feed();
    replay = setInterval(feed, REPLAY_MS);
    collector = await serveExposition((path) => {
      const naming = NAMING_MODES.find((n) => path === `/metrics/${n}`);
      return naming ? models.get(naming)!.render() : undefined;
    });
  }, 30_000);

  afterAll(async () => {
    ticker?.stop();
    if (replay) clearInterval(replay);
    await collector?.close();
    // Shuts the exporter and its HTTP server down too.
    await provider?.shutdown();
  });

  it('replays only counters and histograms from the Codex fixtures, all delta, none dropped by the pipeline', () => {
    expect(codexPoints.length).toBeGreaterThan(100);
    expect(codexPoints.every((p) => p.temporality === 'delta')).toBe(true);
    for (const m of models.values()) expect(m.stats).toMatchObject({ skipped: 0, olderStart: 0, outOfOrder: 0, streamLimit: 0, exporterDropped: 0 });
  });

  describe.each(NAMING_MODES)('%s naming', (naming) => {
    let prometheus: PrometheusServer | undefined;
    const dashboard = buildDashboard(METRICS, { naming });
    const queries = dashboardQueries(dashboard);
    const specs = seriesSpecs(naming);

    async function query(promql: string): Promise<QueryResult> {
      const res = await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return (await res.json()) as QueryResult;
    }
    async function labelValues(label: string, match: string): Promise<string[]> {
      const res = await fetch(`${prometheus!.url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}`);
      return ((await res.json()) as { data: string[] }).data;
    }
    async function seriesOf(job: string): Promise<Record<string, string>[]> {
      const match = `{job="${job}",__name__=~"codex.+|gen_ai.+"}`;
      const res = await fetch(`${prometheus!.url}/api/v1/series?match[]=${encodeURIComponent(match)}`);
      return ((await res.json()) as { data: Record<string, string>[] }).data;
    }
    /** Runs queries 16 at a time; a query "returns data" with at least one finite sample. */
    async function runAll(exprs: readonly string[]): Promise<{ expr: string; ok: boolean; detail: string }[]> {
      const out: { expr: string; ok: boolean; detail: string }[] = [];
      for (let i = 0; i < exprs.length; i += 16) {
        out.push(
          ...(await Promise.all(
            exprs.slice(i, i + 16).map(async (expr) => {
              const res = await query(expr);
              if (res.status !== 'success') return { expr, ok: false, detail: `invalid: ${res.error}` };
              const values = (res.data?.result ?? []).map((s) => Number(s.value[1]));
              if (values.length === 0) return { expr, ok: false, detail: 'no samples' };
              return { expr, ok: values.some(Number.isFinite), detail: values.some(Number.isFinite) ? '' : 'only NaN/Inf' };
            }),
          )),
        );
      }
      return out;
    }

    beforeAll(async () => {
      let state = '';
      prometheus = await startPrometheus(prometheusConfig(naming, `127.0.0.1:${agentPort}`, `127.0.0.1:${collector!.port}`));
      await waitFor(
        async () => {
          const scrapes = (await query(`min(count_over_time(up[1m])) >= ${MIN_SCRAPES} and min(up) == 1`)).data?.result ?? [];
          // The recording rules have run over both jobs.
          const recorded = (await query('count by (job) (codex:api_request:rate5m)')).data?.result ?? [];
          const up = (await query('up')).data?.result ?? [];
          state = `up: ${JSON.stringify(up.map((s) => [s.metric.job, s.value[1]]))}, recorded for: ${JSON.stringify(recorded.map((s) => s.metric.job))}`;
          return scrapes.length === 1 && recorded.length === 2;
        },
        40_000,
        () => `fewer than ${MIN_SCRAPES} successful scrapes of both jobs, or no recorded series (${state}):\n${prometheus?.log()}`,
      );
    }, 50_000);

    afterAll(async () => {
      await prometheus?.stop();
    });

    it('scrapes every registry metric of the package with the default tags, and the Codex data as job codex_exec', async () => {
      expect(ticker?.error()).toBeUndefined();
      const result = (await query(`count by (__name__) ({job="${AGENT_JOB}", __name__=~"codex_.+", app_version="0.136.0", model=~".+"})`)).data?.result ?? [];
      const scraped = new Set(result.map((s) => s.metric.__name__));
      const missing = METRICS.map((m) => prometheusSeriesNames(m, naming).at(m.kind === 'counter' ? 0 : 1)!).filter((name) => !scraped.has(name));
      expect(missing, 'metrics the workload never recorded').toEqual([]);
      const codex = (await query(`count by (__name__) ({job="${CODEX_JOB}", __name__=~"codex_.+"})`)).data?.result ?? [];
      expect(codex.length, 'Codex fixture metrics').toBeGreaterThan(50);
    });

    it('stores field values spelled like the Rust emitter (true/false, decimal ints)', async () => {
      const failed = await query(`codex_api_request_total{job="${AGENT_JOB}", success="false", status="429"}`);
      expect(failed.data?.result.length).toBe(1);
    });

    it('evaluates the recording rules for both jobs and the alerts without errors', async () => {
      for (const record of ['job:codex_api_request_failures:ratio_rate5m', 'job:codex_turn_e2e_duration_ms:p95_rate5m', 'job:codex_tool_call_failures:ratio_rate30m']) {
        const jobs = ((await query(record)).data?.result ?? []).map((s) => s.metric.job).sort();
        expect(jobs, record).toEqual([AGENT_JOB, CODEX_JOB].sort());
      }
      const res = (await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as {
        data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      const rules = res.data.groups.flatMap((g) => g.rules);
      expect(rules.length).toBeGreaterThan(30);
      const unhealthy = rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`);
      expect(unhealthy).toEqual([]);
    });

    it('answers every panel query with data with every variable at All', async () => {
      const results = await runAll(queries.map((q) => expandForPrometheus(q.expr, RATE_WINDOW)));
      const failures = results.filter((r) => !r.ok).map((r) => `${r.detail} :: ${r.expr}`);
      console.log(`[${naming}] All: ran ${results.length} queries, ${results.length - failures.length} returned data`);
      expect(queries.length).toBeGreaterThan(METRICS.length);
      expect(failures, `${failures.length} of ${results.length} queries failed:\n${failures.join('\n')}`).toEqual([]);
    }, 90_000);

    it('fills the job variable from both sources, and each tag variable from the job chosen before it', async () => {
      const variables = (dashboard.templating.list ?? []).filter((v) => v.type === 'query');
      expect(variables.map((v) => v.name)).toEqual(['job', ...TAG_VARIABLES, 'team']);
      const jobs = await labelValues('job', variableMatch(String(variables[0].query), {}));
      expect(jobs).toEqual(expect.arrayContaining([AGENT_JOB, CODEX_JOB]));
      const codex = await resolveChain(CODEX_JOB);
      expect(codex).toMatchObject({ originator: 'codex_exec', auth_mode: 'ApiKey', app_version: '0.171.0', team: CODEX_TEAM });
      const agent = await resolveChain(AGENT_JOB);
      expect(agent).toMatchObject({ originator: DEFAULTS.originator, model: DEFAULTS.model, app_version: DEFAULTS['app.version'], team: AGENT_TEAM });
    });

    it.each([AGENT_JOB, CODEX_JOB])('answers every query for a metric present in the data with every variable at a concrete value (job %s)', async (job) => {
      const values = await resolveChain(job);
      const present = await presentSeries(job, values);
      const ran = queries.map((q) => {
        const names = selectors(q.expr).map((s) => s.metric ?? '');
        return { q, expected: names.every((n) => present.has(n)), expr: expandConcrete(q.expr, { datasource: '', ...values }) };
      });
      const results = await runAll(ran.map((r) => r.expr));
      const expected = ran.filter((r) => r.expected);
      const returned = results.filter((r) => r.ok).length;
      const failures = ran
        .map((r, i) => ({ ...r, result: results[i] }))
        .filter((r) => r.expected && !r.result.ok)
        .map((r) => `${r.q.panelTitle} [${r.q.refId}] ${r.result.detail} :: ${r.expr}`);
      console.log(
        `[${naming}] job=${job} ${JSON.stringify(values)}: ran ${ran.length} queries, ${expected.length} for metrics present in that selection, ${returned} returned data`,
      );
      expect(expected.length, 'queries for present metrics').toBeGreaterThan(job === AGENT_JOB ? METRICS.length : 50);
      expect(failures, `${failures.length} of ${expected.length} queries for present metrics returned nothing:\n${failures.join('\n')}`).toEqual([]);
    }, 90_000);

    /** Grafana's resolution of the chained variables: each takes the first value its query returns. */
    async function resolveChain(job: string): Promise<Record<string, string>> {
      const values: Record<string, string> = { job };
      for (const v of (dashboard.templating.list ?? []).filter((x) => x.type === 'query' && x.name !== 'job')) {
        const found = await labelValues(v.name, variableMatch(String(v.query), values));
        // No value (e.g. auth_mode without a login): Grafana sends an empty regex, which matches the absent label.
        values[v.name] = found.sort()[0] ?? '';
      }
      return values;
    }

    /**
     * Series names with at least one series of `job` inside the selection: a series is in it when each
     * variable's label is absent or equal to the chosen value, ignoring labels that are the metric's own
     * fields (`originator` on windows_sandbox.*) since the dashboard does not filter those.
     */
    async function presentSeries(job: string, values: Readonly<Record<string, string>>): Promise<Set<string>> {
      const names = new Set<string>();
      for (const s of await seriesOf(job)) {
        const spec = specs.get(s.__name__);
        const fields = new Set([...(spec?.required ?? []), ...(spec?.optional ?? [])]);
        const inSelection = TAG_VARIABLES.every((l) => fields.has(l) || s[l] === undefined || s[l] === values[l]);
        if (inSelection) names.add(s.__name__);
      }
      return names;
    }
  });
});

/** `label_values(sel, label)` → the selector Grafana hands the label values API, variables expanded. */
function variableMatch(query: string, values: Readonly<Record<string, string>>): string {
  const [, match] = /^label_values\((.+), \w+\)$/.exec(query) ?? [];
  if (!match) throw new Error(`not a label_values query: ${query}`);
  return match.replace(/\$(\w+)/g, (_, name: string) => regexEscape(values[name] ?? ''));
}
