// The committed exports of the real Codex CLI (test/fixtures/codex-<version>/) against the registry
// and against this package's own export. Runs everywhere, with or without the Codex binary.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { prometheusSeriesNames } from '../../src/dashboard/naming.js';
import { runDemoWorkload } from '../../src/demo/workload.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import { CODEX_VERSION } from './codex-cli.js';
import { loadFixturePoints, readManifest } from './fixtures.js';
import { SCENARIOS } from './scenarios.js';

const manifest = readManifest();
const fixtures = await Promise.all(manifest.entries.map(async (entry, i) => ({ entry, points: await loadFixturePoints(entry, i) })));
const allReal = fixtures.flatMap((f) => f.points);
const specs = new Map(METRICS.map((m) => [`codex.${m.name}`, m]));

/** Everything about a metric that decides how it lands in Prometheus and aggregates there. */
function shape(p: ReceivedPoint) {
  const spec = specs.get(p.metric);
  const names = spec ? ['collector', 'plain'].flatMap((naming) => prometheusSeriesNames({ name: spec.name, kind: p.kind === 'counter' ? 'counter' : 'histogram', unit: p.unit }, naming as 'collector' | 'plain')) : [];
  return { kind: p.kind, prometheusNames: names, bounds: p.explicitBounds ?? null };
}

async function packageExport(defaults: Record<string, string>): Promise<ReceivedPoint[]> {
  const receiver = await startOtlpReceiver();
  try {
    const session = startCodexMetrics({ defaults, endpoint: receiver.url, exportIntervalMillis: 60_000 });
    runDemoWorkload(session.metrics);
    await session.shutdown();
    return receiver.points();
  } finally {
    await receiver.close();
  }
}

describe(`fixtures of the real Codex CLI ${CODEX_VERSION}`, () => {
  it('hold every scenario in both protocols, captured from the pinned version', () => {
    expect(manifest.codexVersion).toBe(CODEX_VERSION);
    const captured = new Set(manifest.entries.map((e) => `${e.scenario}/${e.protocol}`));
    for (const s of SCENARIOS) for (const protocol of ['json', 'binary']) expect(captured, `${s.name}/${protocol}`).toContain(`${s.name}/${protocol}`);
    for (const { entry, points } of fixtures) expect(points.length, entry.file).toBeGreaterThan(50);
  });

  it.each(manifest.entries.map((e, i) => [e.file, i] as const))('%s passes verify with no violation (any undocumented metric, field or value fails here)', (_file, i) => {
    const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });
    checker.check(fixtures[i].points);
    const report = checker.report();
    expect(report.violations.map((v) => `${v.code}: ${v.message}`)).toEqual([]);
    expect(report.pointsChecked).toBe(fixtures[i].points.length);
  });

  it('decode to the same metrics and attributes from JSON and protobuf', () => {
    const summary = (points: readonly ReceivedPoint[]) =>
      [...new Set(points.map((p) => `${p.metric} ${p.kind} ${p.unit} ${p.temporality} ${JSON.stringify(p.explicitBounds ?? null)} ${Object.keys(p.attributes).sort().join(',')}`))].sort();
    for (const scenario of SCENARIOS) {
      const of = (protocol: string) => fixtures.filter((f) => f.entry.scenario === scenario.name && f.entry.protocol === protocol).flatMap((f) => f.points);
      // The two runs are separate processes: compare what was sent, not the sampled extras.
      const json = summary(of('json')).filter((l) => !l.startsWith('codex.rollout.persistence.'));
      const binary = summary(of('binary')).filter((l) => !l.startsWith('codex.rollout.persistence.'));
      expect(binary, scenario.name).toEqual(json);
    }
  });

  it('are delta temporality, meter `codex`, resource service.name = the originator', () => {
    for (const p of allReal) {
      expect(p.temporality, p.metric).toBe('delta');
      expect(p.scopeName).toBe('codex');
      expect(p.resource['service.name']).toBe('codex_exec');
    }
  });

  it('show only registry metrics marked as observed in this version, and most of those', () => {
    const seen = new Set(allReal.map((p) => p.metric));
    for (const name of seen) expect(specs.get(name)?.observedIn, name).toBe(CODEX_VERSION);
    const observed = METRICS.filter((m) => m.observedIn === CODEX_VERSION).map((m) => `codex.${m.name}`);
    // The rest are sampled (rollout.persistence.*, 1%) or need a failure the scenarios do not script.
    expect(observed.filter((n) => seen.has(n)).length / observed.length).toBeGreaterThan(0.9);
  });
});

describe('this package against the real Codex CLI', () => {
  it('exports every metric both emit with the same kind, Prometheus names and bucket boundaries', async () => {
    const mine = await packageExport({ auth_mode: 'ApiKey', originator: 'codex_exec', session_source: 'exec', model: 'gpt-6.2-sol', 'app.version': '0.171.0' });
    const real = new Map<string, ReturnType<typeof shape>>();
    for (const p of allReal) real.set(p.metric, shape(p));
    let compared = 0;
    for (const p of mine) {
      const theirs = real.get(p.metric);
      if (!theirs) continue;
      expect(shape(p), p.metric).toEqual(theirs);
      compared++;
    }
    expect(new Set(mine.filter((p) => real.has(p.metric)).map((p) => p.metric)).size).toBe(real.size);
    expect(compared).toBeGreaterThan(real.size);
  });

  it('spells auth_mode like Codex, so a sum by auth_mode over both emitters gives one row per concept', async () => {
    // The host writes the upstream page's spelling; the wire carries Codex's.
    const mine = await packageExport({ auth_mode: 'ApiKey', originator: 'codex_exec', session_source: 'exec', model: 'm', 'app.version': '0.171.0' });
    const rows = new Set([...mine, ...allReal].filter((p) => p.metric === 'codex.api_request').map((p) => p.attributes.auth_mode));
    expect(rows).toEqual(new Set(['ApiKey']));
  });

  it('attaches all five default tags where Codex attaches fewer or none', async () => {
    const mine = await packageExport({ auth_mode: 'ApiKey', originator: 'codex_exec', session_source: 'exec', model: 'm', 'app.version': '0.171.0' });
    const untagged = new Set(allReal.filter((p) => !('model' in p.attributes)).map((p) => p.metric));
    expect(untagged.size).toBeGreaterThan(10);
    for (const p of mine.filter((x) => untagged.has(x.metric))) {
      for (const key of DEFAULT_TAG_KEYS) expect(typeof p.attributes[key], `${p.metric} ${key}`).toBe('string');
    }
  });
});
