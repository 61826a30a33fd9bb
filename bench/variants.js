// What is compared. A variant is `{ id, header, label, family, setup }`: `header` is its column,
// `family` picks its measured loops (bench/loops.js), `setup({ limit })` builds a fresh environment
// with
//   collect()         one collection, as its reader or scraper would do it
//   exportOnce()      one collection serialised to the bytes that would be sent:
//                     { collectMicros, exportMicros, bytes }
//   exportedTotal(op) the counter sum / histogram count of the last collection (checked against the
//                     calls made, so no variant can skip work), releasing that collection
//   shutdown()
// plus whatever its loops use (`metrics`, `counter`, `histogram`, ...). A new set-up of the package
// is a `setup` calling `ownedEnv` or `hostEnv` with its options: see the pkg_* entries below.
import { createRequire } from 'node:module';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import client from 'prom-client';
import { bucketsFor, CodexMetricProducer, createCodexMetrics, METRICS, startCodexMetrics } from '../dist/index.js';
import { LOOPS } from './loops.js';
import { cpuMicros } from './measure.js';
import { COUNTER, DEFAULTS, HISTOGRAM, PROM_DEFAULT_LABELS } from './workload.js';

// The serializer the OTLP/HTTP protobuf exporter itself uses (its own copy of otlp-transformer).
const requireFromExporter = createRequire(createRequire(import.meta.url).resolve('@opentelemetry/exporter-metrics-otlp-proto'));
const { ProtobufMetricsSerializer } = requireFromExporter('@opentelemetry/otlp-transformer');

const COUNTER_SPEC = METRICS.find((m) => m.name === COUNTER);
const HISTOGRAM_SPEC = METRICS.find((m) => m.name === HISTOGRAM);
const BUCKETS = [...bucketsFor(HISTOGRAM_SPEC)];
const WIRE = { add: `codex.${COUNTER}`, record: `codex.${HISTOGRAM}`, timer: `codex.${HISTOGRAM}` };
/** Readers never export on their own (every collection is asked for) and never time out. */
const NEVER = 3_600_000;
const SUCCESS = 0; // ExportResultCode.SUCCESS of @opentelemetry/core

/**
 * A push exporter that sends nothing: it keeps the last collection for the exported-total check
 * and, when asked, serialises it to OTLP protobuf exactly as the real exporter would, timing that.
 */
class CaptureExporter {
  last = undefined;
  serialize = false;
  serializeMicros = 0;
  bytes = 0;
  selectAggregationTemporality() {
    return AggregationTemporality.CUMULATIVE;
  }
  export(resourceMetrics, done) {
    this.last = resourceMetrics;
    if (this.serialize) {
      const t0 = cpuMicros();
      const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
      this.serializeMicros += cpuMicros() - t0;
      this.bytes = body.length;
    }
    done({ code: SUCCESS });
  }
  async forceFlush() {}
  async shutdown() {}
}

/** A reader as a host would configure it (periodic, cumulative), with the capturing exporter. */
function hostReader(limit, readerOptions = {}) {
  const exporter = new CaptureExporter();
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: NEVER,
    exportTimeoutMillis: NEVER, // a slow collection on a busy machine must not be cut short
    cardinalityLimits: { default: limit },
    ...readerOptions,
  });
  return { exporter, reader };
}

/** Sum of counter values / histogram counts of one metric over all scopes of a collection. */
function otelTotal(resourceMetrics, wireName) {
  let total = 0;
  for (const scope of resourceMetrics?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== wireName) continue;
      for (const point of metric.dataPoints) total += typeof point.value === 'number' ? point.value : point.value.count;
    }
  }
  return total;
}

/** The common part of every OpenTelemetry environment: `flush()` collects and exports through the reader. */
function otelEnv({ exporter, flush, shutdown, ...rest }) {
  return {
    ...rest,
    collect: flush,
    async exportOnce() {
      exporter.serialize = true;
      exporter.serializeMicros = 0;
      const t0 = cpuMicros();
      await flush();
      const exportMicros = cpuMicros() - t0;
      exporter.serialize = false;
      return { collectMicros: exportMicros - exporter.serializeMicros, exportMicros, bytes: exporter.bytes };
    },
    exportedTotal(op) {
      const total = otelTotal(exporter.last, WIRE[op]);
      exporter.last = undefined;
      return total;
    },
    shutdown,
  };
}

