// The Prometheus relabel recipe of docs/fleet.md (the YAML block with metric_relabel_configs), on a
// real Prometheus 2.42: a thread-spawn session_source arrives folded; and its documented limit: two
// series that differ only in the folded id, in one scrape, become one series holding one of their
// values (Prometheus 2.42 drops the other without counting it anywhere this test found).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SESSION_SOURCE_FOLD_PATTERN, SESSION_SOURCE_FOLDED } from '../../src/runtime/session-source.js';
import { serveExposition } from '../e2e/collector-model.js';
import { prometheusOnPath, startPrometheus, waitFor, type PrometheusServer } from '../e2e/prometheus-process.js';

const available = prometheusOnPath();
const skip = !available && !process.env.CI;
if (skip) console.warn('SKIPPED test/fleet/relabel.test.ts: `prometheus` is not on PATH. In CI this fails instead.');

/** The doc's scrape config with the relabel rules. */
function documentedRelabel(): unknown[] {
  const doc = readFileSync('docs/fleet.md', 'utf8');
  for (const [, yaml] of doc.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) {
    const config = parse(yaml) as { scrape_configs?: { metric_relabel_configs?: unknown[] }[] };
    const rules = config.scrape_configs?.[0]?.metric_relabel_configs;
    if (rules) return rules;
  }
  throw new Error('no metric_relabel_configs block in docs/fleet.md');
}

const line = (id: string, value: number) => `codex_api_request_total{job="agent-runtime",session_source="subagent_thread_spawn_${id}_d1",status="200",success="true"} ${value}`;

describe.skipIf(skip)('session_source relabel recipe on a real Prometheus', () => {
  let prometheus: PrometheusServer | undefined;
  let exposition: { port: number; close(): Promise<void> } | undefined;
  let lines = [line('019a-aaaa', 5)];

  beforeAll(async () => {
    if (!available) throw new Error('`prometheus` is not on PATH');
    exposition = await serveExposition((path) => (path === '/metrics' ? `# TYPE codex_api_request_total counter\n${lines.join('\n')}\n` : undefined));
    const relabel = documentedRelabel();
    prometheus = await startPrometheus(
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s' },
        scrape_configs: [{ job_name: 'agent-runtime', honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${exposition.port}`] }], metric_relabel_configs: relabel }],
      }),
    );
  }, 30_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exposition?.close();
  });

  async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
    const res = (await (await fetch(`${prometheus!.url}/api/v1/query?query=${encodeURIComponent(promql)}`)).json()) as { data: { result: never[] } };
    return res.data.result;
  }

  it('uses the package rule', () => {
    expect(documentedRelabel()).toEqual([expect.objectContaining({ source_labels: ['session_source'], regex: SESSION_SOURCE_FOLD_PATTERN, target_label: 'session_source', replacement: SESSION_SOURCE_FOLDED })]);
  });

  it('folds the id out of session_source', async () => {
    await waitFor(async () => (await query('codex_api_request_total')).length > 0, 20_000, () => prometheus!.log());
    const series = await query('codex_api_request_total');
    expect(series.map((s) => [s.metric.session_source, s.value[1]])).toEqual([[SESSION_SOURCE_FOLDED, '5']]);
  });

  it('cannot add up: two ids in one scrape become one series, and Prometheus keeps one of the values', async () => {
    lines = [line('019a-aaaa', 5), line('019a-bbbb', 7)];
    const postRelabel = async (): Promise<number> => Number((await query('scrape_samples_post_metric_relabeling'))[0]?.value[1] ?? 0);
    await waitFor(async () => (await postRelabel()) === 2, 20_000, () => prometheus!.log());
    await waitFor(async () => (await postRelabel()) === 2 && (await query('count_over_time(scrape_samples_post_metric_relabeling[3s])')).length > 0, 5_000, () => '');
    const series = await query('codex_api_request_total');
    // Two samples after relabelling, one series stored: the other value is gone, not added (5 + 7).
    expect(series).toHaveLength(1);
    expect(['5', '7']).toContain(series[0].value[1]);
  });
});
