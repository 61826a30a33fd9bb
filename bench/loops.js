// The measured loops. `LOOPS[family][op](env, w)` returns `run(n)`: n calls, continuing through the
// workload's order across runs. Each loop is written out per family so every call site stays
// monomorphic (one shared loop calling a per-variant closure would add a megamorphic call to every
// variant). Package variants share the `pkg` family: they differ in set-up, not in the call.
import { COUNTER, DEFAULTS, HISTOGRAM, VALUES } from './workload.js';

const MASK = VALUES - 1;

/**
 * What a naive caller spreads: a plain (not frozen) object, as user code writes it. Spreading a
 * frozen object is markedly cheaper in V8, so freezing it would flatter the naive merge.
 */
const NAIVE_DEFAULTS = { ...DEFAULTS };

export const OPS = ['add', 'record', 'timer'];

export const LOOPS = {
  /** The raw SDK with one frozen, pre-merged attribute object per series. */
  raw: {
    add(env, w) {
      const { order, merged } = w, counter = env.counter, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          counter.add(1, merged[order[p]]);
          if (++p === length) p = 0;
        }
      };
    },
    record(env, w) {
      const { order, merged, values } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          histogram.record(values[p & MASK], merged[order[p]]);
          if (++p === length) p = 0;
        }
      };
    },
    timer(env, w) {
      const { order, merged } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          const attributes = merged[order[p]];
          const started = performance.now();
          histogram.record(Math.max(0, Math.floor(performance.now() - started)), attributes);
          if (++p === length) p = 0;
        }
      };
    },
  },
  /** The raw SDK with `{ ...defaults, ...fields }` built on every call. */
  naive: {
    add(env, w) {
      const { order, wireFields } = w, counter = env.counter, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          counter.add(1, { ...NAIVE_DEFAULTS, ...wireFields[order[p]] });
          if (++p === length) p = 0;
        }
      };
    },
    record(env, w) {
      const { order, wireFields, values } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          histogram.record(values[p & MASK], { ...NAIVE_DEFAULTS, ...wireFields[order[p]] });
          if (++p === length) p = 0;
        }
      };
    },
    timer(env, w) {
      const { order, wireFields } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          const fields = wireFields[order[p]];
          const started = performance.now();
          histogram.record(Math.max(0, Math.floor(performance.now() - started)), { ...NAIVE_DEFAULTS, ...fields });
          if (++p === length) p = 0;
        }
      };
    },
  },
  /** This package: `metrics.add(name, fields)`, `metrics.record(name, v, fields)`, `metrics.startTimer(name, fields)()`. */
  pkg: {
    add(env, w) {
      const { order, pkgFields } = w, metrics = env.metrics, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          metrics.add(COUNTER, pkgFields[order[p]]);
          if (++p === length) p = 0;
        }
      };
    },
    record(env, w) {
      const { order, pkgFields, values } = w, metrics = env.metrics, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          metrics.record(HISTOGRAM, values[p & MASK], pkgFields[order[p]]);
          if (++p === length) p = 0;
        }
      };
    },
    timer(env, w) {
      const { order, pkgFields } = w, metrics = env.metrics, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          metrics.startTimer(HISTOGRAM, pkgFields[order[p]])();
          if (++p === length) p = 0;
        }
      };
    },
  },
  /** prom-client: label values per call; the default tags are registry default labels. */
  prom: {
    add(env, w) {
      const { order, wireFields } = w, counter = env.counter, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          counter.inc(wireFields[order[p]]);
          if (++p === length) p = 0;
        }
      };
    },
    record(env, w) {
      const { order, wireFields, values } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          histogram.observe(wireFields[order[p]], values[p & MASK]);
          if (++p === length) p = 0;
        }
      };
    },
    timer(env, w) {
      const { order, wireFields } = w, histogram = env.histogram, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          histogram.startTimer(wireFields[order[p]])();
          if (++p === length) p = 0;
        }
      };
    },
  },
  /** The lower bound: a Map keyed by the precomputed series key. */
  map: {
    add(env, w) {
      const { order, keys } = w, counters = env.counters, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          const key = keys[order[p]];
          const series = counters.get(key);
          if (series === undefined) counters.set(key, { value: 1 });
          else series.value += 1;
          if (++p === length) p = 0;
        }
      };
    },
    record(env, w) {
      const { order, keys, values } = w, histograms = env.histograms, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          histograms.record(keys[order[p]], values[p & MASK]);
          if (++p === length) p = 0;
        }
      };
    },
    timer(env, w) {
      const { order, keys } = w, histograms = env.histograms, length = order.length;
      let p = 0;
      return (n) => {
        for (let k = 0; k < n; k++) {
          const key = keys[order[p]];
          const started = performance.now();
          histograms.record(key, Math.max(0, Math.floor(performance.now() - started)));
          if (++p === length) p = 0;
        }
      };
    },
  },
};
