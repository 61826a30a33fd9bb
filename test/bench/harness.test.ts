// The benchmark harness in its quickest preset (`--tiny`): it runs every section, checks every
// variant's exported totals, and writes both generated doc parts between their markers. Asserts the
// result's structure only, never a timing.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));

interface Stat {
  median: number;
  min: number;
  max: number;
  n: number;
}
interface Result {
  preset: string;
  date: string;
  machine: { cpu: string; cores: number; node: string; os: string; loadAverageStart: number[]; loadAverageEnd: number[] };
  config: { rounds: number; ops: string[]; series: number[]; callsPerSeries: number[]; variants: string[]; collectionSeries: number[]; collectionVariants: string[]; coldRounds: number };
  variants: { id: string; header: string; label: string }[];
  grid: { op: string; series: number; callsPerSeries: number; rounds: unknown[]; cells: Record<string, Record<'callNs' | 'e2eNs' | 'callRatio' | 'e2eRatio', Stat>> }[];
  collection: { op: string; series: number; rounds: unknown[]; cells: Record<string, { collectMs: Stat; exportMs: Stat; collectRatio: Stat; exportRatio: Stat; bytes: number; heapBytesPerSeries: number }> }[];
  coldImport: { rounds: number; scenarios: { id: string; setupCpuMs: Stat; processCpuMs: Stat }[]; ratios: { id: string; baseline: string; bound: number; ratio: Stat }[] };
  seconds: Record<string, number>;
}

const DOCS = ['docs/performance.md'];
/** The generated parts of docs/performance.md: the results section and the summary table. */
const MARKERS = [
  ['<!-- bench:results:start -->', '<!-- bench:results:end -->'],
  ['<!-- bench:summary:start -->', '<!-- bench:summary:end -->'],
] as const;

let dir: string;
let stdout: string;
let result: Result;

function expectStat(s: Stat, rounds: number): void {
  expect(s.n).toBe(rounds);
  for (const x of [s.median, s.min, s.max]) expect(Number.isFinite(x)).toBe(true);
  expect(s.min).toBeLessThanOrEqual(s.median);
  expect(s.median).toBeLessThanOrEqual(s.max);
}