/** Raw SDK instruments with the package's names, units and bucket advice. */
function sdkEnv({ limit }) {
  const { exporter, reader } = hostReader(limit);
  const provider = new MeterProvider({ readers: [reader] });
  const meter = provider.getMeter('codex');
  const counter = meter.createCounter(WIRE.add, { description: COUNTER_SPEC.description, unit: COUNTER_SPEC.unit });
  const histogram = meter.createHistogram(WIRE.record, {
    description: HISTOGRAM_SPEC.description,
    unit: HISTOGRAM_SPEC.unit,
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  return { counter, histogram, ...otelEnv({ exporter, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() }) };
}

/** startCodexMetrics itself, with an exporter that sends nothing: the reader the package owns. */
function ownedEnv({ limit }, options = {}) {
  const exporter = new CaptureExporter();
  const session = startCodexMetrics({
    defaults: DEFAULTS,
    exporter,
    exportIntervalMillis: NEVER,
    exportTimeoutMillis: NEVER,
    cardinalityLimit: limit,
    maxSeriesPerMetric: limit,
    env: {}, // the machine's OTEL_* variables must not change what is measured
    ...options,
  });
  return { metrics: session.metrics, ...otelEnv({ exporter, flush: () => session.forceFlush(), shutdown: () => session.shutdown() }) };
}

/** createCodexMetrics on a MeterProvider the host built, with its own reader. */
function hostEnv({ limit }, options = {}, readerOptions = {}) {
  const { exporter, reader } = hostReader(limit, readerOptions);
  const provider = new MeterProvider({ readers: [reader] });
  const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: provider, maxSeriesPerMetric: limit, ...options });
  return { metrics, ...otelEnv({ exporter, flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() }) };
}

/** prom-client: one registry per environment, the default tags as its default labels. */
function promEnv() {
  const registry = new client.Registry();
  registry.setDefaultLabels(PROM_DEFAULT_LABELS);
  const labelNames = ['status', 'success'];
  const counter = new client.Counter({ name: 'codex_api_request_total', help: COUNTER_SPEC.description, labelNames, registers: [registry] });
  const histogram = new client.Histogram({ name: 'codex_api_request_duration_ms', help: HISTOGRAM_SPEC.description, labelNames, buckets: BUCKETS, registers: [registry] });
  let last;
  return {
    counter,
    histogram,
    async collect() {
      last = await registry.getMetricsAsJSON();
    },
    async exportOnce() {
      const t0 = cpuMicros();
      last = await registry.getMetricsAsJSON();
      const t1 = cpuMicros();
      const text = await registry.metrics();
      const t2 = cpuMicros();
      return { collectMicros: t1 - t0, exportMicros: t2 - t1, bytes: Buffer.byteLength(text) };
    },
    exportedTotal(op) {
      const [name, sample] = op === 'add' ? ['codex_api_request_total', 'codex_api_request_total'] : ['codex_api_request_duration_ms', 'codex_api_request_duration_ms_count'];
      let total = 0;
      for (const metric of last ?? []) {
        if (metric.name !== name) continue;
        for (const v of metric.values) if (v.metricName === undefined || v.metricName === sample) total += v.value;
      }
      last = undefined;
      return total;
    },
    async shutdown() {
      registry.clear();
    },
  };
}

/** Explicit-bucket histograms in a Map: count, sum, min, max, upper-inclusive bucket counts. */
class MapHistograms {
  series = new Map();
  constructor(boundaries) {
    this.boundaries = Float64Array.from(boundaries);
  }
  record(key, value) {
    let s = this.series.get(key);
    if (s === undefined) {
      s = { count: 0, sum: 0, min: Infinity, max: -Infinity, counts: new Float64Array(this.boundaries.length + 1) };
      this.series.set(key, s);
    }
    s.count++;
    s.sum += value;
    if (value < s.min) s.min = value;
    if (value > s.max) s.max = value;
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    s.counts[lo]++;
  }
}

