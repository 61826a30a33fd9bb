// Series per real Codex session, counted from the committed captures (one `codex exec` each) as the
// Collector recipe serves them to Prometheus (test/e2e/collector-model.ts), and the estimate for
// 1,000 users x 30 days that docs/fleet.md quotes: the table there is this test's output.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { restamp } from '../e2e/codex-process.js';
import { fromCollectorConfig } from '../e2e/collector-model.js';
import { loadFixturePoints, readManifest } from '../interop/fixtures.js';

const RECIPE = readFileSync('examples/otel-collector.yaml', 'utf8');
const DOC = 'docs/fleet.md';
const USERS = 1_000;
const DAYS = 30;
/** Assumption stated in the doc: Codex processes (sessions) per user per working day. */
const SESSIONS_PER_DAY = 10;
/** Assumption: processes of one user running at the same time, on average over a working day. */
const CONCURRENT_PER_USER = 2;

/** Sample lines one scrape holds after these requests (each from its own host, or all from one). */
function samplesOf(requests: readonly ReceivedPoint[][], sameHost: boolean): string[] {
  const model = fromCollectorConfig(RECIPE, { now: () => 0 });
  requests.forEach((points, i) => model.receive(restamp(points, 0n, BigInt(i + 1), points[0].resource), { clientAddress: sameHost ? '10.0.0.1' : `10.0.0.${i + 1}` }));
  return model
    .render()
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'));
}
const seriesOf = (requests: readonly ReceivedPoint[][], sameHost: boolean): number => samplesOf(requests, sameHost).length;

/** Series per metric family (histogram `_bucket`/`_sum`/`_count` together), largest first. */
function families(samples: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const line of samples) {
    const name = /^[^{ ]+/.exec(line)![0].replace(/_(bucket|sum|count)$/, '');
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number): string => n.toLocaleString('en-US');

describe('cardinality of Codex sessions', async () => {
  const sessions = new Map<string, ReceivedPoint[]>();
  for (const entry of readManifest().entries) if (entry.protocol === 'json') sessions.set(entry.scenario, await loadFixturePoints(entry));
  const perSession = [...sessions.values()].map((points) => seriesOf([points], false));
  const hostSamples = samplesOf([...sessions.values()], true);
  const oneHostAll = hostSamples.length;

  it('counts every captured scenario; one host holds at least its largest session', () => {
    expect(sessions.size).toBeGreaterThanOrEqual(10);
    expect(Math.min(...perSession)).toBeGreaterThan(50);
    expect(oneHostAll).toBeGreaterThanOrEqual(Math.max(...perSession));
  });

  it('docs/fleet.md quotes the computed numbers', () => {
    const med = median(perSession);
    const table = [
      '| | Series |',
      '| --- | --- |',
      `| one \`codex exec\` session (the ${sessions.size} captured scenarios: median / max) | ${fmt(med)} / ${fmt(Math.max(...perSession))} |`,
      `| one host that ran all ${sessions.size} scenarios (recipe: identity per host) | ${fmt(oneHostAll)} |`,
      `| ${fmt(USERS)} users, identity per host: active series | ≤ ${fmt(USERS * oneHostAll)} |`,
      `| ${fmt(USERS)} users, identity per process: active series (${CONCURRENT_PER_USER} processes per user at a time) | ${fmt(USERS * CONCURRENT_PER_USER * med)} |`,
      `| ${fmt(USERS)} users, identity per process: series created in ${DAYS} days (${SESSIONS_PER_DAY} sessions per user per day) | ${fmt(USERS * DAYS * SESSIONS_PER_DAY * med)} |`,
      '',
      `Largest families on that host: ${families(hostSamples)
        .slice(0, 5)
        .map(([name, n]) => `\`${name}\` ${fmt(n)}`)
        .join(', ')}. A histogram is its bounds + 3 series per field combination: 516 for the skill counts (bounds 0 … 512), 37 for durations (34 bounds).`,
    ].join('\n');
    const doc = readFileSync(DOC, 'utf8');
    const [, between] = /<!-- cardinality:start -->\n([\s\S]*?)\n<!-- cardinality:end -->/.exec(doc) ?? [];
    expect(between, `${DOC} between the cardinality markers should read:\n${table}`).toBe(table);
  });
});
