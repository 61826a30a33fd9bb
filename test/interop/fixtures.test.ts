// The committed exports of the real Codex CLI (test/fixtures/codex-<version>/) against the registry
// and against this package's own export. Runs everywhere, with or without the Codex binary.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { prometheusSeriesNames } from '../../src/dashboard/naming.js';
import { runDemoWorkload } from '../../src/demo/workload.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { CODEX_VERSIONS, DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import { sendsIn } from '../../src/catalog/versions.js';
import { PINNED_CODEX_VERSION } from './codex-cli.js';
import { fixtureVersions, loadFixturePoints, readManifest } from './fixtures.js';
import { SCENARIOS } from './scenarios.js';

const versions = fixtureVersions();
const byVersion = new Map(
  await Promise.all(
    versions.map(async (version) => {
      const manifest = readManifest(version);
      const fixtures = await Promise.all(manifest.entries.map(async (entry, i) => ({ entry, points: await loadFixturePoints(entry, i, version) })));
      return [version, { manifest, fixtures }] as const;
    }),
  ),
);
const pinned = byVersion.get(PINNED_CODEX_VERSION)!;
const allReal = pinned.fixtures.flatMap((f) => f.points);
const specs = new Map(METRICS.map((m) => [`codex.${m.name}`, m]));
const checkerOf = () => createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS });
/** The resource service.name of each scenario's process (sessions of the app server carry the client's name as originator). */
const SERVICE_NAME: Record<string, string> = { 'app-server': 'codex-app-server' };

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

describe('fixtures of the real Codex CLI', () => {
  it('exist for every covered version of docs/metrics.md, and only for those', () => {
    expect(versions).toEqual(CODEX_VERSIONS);
  });

  describe.each(versions)('Codex %s', (version) => {
    const { manifest, fixtures } = byVersion.get(version)!;
    const all = fixtures.flatMap((f) => f.points);

    it('hold every scenario in both protocols (or say why the version could not run it), captured from that version', () => {
      expect(manifest.codexVersion).toBe(version);
      const captured = new Set(manifest.entries.map((e) => `${e.scenario}/${e.protocol}`));
      for (const s of SCENARIOS) {
        if (manifest.skipped?.[s.name]) continue;
        for (const protocol of ['json', 'binary']) expect(captured, `${s.name}/${protocol}`).toContain(`${s.name}/${protocol}`);
      }
      if (version === PINNED_CODEX_VERSION) expect(manifest.skipped ?? {}).toEqual({});
      // Codex may export twice (a periodic export, then the flush at exit): count per run.
      const perRun = new Map<string, number>();
      for (const { entry, points } of fixtures) perRun.set(`${entry.scenario}/${entry.protocol}`, (perRun.get(`${entry.scenario}/${entry.protocol}`) ?? 0) + points.length);
      for (const [run, count] of perRun) expect(count, run).toBeGreaterThan(50);
    });

    it('pass verify with no violation, each point judged by its own Codex version', () => {
      const checker = checkerOf();
      for (const { points } of fixtures) checker.check(points);
      const report = checker.report();
      expect(report.violations.map((v) => `${v.code}: ${v.message}`)).toEqual([]);
      expect(report.pointsChecked).toBe(all.length);
      expect(new Set(all.map((p) => p.attributes['app.version'] ?? p.resource['service.version']))).toEqual(new Set([version]));
    });

    it('show only metrics, fields and values whose Codex versions include this one, and most metrics that do', () => {
      const seen = new Set(all.map((p) => p.metric));
      for (const name of seen) expect(specs.get(name)?.versions && sendsIn(specs.get(name)!.versions!, version), name).toBe('yes');
      for (const p of all) {
        for (const [key, value] of Object.entries(p.attributes)) {
          const field = specs.get(p.metric)!.fields[key];
          if (field?.versions) expect(sendsIn(field.versions, version), `${p.metric} ${key}`).toBe('yes');
          const range = field?.valueVersions?.[String(value)];
          if (range) expect(sendsIn(range, version), `${p.metric} ${key}=${String(value)}`).toBe('yes');
        }
      }
      const expected = METRICS.filter((m) => m.versions && sendsIn(m.versions, version) === 'yes').map((m) => `codex.${m.name}`);
      // The rest are sampled (rollout.persistence.*, 1%) or need a failure the scenarios do not script.
      expect(expected.filter((n) => seen.has(n)).length / expected.length).toBeGreaterThan(0.85);
    });

    it('decode to the same metrics and attributes from JSON and protobuf', () => {
      const summary = (points: readonly ReceivedPoint[]) =>
        [...new Set(points.map((p) => `${p.metric} ${p.kind} ${p.unit} ${p.temporality} ${JSON.stringify(p.explicitBounds ?? null)} ${Object.keys(p.attributes).sort().join(',')}`))].sort();
      for (const scenario of SCENARIOS) {
        const of = (protocol: string) => fixtures.filter((f) => f.entry.scenario === scenario.name && f.entry.protocol === protocol).flatMap((f) => f.points);
        // The two runs are separate processes: compare what was sent, not the sampled extras.
        const keep = (l: string) => !l.startsWith('codex.rollout.persistence.');
        expect(summary(of('binary')).filter(keep), scenario.name).toEqual(summary(of('json')).filter(keep));
      }
    });

    it('are delta temporality, meter `codex` without a version, resource service.name = the originator', () => {
      for (const { entry, points } of fixtures) {
        for (const p of points) {
          expect(p.temporality, p.metric).toBe('delta');
          expect(p.scopeName).toBe('codex');
          expect(p.scopeVersion).toBeUndefined();
          expect(p.resource['service.name'], `${entry.file} ${p.metric}`).toBe(SERVICE_NAME[entry.scenario] ?? 'codex_exec');
        }
      }
    });
  });
});

