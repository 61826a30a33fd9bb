// A fleet on a real Prometheus (Debian's 2.42): replicas of an agent runtime using this package
// (startCodexMetrics, cumulative, real OTLP/HTTP) and Codex CLI processes (delta, Codex's resource
// shape from the committed captures, no service.instance.id unless their environment gives one)
// export at the same time, with different resources, through the model of the Collector running
// the shipped recipe (examples/otel-collector.yaml). Prometheus scrapes it and evaluates the
// generated rules. Checked against what the writers recorded:
//   - `sum(increase(...))` per job equals the recorded count (exactly over a range that starts and
//     ends on scrapes; within one scrape interval at each end over a range typed by hand);
//   - per team, through the recommended target_info join, likewise; the naive join fails;
//   - the failure ratio the burn-rate alerts read equals the injected one;
// and, as the control that shows the test can see the bug, the same traffic through the pipeline
// without identity (no service.instance.id from the package, no identity processor) is wrong.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ALERTS_FILE, RECORDING_FILE, RULES_DIR } from '../../src/cli/paths.js';
import { SESSION_SOURCE_FOLDED } from '../../src/runtime/session-source.js';
import { startCodexMetrics, type CodexMetricsSession } from '../../src/export/start.js';
import { CodexProcess, codexJsonExports, type CodexProcessOptions } from './codex-process.js';
import { CollectorModel, fromCollectorConfig, serveCollectors, type ModelServer } from './collector-model.js';
import { prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from './prometheus-process.js';

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) console.warn('SKIPPED test/e2e/fleet.test.ts: `prometheus` is not on PATH. In CI this fails instead.');

const SCRAPE_S = 1;
const EXPORT_MS = 500;
const TICK_MS = 100;
const RECORD_MS = 6_000;
const AGENT_JOB = 'agent-runtime';
const CODEX_JOB = 'codex_exec';
const DEFAULTS = { auth_mode: 'ApiKey', originator: 'codex_sdk_ts', session_source: 'exec', model: 'gpt-5.1-codex', 'app.version': '0.171.0' } as const;

type Json = Record<string, any>;
/** codex.api_request in one captured export, split by success. */
function apiRequests(capture: Json): { ok: number; failed: number } {
  const out = { ok: 0, failed: 0 };
  for (const rm of capture.resourceMetrics)
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics)
        if (m.name === 'codex.api_request')
          for (const dp of m.sum.dataPoints) {
            const failed = dp.attributes.some((a: Json) => a.key === 'success' && a.value.stringValue === 'false');
            out[failed ? 'failed' : 'ok'] += Number(dp.asInt ?? dp.asDouble);
          }
  return out;
}

interface Truth {
  ok: number;
  failed: number;
}
const add = (t: Truth, d: Truth, times = 1): void => {
  t.ok += d.ok * times;
  t.failed += d.failed * times;
};