/** The lower bound: a Map per metric; a collection copies every series out, an export writes text lines. */
function mapEnv() {
  const counters = new Map();
  const histograms = new MapHistograms(BUCKETS);
  const points = () => {
    const out = [];
    for (const [key, s] of counters) out.push({ key, value: s.value });
    for (const [key, s] of histograms.series) out.push({ key, count: s.count, sum: s.sum, min: s.min, max: s.max, counts: Array.from(s.counts) });
    return out;
  };
  let last;
  return {
    counters,
    histograms,
    async collect() {
      last = points();
    },
    async exportOnce() {
      const t0 = cpuMicros();
      last = points();
      const t1 = cpuMicros();
      let text = '';
      for (const p of last) text += p.value !== undefined ? `${p.key} ${p.value}\n` : `${p.key} ${p.count} ${p.sum} ${p.min} ${p.max} ${p.counts.join(' ')}\n`;
      const t2 = cpuMicros();
      return { collectMicros: t1 - t0, exportMicros: t2 - t0, bytes: Buffer.byteLength(text) };
    },
    exportedTotal(op) {
      let total = 0;
      for (const p of last ?? []) total += op === 'add' ? (p.value ?? 0) : (p.count ?? 0);
      last = undefined;
      return total;
    },
    async shutdown() {
      counters.clear();
      histograms.series.clear();
    },
  };
}

/**
 * Every variant, in table order; `header` is its column in the tables. `raw` is the baseline of
 * every ratio.
 */
export const VARIANTS = [
  {
    id: 'raw',
    header: 'raw SDK',
    label: 'raw `@opentelemetry/sdk-metrics`: `counter.add(1, attrs)` / `histogram.record(v, attrs)` with a frozen, pre-merged attribute object per series',
    family: 'raw',
    setup: sdkEnv,
  },
  {
    id: 'pkg_owned',
    header: 'pkg, owned reader',
    label: 'this package with the reader it owns: `startCodexMetrics` (with an exporter that sends nothing)',
    family: 'pkg',
    setup: (o) => ownedEnv(o),
  },
  {
    id: 'pkg_host',
    header: "pkg, host's provider",
    label: "this package on a host's MeterProvider, nothing registered (the SDK path): `createCodexMetrics({ meterProvider })`",
    family: 'pkg',
    setup: (o) => hostEnv(o),
  },
  {
    id: 'pkg_host_producer',
    header: 'pkg, host reader + producer',
    label: "this package on a host's MeterProvider whose reader the host gave the package's producer: `metricProducers: [producer]`, `createCodexMetrics({ metricProducer: producer })`",
    family: 'pkg',
    setup: (o) => {
      const producer = new CodexMetricProducer();
      return hostEnv(o, { metricProducer: producer }, { metricProducers: [producer] });
    },
  },
  {
    id: 'pkg_noagg',
    header: 'pkg, no aggregation',
    label: "this package on a host's MeterProvider with `aggregateInPackage: false`",
    family: 'pkg',
    setup: (o) => hostEnv(o, { aggregateInPackage: false }),
  },
  { id: 'naive', header: 'naive merge', label: 'raw SDK with `{ ...defaults, ...fields }` built on every call', family: 'naive', setup: sdkEnv },
  {
    id: 'prom',
    header: 'prom-client',
    label: 'prom-client: the default tags as registry default labels (`setDefaultLabels`), label values per call; collection `getMetricsAsJSON()`, export `metrics()` (text format)',
    family: 'prom',
    setup: promEnv,
  },
  { id: 'map', header: 'Map bound', label: 'lower bound: a `Map` keyed by a precomputed series key, incrementing a number', family: 'map', setup: mapEnv },
];

export function variantsById(ids) {
  return ids.map((id) => {
    const v = VARIANTS.find((x) => x.id === id);
    if (!v) throw new Error(`unknown variant ${id}; known: ${VARIANTS.map((x) => x.id).join(', ')}`);
    return v;
  });
}

/** Cardinality limits (the SDK's, the package's) high enough that every series is a real series. */
const limitFor = (series) => Math.max(2000, 2 * series);

/** One fresh environment per variant for `op` on workload `w`, with its loop and a count of the calls made. */
export function setUpVariants(variants, op, w) {
  return variants.map((v) => {
    const env = v.setup({ limit: limitFor(w.series) });
    return { v, env, run: LOOPS[v.family][op](env, w), calls: 0 };
  });
}

/** Stops the run unless the last collection of `e` holds every call made so far (no variant may skip work). */
export function checkExported(e, op, where) {
  const exported = e.env.exportedTotal(op);
  if (exported !== e.calls) throw new Error(`${e.v.id} ${op} ${where}: ${exported} exported after ${e.calls} calls`);
}
