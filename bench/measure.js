// CPU-time measurement and the statistics of interleaved rounds.

/**
 * CPU time of this process so far in microseconds (user + system, all threads: the SDK's garbage
 * collected by V8's helper threads counts too). Not wall time: time the machine spends on other
 * processes does not count, which is what lets a shared machine measure at all.
 */
export function cpuMicros() {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/**
 * The CPU time an empty window reads (the cost of one `cpuMicros()` call, about a microsecond):
 * subtracted from every measured window, so that windows of a few calls are not dominated by it.
 * The mean, not the median: readings are whole microseconds and only their mean is unbiased.
 */
export function clockOverhead(windows = 4000) {
  let sum = 0;
  for (let i = 0; i < windows; i++) {
    const a = cpuMicros();
    const b = cpuMicros();
    sum += b - a;
  }
  return sum / windows;
}

/** Median (mean of the middle two for an even count), min and max. */
export function stat(values) {
  const xs = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

/** The list rotated by `r`: each round starts with another variant, so none always runs first. */
export function rotate(list, r) {
  const k = r % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/**
 * Per-round ratio of one variant's value to another's, measured in the same round (so machine
 * noise of that round hits both), summarised over the rounds.
 */
export function pairRatio(rounds, variant, baseline, key) {
  return stat(rounds.map((round) => round.samples[variant]?.[key] / round.samples[baseline]?.[key]));
}

/** Summary of one variant's own value over the rounds. */
export function own(rounds, variant, key) {
  return stat(rounds.map((round) => round.samples[variant]?.[key]));
}

/** `gc(MINOR)`: a scavenge of the young generation only, cheap whatever the size of the heap. */
export const MINOR = Object.freeze({ type: 'minor' });

export function requireGc() {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') throw new Error('run node with --expose-gc (npm run bench does)');
  return gc;
}
