// The report of `npm run interop -- --codex X`, on the committed exports of the covered versions.
import { describe, expect, it } from 'vitest';
import { CODEX_VERSIONS, DEFAULT_TAGS, METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { fixtureVersions, loadFixturePoints, readManifest } from './fixtures.js';
import { versionReport } from './version-diff.js';

async function runsOf(version: string) {
  const manifest = readManifest(version);
  return Promise.all(manifest.entries.map(async (entry, i) => ({ scenario: entry.scenario, points: await loadFixturePoints(entry, i, version) })));
}
const report = (version: string, runs: { scenario: string; points: ReceivedPoint[] }[]) =>
  versionReport(version, runs, METRICS, { defaultTags: DEFAULT_TAGS, retired: RETIRED_METRICS, covered: CODEX_VERSIONS });
const relabel = (p: ReceivedPoint, version: string): ReceivedPoint => ({
  ...p,
  attributes: { ...p.attributes, ...('app.version' in p.attributes ? { 'app.version': version } : {}) },
  resource: { ...p.resource, 'service.version': version },
});

describe('version report', () => {
  it.each(fixtureVersions())('Codex %s as captured: nothing added, undated or changed versus the docs', async (version) => {
    const r = report(version, await runsOf(version));
    expect(r.covered).toBe(true);
    expect([r.adds, r.undated, r.changed]).toEqual([[], [], []]);
    // Sampled metrics (a sample_rate field, 1% of items) are listed apart: they may miss by chance.
    expect(r.drops).toEqual([]);
    for (const line of r.sampledNotSeen) expect(line).toMatch(/^codex\.rollout\.persistence\./);
  });

  it('a new release that still sends what 0.169.1 sent: the dropped metric is an add, the one it lacks a drop, nothing else', async () => {
    const runs = (await runsOf('0.169.1')).map((r) => ({ scenario: r.scenario, points: r.points.map((p) => relabel(p, '0.172.0')) }));
    const r = report('0.172.0', runs);
    expect(r.covered).toBe(false);
    expect(r.adds).toEqual([expect.stringMatching(/^not_sent_by_version: codex\.plugins\.loaded_cache\.event is not sent by Codex 0\.172\.0: the registry has it from Codex 0\.160\.0\.\.0\.169\.1 \(\d+ points\)$/)]);
    expect(r.drops).toEqual(['codex.responses.reasoning_replay: docs say 0.171.0..']);
    expect([r.undated, r.changed]).toEqual([[], []]);
  });

  it('a release between covered ones: what the docs cannot date is undated, not an add', async () => {
    const runs = (await runsOf('0.171.0')).map((r) => ({ scenario: r.scenario, points: r.points.map((p) => relabel(p, '0.170.0')) }));
    const r = report('0.170.0', runs);
    expect(r.adds).toEqual([]);
    expect(r.undated).toEqual(['codex.responses.reasoning_replay: docs say 0.171.0..']);
  });

  it('new metrics and fields are adds', async () => {
    const [run] = await runsOf('0.171.0');
    const p = run.points[0];
    const r = report('0.171.0', [{ scenario: run.scenario, points: [...run.points, { ...p, metric: 'codex.brand_new' }, { ...p, attributes: { ...p.attributes, brand_new_field: 'x' } }] }]);
    expect(r.adds).toEqual(expect.arrayContaining([expect.stringContaining('unknown_metric: codex.brand_new is not in the registry'), expect.stringContaining('brand_new_field')]));
  });
});