/** The file with the generated part between its markers cut out. */
function outsideMarkers(text: string, [start, end]: readonly [string, string]): string {
  return text.slice(0, text.indexOf(start)) + text.slice(text.indexOf(end));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'codex-bench-'));
  mkdirSync(join(dir, 'docs'));
  for (const file of DOCS) copyFileSync(join(ROOT, file), join(dir, file));
  ({ stdout } = await run(process.execPath, ['--expose-gc', 'bench/run.js', '--tiny', '--json', '--out-dir', dir], {
    cwd: ROOT,
    env: CLEAN_ENV,
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
  }));
  result = JSON.parse(stdout) as Result;
}, 250_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('bench harness, tiny preset (needs `npm run build`)', () => {
  it('states the machine and the date', () => {
    expect(result.preset).toBe('tiny');
    expect(Number.isNaN(Date.parse(result.date))).toBe(false);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.node).toBe(process.version);
    expect(result.machine.cpu.length).toBeGreaterThan(0);
    expect(result.machine.os.length).toBeGreaterThan(0);
    expect(result.machine.loadAverageStart).toHaveLength(3);
    expect(result.machine.loadAverageEnd).toHaveLength(3);
  });

  it('measures every variant in every cell of the call grid, with the raw SDK as the baseline', () => {
    const { config } = result;
    expect(config.variants).toEqual(expect.arrayContaining(['raw', 'pkg_owned', 'pkg_host', 'pkg_noagg', 'naive', 'prom', 'map']));
    expect(result.variants.map((v) => v.id)).toEqual(config.variants);
    expect(result.grid).toHaveLength(config.ops.length * config.series.length * config.callsPerSeries.length);
    for (const op of ['add', 'record', 'timer']) {
      for (const series of config.series) {
        for (const calls of config.callsPerSeries) {
          const group = result.grid.find((g) => g.op === op && g.series === series && g.callsPerSeries === calls);
          expect(group, `${op} ${series}x${calls}`).toBeDefined();
          expect(group!.rounds).toHaveLength(config.rounds);
          expect(Object.keys(group!.cells).sort()).toEqual([...config.variants].sort());
          for (const id of config.variants) {
            const cell = group!.cells[id];
            for (const key of ['callNs', 'e2eNs', 'callRatio', 'e2eRatio'] as const) expectStat(cell[key], config.rounds);
          }
          expect(group!.cells.raw.callRatio.median).toBe(1);
          expect(group!.cells.raw.e2eRatio.median).toBe(1);
        }
      }
    }
  });

  it('collects and serialises counters and histograms for the collection variants, with heap per series', () => {
    const { config } = result;
    expect(config.collectionVariants).toEqual(expect.arrayContaining(['raw', 'pkg_owned', 'pkg_host', 'prom', 'map']));
    expect(result.collection).toHaveLength(config.collectionSeries.length * 2);
    for (const group of result.collection) {
      expect(['add', 'record']).toContain(group.op);
      expect(group.rounds).toHaveLength(config.rounds);
      for (const id of config.collectionVariants) {
        const cell = group.cells[id];
        for (const key of ['collectMs', 'exportMs', 'collectRatio', 'exportRatio'] as const) expectStat(cell[key], config.rounds);
        expect(cell.bytes).toBeGreaterThan(0);
        expect(Number.isFinite(cell.heapBytesPerSeries)).toBe(true);
      }
    }
  });

  it('starts a fresh process per cold-import scenario and round', () => {
    expect(result.coldImport.rounds).toBe(result.config.coldRounds);
    expect(result.coldImport.scenarios.map((s) => s.id)).toEqual(['node', 'api', 'sdk_exporter', 'prom', 'create', 'start']);
    for (const s of result.coldImport.scenarios) {
      expectStat(s.setupCpuMs, result.config.coldRounds);
      expectStat(s.processCpuMs, result.config.coldRounds);
    }
    // The targets of issue #12, per round.
    expect(result.coldImport.ratios.map(({ id, baseline, bound }) => ({ id, baseline, bound }))).toEqual([
      { id: 'create', baseline: 'api', bound: 1.3 },
      { id: 'start', baseline: 'sdk_exporter', bound: 1.2 },
    ]);
    for (const t of result.coldImport.ratios) expectStat(t.ratio, result.config.coldRounds);
  });

  it('--only runs the sections it names, renders those only and writes nothing', async () => {
    const out = join(dir, 'only');
    mkdirSync(join(out, 'docs'), { recursive: true });
    const only = await run(process.execPath, ['bench/run.js', '--tiny', '--only', 'coldImport', '--out-dir', out], { cwd: ROOT, env: CLEAN_ENV, timeout: 120_000 });
    expect(only.stdout).toContain('### Cold import');
    expect(only.stdout).toMatch(/`create` \/ `api` [\d.]+ \([\d.]+–[\d.]+\), target ≤ 1\.3/);
    expect(only.stdout).not.toContain('### Calls');
    expect(only.stdout).not.toContain('### Targets of issue #14');
    expect(only.stderr).not.toContain('wrote');
    const unknown = await run(process.execPath, ['bench/run.js', '--tiny', '--only', 'grids'], { cwd: ROOT, env: CLEAN_ENV, timeout: 60_000 }).catch((e: { stderr: string }) => e);
    expect(unknown.stderr).toContain('unknown section grids; known: coldImport, grid, collection');
  }, 130_000);

  it('writes the results section and the summary table between their markers, and nothing else', () => {
    const before = readFileSync(join(ROOT, 'docs/performance.md'), 'utf8');
    const after = readFileSync(join(dir, 'docs/performance.md'), 'utf8');
    expect(MARKERS.reduce(outsideMarkers, after)).toBe(MARKERS.reduce(outsideMarkers, before));
    for (const markers of MARKERS) {
      const generated = after.slice(after.indexOf(markers[0]), after.indexOf(markers[1]));
      expect(generated).toContain(result.date.slice(0, 10));
      expect(generated).toContain(result.machine.cpu);
      expect(generated).toContain('prom-client');
      expect(generated).toContain('Map bound');
    }
    const results = readFileSync(join(dir, 'docs/performance.md'), 'utf8');
    expect(results).toContain('preset `tiny`');
    expect(results).toContain('| series | calls / series / collection | raw SDK, ns per call |');
    expect(results).toContain('### Targets of issue #14');
  });

  it('--from renders a saved result again without measuring, to the same files', async () => {
    const saved = join(dir, 'result.json');
    writeFileSync(saved, stdout);
    const again = join(dir, 'again');
    mkdirSync(join(again, 'docs'), { recursive: true });
    for (const file of DOCS) copyFileSync(join(ROOT, file), join(again, file));
    await run(process.execPath, ['bench/run.js', '--from', saved, '--out-dir', again], { cwd: ROOT, env: CLEAN_ENV, timeout: 60_000 });
    for (const file of DOCS) expect(readFileSync(join(again, file), 'utf8')).toBe(readFileSync(join(dir, file), 'utf8'));
  });
});
