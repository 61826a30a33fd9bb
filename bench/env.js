// Benchmark environments: the same workload through the raw SDK, a naive per-call merge, and this
// package (set up as startCodexMetrics does it, on a host's MeterProvider, or not aggregating).
// Every environment owns a MeterProvider with a manual reader that the benchmark collects
// explicitly, so deferred work (the package's flush, the histogram producer) is never skipped.
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { bucketsFor, createCodexMetrics, HistogramStorage, histogramProducer, METRICS } from '../dist/index.js';

export const DEFAULTS = Object.freeze({
  auth_mode: 'api',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.64.0',
});

/**
 * What a naive caller spreads: a plain (not frozen) object, as user code writes it. Spreading a
 * frozen object is markedly cheaper in V8 (see docs/performance.md), so freezing it would flatter (b).
 */
const NAIVE_DEFAULTS = { ...DEFAULTS };

export const COUNTER = 'api_request';
export const HISTOGRAM = 'api_request.duration_ms';
const COUNTER_SPEC = METRICS.find((m) => m.name === COUNTER);
const HISTOGRAM_SPEC = METRICS.find((m) => m.name === HISTOGRAM);

/** A reader that only collects when asked; `metricProducers` are collected with the SDK's own. */
export class ManualReader extends MetricReader {
  constructor({ temporality = AggregationTemporality.CUMULATIVE, cardinalityLimit = 2000, metricProducers = [] } = {}) {
    super({ aggregationTemporalitySelector: () => temporality, cardinalitySelector: () => cardinalityLimit, metricProducers });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

/** Deterministic PRNG (mulberry32) so every run uses the same inputs. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ORDER_MIN = 1 << 16;
const VALUES = 4096; // power of two: index with a mask

/**
 * Precomputed inputs for `cardinality` distinct series of api_request / api_request.duration_ms:
 * status 100.. and success alternating. Nothing is allocated while measuring.
 */
export function workload(cardinality, seed = 1) {
  const random = rng(seed);
  const pkgFields = [];
  const wireFields = [];
  const merged = [];
  for (let k = 0; k < cardinality; k++) {
    const status = cardinality === 1 ? 200 : 100 + (k >> 1);
    const success = (k & 1) === 0;
    pkgFields.push({ status, success });
    wireFields.push({ status: String(status), success: String(success) });
    merged.push(Object.freeze({ ...DEFAULTS, status: String(status), success: String(success) }));
  }
  // Repeated shuffled permutations: every series is hit equally often, in no regular pattern.
  const reps = Math.ceil(ORDER_MIN / cardinality);
  const order = new Uint32Array(reps * cardinality);
  for (let r = 0; r < reps; r++) {
    const perm = Array.from({ length: cardinality }, (_, i) => i);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    order.set(perm, r * cardinality);
  }
  // Whole milliseconds, log-uniform-ish between 1 ms and ~20 s.
  const values = new Float64Array(VALUES);
  for (let i = 0; i < VALUES; i++) values[i] = Math.floor(Math.exp(random() * Math.log(20_000)));
  return { cardinality, pkgFields, wireFields, merged, order, values };
}

/** Raw SDK instruments with the same names, units and advice boundaries as the package. */
export function rawEnv({ cardinalityLimit = 20_000, temporality } = {}) {
  const reader = new ManualReader({ cardinalityLimit, temporality });
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('codex');
  const counter = meter.createCounter(`codex.${COUNTER}`, { description: COUNTER_SPEC.description, unit: COUNTER_SPEC.unit });
  const histogram = meter.createHistogram(`codex.${HISTOGRAM}`, {
    description: HISTOGRAM_SPEC.description,
    unit: HISTOGRAM_SPEC.unit,
    advice: { explicitBucketBoundaries: [...bucketsFor(HISTOGRAM_SPEC)] },
  });
  return { reader, provider, counter, histogram };
}

/**
 * The package. `histogramStorage: true` is what startCodexMetrics (and the testing helper) set up
 * when they own the reader: a HistogramStorage with the reader's temporality and cardinality
 * limit, handed to the reader as a MetricProducer, so `reader.collect()` (and its timing) includes
 * the producer. Without it, the package runs on a host's MeterProvider: histograms go through the
 * SDK's instruments.
 */
export function pkgEnv({
  aggregate,
  histogramStorage: withStorage = false,
  cardinalityLimit = 20_000,
  maxSeriesPerMetric = 20_000,
  temporality = AggregationTemporality.CUMULATIVE,
} = {}) {
  const histogramStorage = withStorage
    ? new HistogramStorage({ temporality: temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative', cardinalityLimit })
    : undefined;
  const metricProducers = histogramStorage ? [histogramProducer(histogramStorage)] : [];
  const reader = new ManualReader({ cardinalityLimit, temporality, metricProducers });
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: provider, aggregateInPackage: aggregate, maxSeriesPerMetric, histogramStorage });
  return { reader, provider, metrics, histogramStorage };
}

/** Sum of counter values and histogram counts of one metric over all scopes of a collection. */
export function exportedTotal(resourceMetrics, wireName) {
  let total = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== wireName) continue;
      for (const point of metric.dataPoints) total += typeof point.value === 'number' ? point.value : point.value.count;
    }
  }
  return total;
}

/**
 * The measured loops: `make(env, w)` returns `run(n)` doing n calls, continuing through the
 * precomputed order across runs. Each loop is written out so every call site stays monomorphic
 * (a shared loop calling a per-variant closure would add a megamorphic call to every variant).
 */
const MASK = VALUES - 1;
export const OPS = {
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
};
