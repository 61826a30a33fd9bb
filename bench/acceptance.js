// The performance targets of issue #14, checked against one result: each criterion lists the
// cells it covers with the median (min–max) of the per-round ratios and whether the median meets it.
import { pairRatio } from './measure.js';

const ALL = undefined; // every value the run measured

/**
 * `section` grid: ratio of `variant` to `baseline` on `key` (`callNs` calls only, `e2eNs` with
 * the collection) per cell of `op` at `series` x `calls`. `section` collection: ratio of
 * collection CPU time.
 */
export const CRITERIA = [
  { text: 'Counter `add` ≤ 0.10× raw at 10,000 series (calls only)', section: 'grid', op: 'add', series: [10_000], calls: ALL, variants: ['pkg_owned', 'pkg_host_producer', 'pkg_host'], baseline: 'raw', key: 'callNs', bound: 0.1 },
  { text: 'Counter `add` end to end ≤ 0.2× raw at 10,000 series', section: 'grid', op: 'add', series: [10_000], calls: ALL, variants: ['pkg_owned', 'pkg_host_producer', 'pkg_host'], baseline: 'raw', key: 'e2eNs', bound: 0.2 },
  { text: 'Counter `add` ≤ prom-client at every cardinality (calls only)', section: 'grid', op: 'add', series: ALL, calls: ALL, variants: ['pkg_owned', 'pkg_host_producer', 'pkg_host'], baseline: 'prom', key: 'callNs', bound: 1 },
  { text: 'Collection of 10,000 and 100,000 counter series ≤ 1.0× the raw SDK', section: 'collection', op: 'add', series: ALL, variants: ['pkg_owned', 'pkg_host_producer', 'pkg_host'], baseline: 'raw', key: 'collectMs', bound: 1 },
  { text: "Histogram `record` on a host's MeterProvider ≤ 1.0× raw at 1, 100, 10,000 series (calls only)", section: 'grid', op: 'record', series: ALL, calls: ALL, variants: ['pkg_host_producer', 'pkg_host'], baseline: 'raw', key: 'callNs', bound: 1 },
  // At 1 series a window of up to 20 Map calls is tens of nanoseconds, below what the CPU clock
  // resolves: the target is checked at 100 series, where a window holds hundreds of calls.
  {
    text: 'Counter fast path at 1–100 series within 2× of the plain-Map bound (calls only; measured at 100 series, see the method)',
    section: 'grid',
    op: 'add',
    series: [100],
    calls: [5, 20],
    variants: ['pkg_owned', 'pkg_host_producer', 'pkg_host'],
    baseline: 'map',
    key: 'callNs',
    bound: 2,
  },
];

const pick = (wanted, value) => wanted === ALL || wanted.includes(value);

/** Every criterion with its measured cells; cells the run did not measure are left out. */
export function checkAcceptance(result) {
  return CRITERIA.map((c) => {
    const groups = (result[c.section] ?? []).filter((g) => g.op === c.op && pick(c.series, g.series) && (c.section !== 'grid' || pick(c.calls, g.callsPerSeries)));
    const cells = [];
    for (const variant of c.variants) {
      for (const g of groups) {
        if (!g.cells[variant] || !g.cells[c.baseline]) continue;
        const ratio = pairRatio(g.rounds, variant, c.baseline, c.key);
        cells.push({ variant, series: g.series, callsPerSeries: g.callsPerSeries, ratio, met: ratio.median <= c.bound });
      }
    }
    return { ...c, cells, met: cells.length > 0 && cells.every((x) => x.met) };
  });
}
