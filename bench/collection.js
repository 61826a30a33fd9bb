// Collection and export at high cardinality, and the heap each series costs.
import { cpuMicros, MINOR, own, pairRatio, requireGc, rotate } from './measure.js';
import { checkExported, setUpVariants } from './variants.js';
import { workload } from './workload.js';

/**
 * Per operation (`add`: counter, `record`: histogram) and series count: every variant gets
 * `calls` calls per series, then one collection serialised to its wire format. First the heap per
 * series (each environment populated in turn, two `gc()` before and after), then interleaved rounds.
 */
async function runCollectionGroup({ op, series, calls, w }, allVariants, config, log) {
  const gc = requireGc();
  const skipped = (config.collectionSkip ?? []).filter((s) => s.op === op && series >= s.fromSeries);
  const variants = allVariants.filter((v) => !skipped.some((s) => s.variant === v.id));
  const envs = setUpVariants(variants, op, w);
  const callsPerRound = series * calls;
  const check = (e) => checkExported(e, op, `${series} series collection`);
  try {
    // Two full collections each time: one can leave garbage that only the next frees (weak
    // references, finalizers), which would then count against whichever variant comes next.
    const settledHeap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const heap = {};
    for (const e of envs) {
      const before = settledHeap();
      e.run(callsPerRound);
      e.calls += callsPerRound;
      await e.env.collect();
      check(e);
      heap[e.v.id] = (settledHeap() - before) / series;
    }
    const rounds = [];
    for (let r = 0; r < config.rounds; r++) {
      gc();
      const samples = {};
      for (const e of rotate(envs, r)) {
        gc(MINOR);
        const a = cpuMicros();
        e.run(callsPerRound);
        const callsMicros = cpuMicros() - a;
        e.calls += callsPerRound;
        const { collectMicros, exportMicros, bytes } = await e.env.exportOnce();
        check(e);
        samples[e.v.id] = { collectMs: collectMicros / 1000, exportMs: exportMicros / 1000, callNs: (callsMicros * 1000) / callsPerRound, bytes };
      }
      rounds.push({ samples });
    }
    const cells = {};
    for (const { v } of envs) {
      cells[v.id] = {
        collectMs: own(rounds, v.id, 'collectMs'),
        exportMs: own(rounds, v.id, 'exportMs'),
        callNs: own(rounds, v.id, 'callNs'),
        collectRatio: pairRatio(rounds, v.id, 'raw', 'collectMs'),
        exportRatio: pairRatio(rounds, v.id, 'raw', 'exportMs'),
        bytes: rounds.at(-1).samples[v.id].bytes,
        heapBytesPerSeries: heap[v.id],
      };
    }
    log(
      `  ${op.padEnd(6)} ${String(series).padStart(7)} series: ` +
        envs.map((e) => `${e.v.id} collect ${cells[e.v.id].collectMs.median.toFixed(1)} ms export ${cells[e.v.id].exportMs.median.toFixed(1)} ms heap ${Math.round(heap[e.v.id])} B`).join('; '),
    );
    return { op, series, callsPerSeries: calls, rounds, cells, skipped: skipped.map(({ variant, reason }) => ({ variant, reason })) };
  } finally {
    for (const e of envs) await e.env.shutdown();
  }
}

export async function runCollection(config, variants, log) {
  const groups = [];
  for (const series of config.collectionSeries) {
    const w = workload(series);
    for (const op of ['add', 'record']) {
      groups.push(await runCollectionGroup({ op, series, calls: config.collectionCallsPerSeries, w }, variants, config, log));
    }
  }
  return groups;
}
