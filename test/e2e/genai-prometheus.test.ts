// Acceptance of the GenAI view on a real Prometheus (Debian's 2.42): the demo workload recorded with
// `genAi: true` and exported over real OTLP/HTTP (startCodexMetrics) to the loopback receiver, whose
// points the model of the Collector running the shipped recipe (collector-model.ts, Collector
// naming: `s` → `_seconds`) serves for a scrape. The convention's p95 query returns data, and the GenAI token sums are the Codex ones:
// input and output as Codex counts them (cached inside input, reasoning inside output), their sum
// Codex's total.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEMO_DEFAULTS } from '../../src/cli/demo.js';
import { startCodexMetrics, type CodexMetricsSession } from '../../src/export/start.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../src/verify/receiver.js';
import { startDemoTicker, type DemoTicker } from './demo-ticker.js';
import { readFileSync } from 'node:fs';
import { fromCollectorConfig, serveExposition } from './collector-model.js';
import { prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from './prometheus-process.js';

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) console.warn('SKIPPED test/e2e/genai-prometheus.test.ts: `prometheus` is not on PATH. In CI this fails instead.');

const P95 = 'histogram_quantile(0.95, sum by (le) (rate(gen_ai_client_operation_duration_seconds_bucket[5m])))';
const MIN_SCRAPES = 3;

describe.skipIf(skip)('GenAI view on a real Prometheus', () => {
  let receiver: OtlpReceiver | undefined;
  let session: CodexMetricsSession | undefined;
  let exposition: { port: number; close(): Promise<void> } | undefined;
  let prometheus: PrometheusServer | undefined;
  let ticker: DemoTicker | undefined;

  async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = (await (await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as {
      status: string;
      error?: string;
      data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
    if (res.status !== 'success') throw new Error(`${promql}: ${res.error}`);
    return res.data!.result;
  }
  const scalar = async (promql: string): Promise<number> => Number((await query(promql))[0]?.value[1]);

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH; CI installs Debian 12 prometheus in .ci/run');
    receiver = await startOtlpReceiver();
    // Exports every 500 ms, so the scraped histograms keep growing and rates are positive.
    session = startCodexMetrics({ defaults: DEMO_DEFAULTS, endpoint: receiver.url, protocol: 'http/json', exportIntervalMillis: 500, exportTimeoutMillis: 500, strict: true, genAi: true, env: {} });
    ticker = startDemoTicker(session.metrics, 300);
    // Each scrape serves the latest cumulative export: the Codex and GenAI series of one scrape come from one collection.
    const served = fromCollectorConfig(readFileSync('examples/otel-collector.yaml', 'utf8'));
    let seen = 0;
    exposition = await serveExposition((path) => {
      if (path !== '/metrics') return undefined;
      const points = receiver!.points();
      served.receive(points.slice(seen), { clientAddress: '127.0.0.1' });
      seen = points.length;
      return served.render();
    });
    prometheus = await startPrometheus(
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'codex-genai', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${exposition.port}`] }] }],
      }),
    );
    await waitFor(
      async () => (await query(`min(count_over_time(gen_ai_client_token_usage_count[1m])) >= ${MIN_SCRAPES}`)).length === 1,
      40_000,
      () => `fewer than ${MIN_SCRAPES} scrapes with GenAI data:\n${prometheus?.log()}`,
    );
  }, 60_000);

  afterAll(async () => {
    ticker?.stop();
    await prometheus?.stop();
    await session?.shutdown();
    await exposition?.close();
    await receiver?.close();
  });

  it('stores both families under the Collector names', async () => {
    expect(ticker?.error()).toBeUndefined();
    const names = new Set((await query('count by (__name__) ({__name__=~"gen_ai_.+|codex_turn_token_usage_.+"})')).map((s) => s.metric.__name__));
    for (const name of ['gen_ai_client_token_usage_bucket', 'gen_ai_client_operation_duration_seconds_bucket', 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', 'codex_turn_token_usage_sum']) {
      expect(names, name).toContain(name);
    }
    const operations = (await query('count by (gen_ai_operation_name, error_type) (gen_ai_client_operation_duration_seconds_count)')).map((s) => `${s.metric.gen_ai_operation_name}/${s.metric.error_type ?? ''}`);
    expect(operations.sort()).toEqual(['chat/', 'chat/429', 'chat/_OTHER', 'invoke_agent/']);
  });

  it('answers the convention p95 query with a finite duration in seconds', async () => {
    const p95 = await scalar(P95);
    expect(Number.isFinite(p95)).toBe(true);
    expect(p95).toBeGreaterThan(0);
    expect(p95).toBeLessThanOrEqual(81.92); // within the convention's largest finite bucket
  });

  it('GenAI input/output token sums equal the Codex input/output sums of the same run, and add up to its total', async () => {
    // One instant query: every series read at the same scrape.
    const rows = await query(
      'label_replace(sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum), "source", "genai", "", "") ' +
        'or label_replace(label_replace(sum by (token_type) (codex_turn_token_usage_sum), "gen_ai_token_type", "$1", "token_type", "(.*)"), "source", "codex", "", "")',
    );
    const value = (source: string, type: string) => Number(rows.find((r) => r.metric.source === source && r.metric.gen_ai_token_type === type)?.value[1]);
    const input = value('genai', 'input');
    const output = value('genai', 'output');
    expect(input).toBeGreaterThan(0);
    expect(output).toBeGreaterThan(0);
    expect(input).toBe(value('codex', 'input'));
    expect(output).toBe(value('codex', 'output'));
    expect(input + output).toBe(value('codex', 'total'));
    // Subtotals are inside, not beside: never a GenAI series of their own.
    expect(rows.filter((r) => r.metric.source === 'genai').map((r) => r.metric.gen_ai_token_type).sort()).toEqual(['input', 'output']);
  });
});
