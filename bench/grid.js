// The call grid: per operation, series count and calls per series per collection, every variant's
// CPU time per call, calls alone and with the collection, in interleaved rounds.
import { clockOverhead, cpuMicros, MINOR, own, pairRatio, requireGc, rotate } from './measure.js';
import { checkExported, setUpVariants } from './variants.js';
import { workload } from './workload.js';

/**
 * One cell group: `series` series, each called `calls` times per collection, for every variant.
 * An interval is `series * calls` calls (each series exactly `calls` times, shuffled) followed by
 * one collection; a sample is `intervals` intervals; each round takes one sample of every variant,
 * starting with another variant each round.
 */
export async function runGroup({ op, series, calls, w }, variants, config, log) {
  const gc = requireGc();
  const callsPerInterval = series * calls;
  const clampIntervals = (minCalls) => Math.min(config.maxIntervalsPerSample, Math.max(1, Math.ceil(minCalls / callsPerInterval)));
  const intervals = clampIntervals(config.minCallsPerSample);
  const envs = setUpVariants(variants, op, w);

  /** Calls and collection of `k` intervals of `perInterval` calls, checked against what the collection holds. */
  const sample = async (e, k, overhead, perInterval = callsPerInterval) => {
    let callsMicros = 0;
    let collectMicros = 0;
    for (let i = 0; i < k; i++) {
      const a = cpuMicros();
      e.run(perInterval);
      const b = cpuMicros();
      await e.env.collect();
      const c = cpuMicros();
      callsMicros += b - a;
      collectMicros += c - b;
    }
    e.calls += k * perInterval;
    checkExported(e, op, `${series} series x ${calls}`);
    const n = k * perInterval;
    const callsOnly = callsMicros - k * overhead;
    const collection = collectMicros - k * overhead;
    return { callNs: (callsOnly * 1000) / n, e2eNs: ((callsOnly + collection) * 1000) / n, collectUs: collection / k };
  };

  try {
    // Warm-up (JIT, every series created): about `warmupCalls` calls in intervals of whole
    // permutations of the series, so that the measured intervals still start at a permutation.
    const warmCalls = series * Math.min(calls, Math.max(1, Math.ceil(config.warmupCalls / series)));
    const warmIntervals = Math.min(config.maxIntervalsPerSample, Math.max(1, Math.ceil(config.warmupCalls / warmCalls)));
    for (const e of envs) await sample(e, warmIntervals, clockOverhead(), warmCalls);
    const rounds = [];
    for (let r = 0; r < config.rounds; r++) {
      gc();
      const overhead = clockOverhead();
      const samples = {};
      for (const e of rotate(envs, r)) {
        // The young garbage of the previous sample is not this sample's cost (a full collection
        // per sample would take longer than most samples at 10,000 series: one per round).
        gc(MINOR);
        samples[e.v.id] = await sample(e, intervals, overhead);
      }
      rounds.push({ overheadUs: overhead, samples });
    }
    const cells = {};
    for (const { v } of envs) {
      cells[v.id] = {
        callNs: own(rounds, v.id, 'callNs'),
        e2eNs: own(rounds, v.id, 'e2eNs'),
        collectUs: own(rounds, v.id, 'collectUs'),
        callRatio: pairRatio(rounds, v.id, 'raw', 'callNs'),
        e2eRatio: pairRatio(rounds, v.id, 'raw', 'e2eNs'),
      };
    }
    const raw = cells.raw;
    log(
      `  ${op.padEnd(6)} ${String(series).padStart(6)} series x ${String(calls).padStart(2)} calls: raw ${raw.callNs.median.toFixed(0)} ns/call; ` +
        envs
          .filter((e) => e.v.id !== 'raw')
          .map((e) => `${e.v.id} ${cells[e.v.id].callRatio.median.toFixed(3)}/${cells[e.v.id].e2eRatio.median.toFixed(3)}`)
          .join(' '),
    );
    return { op, series, callsPerSeries: calls, intervalsPerSample: intervals, callsPerSample: intervals * callsPerInterval, rounds, cells };
  } finally {
    for (const e of envs) await e.env.shutdown();
  }
}

export async function runGrid(config, variants, log) {
  const groups = [];
  for (const series of config.series) {
    const w = workload(series);
    for (const op of config.ops) {
      for (const calls of config.callsPerSeries) groups.push(await runGroup({ op, series, calls, w }, variants, config, log));
    }
  }
  return groups;
}
