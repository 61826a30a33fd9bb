// The measured inputs: one counter and one histogram of the catalog, 7 attributes per point (the 5
// default tags plus status/success), `series` distinct series visited in a shuffled order.
// Everything is built before the clock runs, so no variant pays for building its inputs.

export const DEFAULTS = Object.freeze({
  auth_mode: 'api',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.64.0',
});

/** The same default tags as prom-client default labels (a label name cannot contain a dot). */
export const PROM_DEFAULT_LABELS = Object.freeze(Object.fromEntries(Object.entries(DEFAULTS).map(([k, v]) => [k.replace(/\./g, '_'), v])));

export const COUNTER = 'api_request';
export const HISTOGRAM = 'api_request.duration_ms';

/** Deterministic PRNG (mulberry32) so every run uses the same inputs. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Histogram values: whole milliseconds, log-uniform between 1 ms and 20 s. Power of two: indexed with a mask. */
export const VALUES = 4096;

/**
 * Inputs for `series` distinct series: per series the package's fields (`{status: 200, success:
 * true}`), the same fields in wire spelling (raw SDK, prom-client labels), the frozen pre-merged
 * attribute set of the raw SDK, and a precomputed series key (the plain-Map bound). `order` is a
 * concatenation of shuffled permutations of the series, at least `minOrder` long: any run of
 * `k * series` calls starting at a multiple of `series` hits every series exactly `k` times.
 */
export function workload(series, { seed = 1, minOrder = 1 << 16 } = {}) {
  const random = rng(seed);
  const pkgFields = [];
  const wireFields = [];
  const merged = [];
  const keys = [];
  for (let k = 0; k < series; k++) {
    const status = series === 1 ? 200 : 100 + (k >> 1);
    const success = (k & 1) === 0;
    pkgFields.push({ status, success });
    wireFields.push({ status: String(status), success: String(success) });
    merged.push(Object.freeze({ ...DEFAULTS, status: String(status), success: String(success) }));
    keys.push(`${status}|${success}`);
  }
  const reps = Math.max(1, Math.ceil(minOrder / series));
  const order = new Uint32Array(reps * series);
  const perm = Array.from({ length: series }, (_, i) => i);
  for (let r = 0; r < reps; r++) {
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    order.set(perm, r * series);
  }
  const values = new Float64Array(VALUES);
  for (let i = 0; i < VALUES; i++) values[i] = Math.floor(Math.exp(random() * Math.log(20_000)));
  return { series, pkgFields, wireFields, merged, keys, order, values };
}
