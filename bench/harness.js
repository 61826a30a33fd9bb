// Runs the benchmark's sections with one of the presets and returns one result object (what
// `--json` prints and what bench/report.js renders).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runColdImport } from './cold-import.js';
import { runCollection } from './collection.js';
import { runGrid } from './grid.js';
import { OPS } from './loops.js';
import { cpuMicros } from './measure.js';
import { VARIANTS, variantsById } from './variants.js';

const ALL = VARIANTS.map((v) => v.id);
/** The variants of the collection section; naive and no-aggregation collect exactly as the raw SDK does. */
const COLLECTION_VARIANTS = ALL.filter((id) => id !== 'naive' && id !== 'pkg_noagg');

/**
 * `full`: what `npm run bench` runs and documents (up to ~10 minutes on 2 cores). `quick`: a smoke
 * run of every section in under a minute, not documented. `tiny`: the test's run, seconds.
 */
export const PRESETS = {
  full: {
    rounds: 7,
    ops: OPS,
    series: [1, 100, 10_000],
    callsPerSeries: [1, 5, 20],
    minCallsPerSample: 10_000,
    maxIntervalsPerSample: 500,
    warmupCalls: 10_000,
    variants: ALL,
    collectionSeries: [10_000, 100_000],
    collectionCallsPerSeries: 2,
    collectionVariants: COLLECTION_VARIANTS,
    collectionSkip: [
      {
        variant: 'prom',
        op: 'record',
        fromSeries: 100_000,
        reason: "its text format would be about 10× the 10,000 series' payload, close to V8's maximum string length (512 MiB)",
      },
    ],
    coldRounds: 7,
  },
  quick: {
    rounds: 3,
    ops: OPS,
    series: [1, 1000],
    callsPerSeries: [1, 20],
    minCallsPerSample: 1000,
    maxIntervalsPerSample: 20,
    warmupCalls: 1000,
    variants: ALL,
    collectionSeries: [2000],
    collectionCallsPerSeries: 2,
    collectionVariants: COLLECTION_VARIANTS,
    coldRounds: 1,
  },
  tiny: {
    rounds: 2,
    ops: OPS,
    series: [1, 10],
    callsPerSeries: [1, 2],
    minCallsPerSample: 50,
    maxIntervalsPerSample: 5,
    warmupCalls: 20,
    variants: ALL,
    collectionSeries: [50],
    collectionCallsPerSeries: 2,
    collectionVariants: COLLECTION_VARIANTS,
    coldRounds: 1,
  },
};

function packageVersion(name) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const path = name === '.' ? `${root}package.json` : `${root}node_modules/${name}/package.json`;
  return JSON.parse(readFileSync(path, 'utf8')).version;
}

function osName() {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) return `${pretty[1]}, ${os.type()} ${os.release()} ${os.arch()}`;
  } catch {
    // not Linux, or no os-release: the kernel line below still says what it is
  }
  return `${os.type()} ${os.release()} ${os.arch()}`;
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    os: osName(),
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverageStart: os.loadavg().map((x) => Number(x.toFixed(2))),
  };
}

export const SECTIONS = ['coldImport', 'grid', 'collection'];

/**
 * Runs the sections of `preset` (a name of PRESETS), every one or those `only` names, logging
 * progress through `log`. `narrow` replaces the preset's `series` (grid series counts) and `ops`.
 */
export async function runBench(preset, log = () => {}, only = SECTIONS, narrow = {}) {
  if (!PRESETS[preset]) throw new Error(`unknown preset ${preset}; known: ${Object.keys(PRESETS).join(', ')}`);
  const badOps = (narrow.ops ?? []).filter((op) => !OPS.includes(op));
  if (badOps.length) throw new Error(`unknown op ${badOps.join(', ')}; known: ${OPS.join(', ')}`);
  if (narrow.series?.some((n) => !Number.isSafeInteger(n) || n < 1)) throw new Error('--series: positive integers');
  const config = { ...PRESETS[preset], ...(narrow.ops && { ops: narrow.ops }), ...(narrow.series && { series: narrow.series }) };
  const unknown = only.filter((name) => !SECTIONS.includes(name));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  if (!config.variants.includes('raw') || !config.collectionVariants.includes('raw')) throw new Error('every ratio is relative to the raw SDK: keep the raw variant');
  const started = performance.now();
  const cpuStarted = cpuMicros();
  const result = {
    preset,
    date: new Date().toISOString(),
    machine: machine(),
    versions: {
      package: packageVersion('.'),
      sdkMetrics: packageVersion('@opentelemetry/sdk-metrics'),
      otlpExporter: packageVersion('@opentelemetry/exporter-metrics-otlp-proto'),
      promClient: packageVersion('prom-client'),
    },
    config,
    variants: VARIANTS.filter((v) => config.variants.includes(v.id)).map(({ id, header, label }) => ({ id, header, label })),
    seconds: {},
    // Some sections or cells only: never written to the docs, also not when rendered later (--from).
    ...((only !== SECTIONS || narrow.ops || narrow.series) && { narrowed: { sections: only, ...narrow } }),
  };
  log(`bench (${preset}): ${result.machine.cpu} x${result.machine.cores}, Node ${result.machine.node}, load average ${result.machine.loadAverageStart.join(' ')}`);
  const section = async (name, fn) => {
    if (!only.includes(name)) return;
    log(name);
    const t0 = performance.now();
    result[name] = await fn();
    result.seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(1));
  };
  await section('coldImport', () => runColdImport(config, log));
  await section('grid', () => runGrid(config, variantsById(config.variants), log));
  await section('collection', () => runCollection(config, variantsById(config.collectionVariants), log));
  result.machine.loadAverageEnd = os.loadavg().map((x) => Number(x.toFixed(2)));
  result.seconds.total = Number(((performance.now() - started) / 1000).toFixed(1));
  // CPU time of this process over the run (child processes not included): far below the wall
  // time means the process waited for the CPU, i.e. a busy machine.
  result.seconds.cpu = Number(((cpuMicros() - cpuStarted) / 1e6).toFixed(1));
  return result;
}