describe('the scenarios show what the issue reported, in every covered version', () => {
  const points = (version: string, scenario: string) =>
    byVersion
      .get(version)!
      .fixtures.filter((f) => f.entry.scenario === scenario)
      .flatMap((f) => f.points);

  it.each(versions)('%s: apply_patch is a freeform tool call, counted as tool.call{tool="apply_patch"}', (version) => {
    for (const scenario of ['apply-patch-local-compaction', 'apply-patch-remote-compaction']) {
      const calls = points(version, scenario).filter((p) => p.metric === 'codex.tool.call' && p.attributes.tool === 'apply_patch');
      expect(calls.map((p) => [p.attributes.success, p.value]), scenario).toEqual([['true', 1], ['true', 1]]);
    }
  });

  it.each(versions)('%s: auto-compaction is task.compact{type=local|remote_v2, manual=false}', (version) => {
    const compact = (scenario: string) => points(version, scenario).filter((p) => p.metric === 'codex.task.compact').map((p) => `${String(p.attributes.type)} manual=${String(p.attributes.manual)}`);
    expect(new Set(compact('apply-patch-local-compaction'))).toEqual(new Set(['local manual=false']));
    expect(new Set(compact('apply-patch-remote-compaction'))).toEqual(new Set(['remote_v2 manual=false']));
  });

  it.each(versions)('%s: a cut SSE stream is one sse_event{kind="unknown",success="false"} while every api_request counts 200/success', (version) => {
    const cut = points(version, 'cut-stream').filter((p) => p.attributes.session_source === 'exec');
    const failedEvents = cut.filter((p) => p.metric === 'codex.sse_event' && p.attributes.success === 'false');
    expect(failedEvents.map((p) => [p.attributes.kind, p.value])).toEqual([['unknown', 1], ['unknown', 1]]);
    const requests = cut.filter((p) => p.metric === 'codex.api_request');
    expect(new Set(requests.map((p) => `${String(p.attributes.status)}/${String(p.attributes.success)}`))).toEqual(new Set(['200/true']));
    expect(requests.reduce((n, p) => n + (p.value ?? 0), 0)).toBe(4); // the cut request and its retry, in both protocols
  });

  it.each(versions)('%s: app-server sessions carry originator = the client name and session_source=vscode', (version) => {
    const session = points(version, 'app-server').filter((p) => p.metric === 'codex.turn.e2e_duration_ms');
    expect(session.length).toBeGreaterThan(0);
    for (const p of session) expect([p.attributes.originator, p.attributes.session_source]).toEqual(['codex_vscode', 'vscode']);
    expect(points(version, 'app-server').some((p) => p.metric === 'codex.app_server.codex_home.size_bytes')).toBe(true);
  });

  it.each(versions)('%s: exec resume exports once per process; review runs a review sub-agent; -m picks the model', (version) => {
    expect(byVersion.get(version)!.fixtures.filter((f) => f.entry.scenario === 'exec-resume' && f.entry.protocol === 'json').length).toBeGreaterThanOrEqual(2);
    expect(points(version, 'exec-review').some((p) => p.attributes.session_source === 'subagent_review')).toBe(true);
    expect(new Set(points(version, 'other-model-json').filter((p) => p.attributes.session_source === 'exec').map((p) => p.attributes.model))).toEqual(new Set(['gpt-5.5']));
  });
});