describe.skipIf(skip)('a fleet through the Collector recipe on a real Prometheus', () => {
  let server: ModelServer | undefined;
  let prometheus: PrometheusServer | undefined;
  const models: Record<string, CollectorModel> = {
    fixed: fromCollectorConfig(readFileSync('examples/otel-collector.yaml', 'utf8')),
    // Before: no identity anywhere (the package without its service.instance.id), deltatocumulative only.
    broken: new CollectorModel({
      naming: 'collector',
      resource: [{ key: 'service.instance.id', action: 'delete' }],
      deltaToCumulative: { maxStaleMs: 300_000, maxStreams: 0 },
    }),
  };
  /** What the writers recorded so far, per job and per team. */
  const truth = new Map<string, Truth>();
  const teamTruth = new Map<string, Truth>();
  const credit = (job: string, team: string, d: Truth): void => {
    for (const [map, key] of [
      [truth, job],
      [teamTruth, team],
    ] as const) {
      if (!map.has(key)) map.set(key, { ok: 0, failed: 0 });
      add(map.get(key)!, d);
    }
  };
  /** Evaluation time of the measurements: a scrape of the quiet end state. */
  let end = 0;
  /** The measured range: from a scrape of a quiet state after warm-up to `end`, in ms. */
  let rangeMs = 0;
  /** What the writers recorded between those two quiet states. */
  const recorded = new Map<string, Truth>();
  const recordedByTeam = new Map<string, Truth>();

  type QueryResult = { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  async function query(promql: string, time?: number): Promise<QueryResult> {
    const at = time === undefined ? '' : `time=${time}&`;
    return (await (await fetch(`${prometheus!.url}/api/v1/query?${at}query=${encodeURIComponent(promql)}`)).json()) as QueryResult;
  }
  /** One value per `label` at the end state. */
  async function at(promql: string, label: string): Promise<Map<string, number>> {
    const res = await query(promql, end);
    if (res.status !== 'success') throw new Error(`${promql}: ${res.error}`);
    return new Map(res.data!.result.map((s) => [s.metric[label] ?? '', Number(s.value[1])]));
  }
  const total = (t: Truth): number => t.ok + t.failed;

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH; CI installs Debian 12 prometheus in .ci/run');
    server = await serveCollectors(models);
    const target = `127.0.0.1:${server.port}`;
    prometheus = await startPrometheus(
      stringify({
        global: { scrape_interval: `${SCRAPE_S}s`, scrape_timeout: `${SCRAPE_S}s`, evaluation_interval: `${SCRAPE_S}s` },
        rule_files: [join(RULES_DIR, 'collector', RECORDING_FILE), join(RULES_DIR, 'collector', ALERTS_FILE)],
        scrape_configs: [
          { job_name: 'collector', honor_labels: true, metrics_path: '/metrics/fixed', static_configs: [{ targets: [target] }] },
          {
            job_name: 'collector-broken',
            honor_labels: true,
            metrics_path: '/metrics/broken',
            static_configs: [{ targets: [target] }],
            // Same job names as the fixed pipeline: told apart by a suffix.
            metric_relabel_configs: [{ source_labels: ['job'], regex: '(.+)', target_label: 'job', replacement: '${1}-broken' }],
          },
        ],
      }),
    );
    const started = Date.now();

    // Two replicas of one agent runtime: same service.name, different resources (team, host). One of
    // them fails a quarter of its requests with 429s.
    const replicas = ['red', 'blue'].map((team, i) => ({
      team,
      fails: i === 0,
      session: startCodexMetrics({
        endpoint: server!.otlpUrl,
        protocol: 'http/protobuf',
        exportIntervalMillis: EXPORT_MS,
        exportTimeoutMillis: EXPORT_MS,
        serviceName: AGENT_JOB,
        defaults: DEFAULTS,
        strict: true,
        env: { OTEL_RESOURCE_ATTRIBUTES: `team=${team},host.name=agent-${i}` },
      }),
    }));
    // Codex processes: two hosts without an id (the recipe uses their address); on the first host one
    // more with a stable id and a team from its environment (OTEL_RESOURCE_ATTRIBUTES, which Codex
    // reads), as a sub-agent session whose session_source carries a thread id; on the second host a
    // `codex exec` that started 10 s before the others and exports once, at its exit, into the stream
    // the other process of that host started (deltatocumulative alone would drop it: older start).
    const captures = codexJsonExports();
    const codexOptions: { scenario: string; team: string; atExitOnly?: boolean; startedEarlierMs?: number; options: Omit<CodexProcessOptions, 'startedAt'> }[] = [
      { scenario: 'http-429-retry-after', team: 'red', options: { localAddress: '127.0.0.2', headers: { 'x-codex-team': 'red' }, resource: { env: 'dev' } } },
      { scenario: 'http-500-retry', team: 'blue', options: { localAddress: '127.0.0.3', headers: { 'x-codex-team': 'blue' }, resource: { env: 'prod', os_version: '13.0.0' } } },
      {
        scenario: 'tool-failure',
        team: 'green',
        options: {
          localAddress: '127.0.0.2',
          resource: { 'service.instance.id': 'dev-laptop-7', team: 'green' },
          attributes: { session_source: 'subagent_thread_spawn_019a4f6e-0b1c-7d2e-9f3a-4b5c6d7e8f90_d1' },
        },
      },
      {
        scenario: 'http-500-retry',
        team: 'blue',
        atExitOnly: true,
        startedEarlierMs: 10_000,
        options: { localAddress: '127.0.0.3', headers: { 'x-codex-team': 'blue' }, resource: { env: 'prod', os_version: '13.0.0' } },
      },
    ];
    const codex = codexOptions.map((c) => ({
      ...c,
      process: new CodexProcess(captures.get(c.scenario)!, { ...c.options, startedAt: started - (c.startedEarlierMs ?? 0) }),
      perExport: apiRequests(captures.get(c.scenario)!),
    }));

    const exporting = new Set<Promise<void>>();
    const exportCodex = (exiting = false): void => {
      for (const c of codex) {
        if (c.atExitOnly && !exiting) continue;
        const sent = c.process.export(server!.otlpUrl).then(
          () => credit(CODEX_JOB, c.team, c.perExport),
          (err: unknown) => console.warn(`a Codex export failed: ${String(err)}`),
        );
        exporting.add(sent);
        void sent.finally(() => exporting.delete(sent));
      }
    };
    const run = async (ms: number): Promise<void> => {
      const ticker = setInterval(() => {
        for (const r of replicas) {
          r.session.metrics.add('api_request', { status: 200, success: true }, 3);
          if (r.fails) r.session.metrics.add('api_request', { status: 429, success: false });
          credit(AGENT_JOB, r.team, { ok: 3, failed: r.fails ? 1 : 0 });
        }
      }, TICK_MS);
      const codexTimer = setInterval(() => exportCodex(), EXPORT_MS);
      await new Promise((resolve) => setTimeout(resolve, ms));
      clearInterval(ticker);
      clearInterval(codexTimer);
    };
    /** Everything recorded has been exported and scraped since: the timestamp of that scrape (s). */
    const quiet = async (): Promise<number> => {
      await Promise.all([...exporting, ...replicas.map((r) => r.session.forceFlush())]);
      const flushed = Date.now() / 1000;
      let scraped = 0;
      await waitFor(
        async () => {
          scraped = Number((await query('timestamp(up{job="collector"})')).data?.result[0]?.value[1] ?? 0);
          return scraped > flushed + 0.05;
        },
        20_000,
        () => `no scrape after the flush:\n${prometheus?.log()}`,
      );
      return scraped;
    };
    const snapshot = (map: Map<string, Truth>): Map<string, Truth> => new Map([...map].map(([k, v]) => [k, { ...v }]));

    // Warm-up: every series exists and has been scraped before the measured range starts.
    await run(2_000);
    const from = await quiet();
    const [jobsBefore, teamsBefore] = [snapshot(truth), snapshot(teamTruth)];
    await run(RECORD_MS);
    exportCodex(true); // Codex exports once more at exit
    await Promise.all(replicas.map((r) => r.session.shutdown()));
    end = await quiet();
    rangeMs = Math.round((end - from) * 1000);
    for (const [after, before, out] of [
      [truth, jobsBefore, recorded],
      [teamTruth, teamsBefore, recordedByTeam],
    ] as const) {
      for (const [key, t] of after) out.set(key, { ok: t.ok - (before.get(key)?.ok ?? 0), failed: t.failed - (before.get(key)?.failed ?? 0) });
    }
    // The rules have evaluated the end state (the attribution rules come last in the group, and each
    // rule's results become visible as it is evaluated).
    await waitFor(async () => Number((await query(`timestamp(job_team:codex_api_request:rate5m{job="${AGENT_JOB}"})`)).data?.result[0]?.value[1] ?? 0) >= end, 20_000, () => 'rules not evaluated');
  }, 90_000);

  afterAll(async () => {
    await prometheus?.stop();
    await server?.close();
  });

  it('the pipeline dropped nothing: no older-start or out-of-order point, no stream limit, one series per process', async () => {
    expect(models.fixed.stats).toMatchObject({ olderStart: 0, outOfOrder: 0, streamLimit: 0, exporterDropped: 0, exporterResets: 0 });
    const instances = await at(`count by (job) (count by (job, instance) (codex_api_request_total{job=~"${AGENT_JOB}|${CODEX_JOB}"}))`, 'job');
    expect(Object.fromEntries(instances)).toEqual({ [AGENT_JOB]: 2, [CODEX_JOB]: 3 });
  });

  it('sum(increase(codex_api_request_total)) per job equals what the writers recorded', async () => {
    // The range starts and ends on scrapes of quiet states: nothing to extrapolate, so exactly.
    const measured = await at(`sum by (job) (increase(codex_api_request_total[${rangeMs}ms]))`, 'job');
    for (const job of [AGENT_JOB, CODEX_JOB]) {
      console.log(`[fleet] ${job}: measured ${measured.get(job)}, recorded ${total(recorded.get(job)!)}; without identity ${measured.get(`${job}-broken`)?.toFixed(1)}`);
      expect(measured.get(job), job).toBeCloseTo(total(recorded.get(job)!), 6);
    }
  });

  it('the same with a window an operator would type (extrapolated): within one scrape interval at each end', async () => {
    // increase() extrapolates to the window's ends, by at most 1.1 scrape intervals each, at the
    // window's average rate.
    const window = Math.ceil(rangeMs / 1000) + 1;
    const measured = await at(`sum by (job) (increase(codex_api_request_total[${window}s]))`, 'job');
    for (const job of [AGENT_JOB, CODEX_JOB]) {
      const r = total(recorded.get(job)!);
      const slack = r * ((2 * 1.1 * SCRAPE_S * 1000) / rangeMs);
      expect(Math.abs((measured.get(job) ?? 0) - r), `${job}: ${measured.get(job)} vs ${r} ± ${slack.toFixed(1)}`).toBeLessThanOrEqual(slack);
    }
  });

  it('without identity the same traffic reads wrong (the control): processes overwrite each other', async () => {
    const measured = await at(`sum by (job) (increase(codex_api_request_total[${rangeMs}ms]))`, 'job');
    // Replicas of one job that differ only in resource attributes overwrite each other: far off.
    const agent = total(recorded.get(AGENT_JOB)!);
    const brokenAgent = measured.get(`${AGENT_JOB}-broken`) ?? 0;
    expect(Math.abs(brokenAgent / agent - 1), `${AGENT_JOB}-broken: ${brokenAgent} vs ${agent}`).toBeGreaterThan(0.25);
    // Codex processes too, how far depends on the interleaving; and the late exporter is dropped.
    const codexTotal = total(recorded.get(CODEX_JOB)!);
    expect(Math.abs((measured.get(`${CODEX_JOB}-broken`) ?? 0) - codexTotal), `${CODEX_JOB}-broken vs ${codexTotal}`).toBeGreaterThan(1);
    // One series where there were writers: the replicas' (and the Codex hosts') values took turns.
    const series = await at(`count by (job) (codex_api_request_total{job=~".+-broken", status="200", session_source="exec"})`, 'job');
    expect(Object.fromEntries(series)).toEqual({ [`${AGENT_JOB}-broken`]: 1, [`${CODEX_JOB}-broken`]: 1 });
    // The Codex process that started earlier and exported once, at exit, dropped as older start.
    expect(models.broken.stats.olderStart).toBeGreaterThan(0);
  });

  it('per team through the recommended target_info join, likewise; a join on job alone fails with duplicates', async () => {
    const join = '* on (job, instance) group_left (team) topk by (job, instance) (1, max by (job, instance, team) (target_info))';
    const measured = await at(`sum by (team) (increase(codex_api_request_total{job=~"${AGENT_JOB}|${CODEX_JOB}"}[${rangeMs}ms]) ${join})`, 'team');
    expect([...measured.keys()].sort()).toEqual([...recordedByTeam.keys()].sort());
    for (const [team, r] of recordedByTeam) expect(measured.get(team), `team ${team}`).toBeCloseTo(total(r), 6);
    const naive = await query(`sum by (team) (increase(codex_api_request_total{job="${AGENT_JOB}"}[${rangeMs}ms]) * on (job) group_left (team) target_info)`, end);
    expect(naive.status).toBe('error');
    expect(naive.error).toMatch(/many-to-many|duplicate series/);
  });

  it("the recorded failure ratio the burn-rate alerts read is the injected one (a quarter of one replica's requests)", async () => {
    const ratio = await at('job:codex_api_request_failures:ratio_rate5m', 'job');
    const agent = truth.get(AGENT_JOB)!;
    expect(ratio.get(AGENT_JOB)).toBeCloseTo(agent.failed / total(agent), 2);
    const all = `sum by (team) (job_team:codex_api_request:rate5m{job="${AGENT_JOB}"})`;
    const team = await at(`(sum by (team) (job_team:codex_api_request:rate5m{job="${AGENT_JOB}", success="false"}) or ${all} * 0) / ${all}`, 'team');
    expect(team.get('red')).toBeCloseTo(0.25, 2);
    expect(team.get('blue')).toBe(0);
  });

  it('the sub-agent session_source arrives folded; Codex processes without an id are told apart by host', async () => {
    const sources = await at(`count by (session_source) (codex_api_request_total{job="${CODEX_JOB}"})`, 'session_source');
    expect([...sources.keys()].sort()).toEqual(['exec', SESSION_SOURCE_FOLDED].sort());
    const hosts = await at(`count by (instance) (target_info{job="${CODEX_JOB}"})`, 'instance');
    expect([...hosts.keys()].sort()).toEqual(['127.0.0.2', '127.0.0.3', 'dev-laptop-7']);
  });
});