describe('verify judges each point by its Codex version', () => {
  const allVersions = versions.flatMap((v) => byVersion.get(v)!.fixtures.flatMap((f) => f.points));
  const relabel = (p: ReceivedPoint, version: string): ReceivedPoint => ({ ...p, attributes: { ...p.attributes, ...('app.version' in p.attributes ? { 'app.version': version } : {}) }, resource: { ...p.resource, 'service.version': version } });
  const violations = (points: readonly ReceivedPoint[]) => {
    const checker = checkerOf();
    checker.check(points);
    return checker.report().violations.map((v) => `${v.code} ${v.metric}${v.field ? ` ${v.field}` : ''}`);
  };
  const first = (version: string, metric: string, has?: string) => byVersion.get(version)!.fixtures.flatMap((f) => f.points).find((p) => p.metric === metric && (has === undefined || has in p.attributes))!;

  it('a mixed fleet of every covered release, in one stream, verifies clean', () => {
    expect(violations(allVersions)).toEqual([]);
  });

  it('reports a metric the version does not send: dropped (loaded_cache.event in 0.171.0) or not yet added (reasoning_replay in 0.169.1)', () => {
    expect(violations([relabel(first('0.169.1', 'codex.plugins.loaded_cache.event'), '0.171.0')])).toEqual(['not_sent_by_version codex.plugins.loaded_cache.event']);
    expect(violations([relabel(first('0.171.0', 'codex.responses.reasoning_replay'), '0.169.1')])).toEqual(['not_sent_by_version codex.responses.reasoning_replay']);
    // A newer, uncovered release is judged too: 0.171.0 no longer sent it, so neither does 0.172.0.
    expect(violations([relabel(first('0.169.1', 'codex.plugins.loaded_cache.event'), '0.172.0')])).toEqual(['not_sent_by_version codex.plugins.loaded_cache.event']);
  });

  it('reports a field or value the version does not send, and does not require a field it does not send yet', () => {
    expect(violations([relabel(first('0.171.0', 'codex.tool.call', 'shell_snapshot_mode'), '0.165.0')])).toEqual(['not_sent_by_version codex.tool.call shell_snapshot_mode']);
    const mismatch = byVersion.get('0.171.0')!.fixtures.flatMap((f) => f.points).find((p) => p.metric === 'codex.websocket.continuation' && p.attributes.reason === 'input_mismatch')!;
    expect(violations([relabel(mismatch, '0.160.0')])).toEqual(expect.arrayContaining(['not_sent_by_version codex.websocket.continuation reason']));
    // 0.160.0's review points lack context_mode, required from 0.165.0 on: fine for 0.160.0, not for 0.165.0.
    const old = first('0.160.0', 'codex.guardian.review');
    expect(violations([old])).toEqual([]);
    expect(violations([relabel(old, '0.165.0')])).toEqual(expect.arrayContaining(['missing_field codex.guardian.review context_mode']));
  });

  it('does not judge versions between the range and the nearest covered version, older than all covered ones, or not release versions', () => {
    const reasoning = first('0.171.0', 'codex.responses.reasoning_replay');
    expect(violations([relabel(reasoning, '0.170.0')])).toEqual([]); // between 0.169.1 and 0.171.0: unknown
    const dropped = first('0.169.1', 'codex.plugins.loaded_cache.event');
    expect(violations([relabel(dropped, '0.170.0')])).toEqual([]);
    expect(violations([relabel(first('0.171.0', 'codex.tools.registered'), '0.150.0')])).toEqual(['not_sent_by_version codex.tools.registered']);
    expect(violations([relabel(first('0.171.0', 'codex.auth_storage.operation'), '0.150.0')])).toEqual(['not_sent_by_version codex.auth_storage.operation']);
    expect(violations([relabel(first('0.160.0', 'codex.plugins.loaded_cache.event'), '0.150.0')])).toEqual([]); // oldest covered: nothing known before
    expect(violations([relabel(dropped, '0.171.0-alpha.2')])).toEqual([]);
  });

  it("does not judge this package's own points (its meter carries the package version), whatever app.version says", () => {
    const own: ReceivedPoint = { ...relabel(first('0.169.1', 'codex.plugins.loaded_cache.event'), '0.171.0'), scopeVersion: '0.1.0' };
    expect(violations([own])).toEqual([]);
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
