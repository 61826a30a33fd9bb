// The fast path (series cache, in-package aggregation) must not change what is exported: random
// workloads through createCodexMetrics (aggregating in the package or not) and through plain SDK
// instruments with hand-merged attributes must collect to identical data. Not timed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  InMemoryMetricExporter,
  MetricReader,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { histogramProducer } from '../../src/export/histogram-producer.js';
import { HistogramStorage } from '../../src/runtime/histogram-storage.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { bucketsFor } from '../../src/runtime/buckets.js';
import { createCodexMetrics } from '../../src/runtime/codex-metrics.js';
import type { CodexMetrics } from '../../src/runtime/types.js';
import { METRICS, type DefaultTags } from '../../src/generated/catalog.js';
import { DEFAULT_TAG_KEYS, type FieldSpec, type MetricSpec } from '../../src/catalog/spec.js';
import { PACKAGE_VERSION } from '../../src/version.js';

const RUNS = 200;

class ManualReader extends MetricReader {
  constructor(temporality: AggregationTemporality, cardinalityLimit = 2000, metricProducers: MetricProducer[] = []) {
    super({ aggregationTemporalitySelector: () => temporality, cardinalitySelector: () => cardinalityLimit, metricProducers });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------
// Three ways to record the same workload.

type Fields = Record<string, unknown>;

interface Sink {
  add(view: number, spec: MetricSpec, fields: Fields, increment: number | undefined): void;
  record(view: number, spec: MetricSpec, value: number, fields: Fields): void;
  collect(): Promise<NormalizedPoint[]>;
  shutdown(): Promise<void>;
}

interface Setup {
  temporality: AggregationTemporality;
  cardinalityLimit?: number;
  maxSeriesPerMetric?: number;
  defaults: DefaultTags;
  viewDefaults: DefaultTags;
}

/**
 * createCodexMetrics, with or without in-package aggregation, and with histograms aggregated in
 * the package (HistogramStorage + MetricProducer, as startCodexMetrics sets it up) or in the SDK;
 * view 1 is a `withDefaults` view.
 */
function packageSink(setup: Setup, aggregateInPackage: boolean, inPackageHistograms = false): Sink {
  const storage = inPackageHistograms
    ? new HistogramStorage({ temporality: setup.temporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative', cardinalityLimit: setup.cardinalityLimit ?? 2000 })
    : undefined;
  const reader = new ManualReader(setup.temporality, setup.cardinalityLimit, storage ? [histogramProducer(storage)] : []);
  const provider = new MeterProvider({ readers: [reader] });
  const root = createCodexMetrics({
    defaults: setup.defaults,
    meterProvider: provider,
    aggregateInPackage,
    ...(storage ? { histogramStorage: storage } : {}),
    strict: true,
    ...(setup.maxSeriesPerMetric ? { maxSeriesPerMetric: setup.maxSeriesPerMetric } : {}),
  });
  const views: CodexMetrics[] = [root, root.withDefaults(setup.viewDefaults)];
  type Loose = { add(n: string, f: Fields, i?: number): void; record(n: string, v: number, f: Fields): void };
  return {
    add: (view, spec, fields, increment) => (views[view] as unknown as Loose).add(spec.name, fields, increment),
    record: (view, spec, value, fields) => (views[view] as unknown as Loose).record(spec.name, value, fields),
    collect: async () => normalize((await reader.collect()).resourceMetrics),
    shutdown: () => provider.shutdown(),
  };
}

/** The plain SDK: same names, units, descriptions, advice boundaries; attributes merged by hand. */
function plainSdkSink(setup: Setup): Sink {
  const reader = new ManualReader(setup.temporality, setup.cardinalityLimit);
  const provider = new MeterProvider({ readers: [reader] });
  const meter: Meter = provider.getMeter('codex', PACKAGE_VERSION);
  const instruments = new Map<string, Counter | Histogram>();
  const instrument = (spec: MetricSpec) => {
    let found = instruments.get(spec.name);
    if (!found) {
      found =
        spec.kind === 'counter'
          ? meter.createCounter(`codex.${spec.name}`, { description: spec.description, unit: spec.unit })
          : meter.createHistogram(`codex.${spec.name}`, {
              description: spec.description,
              unit: spec.unit,
              advice: { explicitBucketBoundaries: [...bucketsFor(spec)] },
            });
      instruments.set(spec.name, found);
    }
    return found;
  };
  const tags = [expectedDefaults(setup.defaults), expectedDefaults(setup.defaults, setup.viewDefaults)];
  const merge = (view: number, spec: MetricSpec, fields: Fields): Attributes => {
    const attributes: Record<string, string> = { ...tags[view] };
    for (const [key, raw] of Object.entries(fields)) attributes[key] = wire(spec.fields[key], raw);
    return attributes;
  };
  return {
    add: (view, spec, fields, increment) => (instrument(spec) as Counter).add(increment ?? 1, merge(view, spec, fields)),
    record: (view, spec, value, fields) => (instrument(spec) as Histogram).record(value, merge(view, spec, fields)),
    collect: async () => normalize((await reader.collect()).resourceMetrics),
    shutdown: () => provider.shutdown(),
  };
}

/** Default tags a view sends: its overrides, else the root's, else `unknown`. */
function expectedDefaults(root: DefaultTags, overrides: DefaultTags = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of DEFAULT_TAG_KEYS) out[key] = overrides[key] ?? root[key] ?? 'unknown';
  return out;
}

/** Wire spelling of a valid field value, written independently of src/runtime/values.ts. */
function wire(spec: FieldSpec, raw: unknown): string {
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return String(raw);
  if (spec.type === 'int' && typeof raw === 'string' && !spec.values?.includes(raw)) return String(Number(raw));
  return String(raw);
}

// ---------------------------------------------------------------------------------------------
// What is compared: every exported point, timestamps left out.

interface NormalizedPoint {
  scope: string;
  scopeVersion: string | undefined;
  name: string;
  description: string;
  unit: string;
  valueType: number;
  dataPointType: DataPointType;
  temporality: AggregationTemporality;
  monotonic: boolean | undefined;
  attributes: [string, unknown][];
  value?: number;
  histogram?: { count: number; sum: number | undefined; min: number | undefined; max: number | undefined; boundaries: number[]; counts: number[] };
}

function normalize(rm: ResourceMetrics): NormalizedPoint[] {
  const out: NormalizedPoint[] = [];
  for (const scope of rm.scopeMetrics) {
    for (const metric of scope.metrics) {
      // A metric without points would still be on the wire: keep a marker so it is compared too.
      if (metric.dataPoints.length === 0) out.push({ name: metric.descriptor.name, empty: true } as unknown as NormalizedPoint);
      for (const point of metric.dataPoints) {
        const base: NormalizedPoint = {
          scope: scope.scope.name,
          scopeVersion: scope.scope.version,
          name: metric.descriptor.name,
          description: metric.descriptor.description,
          unit: metric.descriptor.unit,
          valueType: metric.descriptor.valueType,
          dataPointType: metric.dataPointType,
          temporality: metric.aggregationTemporality,
          monotonic: 'isMonotonic' in metric ? metric.isMonotonic : undefined,
          attributes: Object.entries(point.attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        };
        if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const h = point.value as { count: number; sum?: number; min?: number; max?: number; buckets: { boundaries: number[]; counts: number[] } };
          out.push({ ...base, histogram: { count: h.count, sum: h.sum, min: h.min, max: h.max, boundaries: [...h.buckets.boundaries], counts: [...h.buckets.counts] } });
        } else {
          out.push({ ...base, value: point.value as number });
        }
      }
    }
  }
  const key = (p: NormalizedPoint) => `${p.name}\u0000${JSON.stringify(p.attributes)}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Random workloads.

type Op =
  | { kind: 'add'; metric: number; view: number; choices: number[]; increment: number | undefined }
  | { kind: 'record'; metric: number; view: number; choices: number[]; value: number }
  | { kind: 'collect' };

/**
 * Small pools of valid values so series repeat. Booleans and ints also come as wire strings
 * (`'true'`, `'7'`): two cache entries of the package for one SDK series. `canonical` leaves those
 * out (one spelling per value).
 */
function pool(spec: FieldSpec, canonical: boolean): readonly unknown[] {
  switch (spec.type) {
    case 'boolean':
      return canonical ? [true, false] : [true, false, 'true'];
    case 'int':
      return canonical ? [0, 200, 404, ...(spec.values ?? [])] : [0, 200, 404, '7', ...(spec.values ?? [])];
    case 'string':
      return spec.values ? spec.values.slice(0, 3) : ['a', 'b.c', 'x/y-1'];
  }
}

/** Deterministic fields from random choices: required fields always, optional ones when chosen. */
function fieldsFor(spec: MetricSpec, choices: number[], canonical = false): Fields {
  const fields: Fields = {};
  const keys = [...spec.required, ...spec.optional];
  keys.forEach((key, i) => {
    const choice = choices[i % choices.length] + i;
    if (i >= spec.required.length && choice % 3 === 0) return; // optional field left out
    const values = pool(spec.fields[key], canonical);
    fields[key] = values[choice % values.length];
  });
  return fields;
}

const SPECS = new Map(METRICS.map((m) => [m.name, m]));
const spec = (name: string): MetricSpec => SPECS.get(name)!;
const COUNTERS = METRICS.filter((m) => m.kind === 'counter').map((m) => m.name);
const HISTOGRAMS = METRICS.filter((m) => m.kind === 'histogram').map((m) => m.name);
// A few representative metrics always take part (optional fields, an int field with a string
// spelling, a field overriding a default tag, no fields at all), plus random catalog metrics.
const REPRESENTATIVE = ['api_request', 'api_request.duration_ms', 'mcp.call', 'windows_sandbox.setup_success', 'turn.token_usage', 'status_line'];

const defaultTagsArb: fc.Arbitrary<DefaultTags> = fc.record(
  {
    auth_mode: fc.constantFrom<NonNullable<DefaultTags['auth_mode']>>('ApiKey', 'Chatgpt', 'unknown'),
    originator: fc.constantFrom('codex_cli_rs', 'codex_vscode', 'codex_exec'),
    session_source: fc.constantFrom('cli', 'vscode', 'subagent_review'),
    model: fc.constantFrom('gpt-5.1-codex', 'o3', 'o4-mini'),
    'app.version': fc.constantFrom('0.64.0', '0.136.0-alpha.1'),
  },
  { requiredKeys: [] },
);

const histogramValueArb = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000 }),
  // Exactly on bucket boundaries, where off-by-one bucketing would show.
  fc.constantFrom(0, 1, 2, 5, 10, 50, 100, 1_000, 30_000, 1_800_000, 1_000_000, 500),
  fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true }),
);

function opsArb(metricCount: number, increments: fc.Arbitrary<number | undefined>): fc.Arbitrary<Op[]> {
  const common = { metric: fc.nat({ max: metricCount - 1 }), view: fc.nat({ max: 1 }), choices: fc.array(fc.nat({ max: 11 }), { minLength: 4, maxLength: 4 }) };
  return fc.array(
    fc.oneof(
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('add' as const), ...common, increment: increments }) },
      { weight: 5, arbitrary: fc.record({ kind: fc.constant('record' as const), ...common, value: histogramValueArb }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'collect' as const }) },
    ),
    { maxLength: 100, size: 'max' },
  );
}

const integerIncrements = fc.oneof(fc.constant(undefined), fc.nat({ max: 10 }), fc.integer({ min: 0, max: 1_000_000_000 }));

const scenarioArb = (increments: fc.Arbitrary<number | undefined>) =>
  fc
    .record({
      defaults: defaultTagsArb,
      viewDefaults: defaultTagsArb,
      counters: fc.subarray(COUNTERS, { minLength: 1, maxLength: 3 }),
      histograms: fc.subarray(HISTOGRAMS, { minLength: 1, maxLength: 3 }),
      // Mostly the default limit; sometimes a tiny one, so the overflow series is exercised too.
      cardinalityLimit: fc.oneof({ weight: 3, arbitrary: fc.constant(2000) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 6 }) }),
    })
    .chain((s) => {
      const counters = [...COUNTERS.filter((m) => REPRESENTATIVE.includes(m)), ...s.counters];
      const histograms = [...HISTOGRAMS.filter((m) => REPRESENTATIVE.includes(m)), ...s.histograms];
      return fc.record({
        setup: fc.constant({ ...s, counters, histograms }),
        ops: opsArb(Math.max(counters.length, histograms.length), increments),
      });
    });

interface Scenario {
  /** Metric names; ops pick among them by index. */
  setup: Setup & { counters: string[]; histograms: string[]; canonical?: boolean };
  ops: Op[];
}

/** Runs the workload through every sink; returns each sink's collections, in order. */
async function play(scenario: Scenario, sinks: Sink[]): Promise<NormalizedPoint[][][]> {
  const { setup, ops } = scenario;
  const collections: NormalizedPoint[][][] = sinks.map(() => []);
  const collectAll = async () => {
    for (let i = 0; i < sinks.length; i++) collections[i].push(await sinks[i].collect());
  };
  try {
    for (const op of ops) {
      if (op.kind === 'collect') {
        await collectAll();
      } else if (op.kind === 'add') {
        const metric = spec(setup.counters[op.metric % setup.counters.length]);
        // Every sink gets its own fields object, as separate call sites would pass.
        for (const sink of sinks) sink.add(op.view, metric, fieldsFor(metric, op.choices, setup.canonical), op.increment);
      } else {
        const metric = spec(setup.histograms[op.metric % setup.histograms.length]);
        for (const sink of sinks) sink.record(op.view, metric, op.value, fieldsFor(metric, op.choices, setup.canonical));
      }
    }
    await collectAll();
  } finally {
    for (const sink of sinks) await sink.shutdown();
  }
  return collections;
}

const TEMPORALITIES = [
  ['cumulative', AggregationTemporality.CUMULATIVE],
  ['delta', AggregationTemporality.DELTA],
] as const;

describe.each(TEMPORALITIES)('fast path equivalence (%s)', (_name, temporality) => {
  it(`aggregateInPackage true/false and the plain SDK export identical data (${RUNS} random workloads)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(integerIncrements), async (scenario) => {
        const setup = { ...scenario.setup, temporality };
        const [aggregated, direct, histograms, plain] = await play({ ...scenario, setup }, [
          packageSink(setup, true),
          packageSink(setup, false),
          packageSink(setup, true, true),
          plainSdkSink(setup),
        ]);
        expect(direct).toEqual(plain);
        expect(aggregated).toEqual(plain);
        expect(histograms).toEqual(plain);
        // Guard against a vacuous pass: the last collection holds what the workload recorded.
        const recorded = scenario.ops.some((op) => op.kind !== 'collect');
        if (recorded && temporality === AggregationTemporality.CUMULATIVE) expect(plain.at(-1)!.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('non-integer increments agree up to floating-point summation order', async () => {
    // The interval's first increment goes to the SDK at call time, the sum of the others at the
    // collection: (a + (b + c)) instead of ((a + b) + c), so only the last bits may differ.
    await fc.assert(
      fc.asyncProperty(scenarioArb(fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })), async (scenario) => {
        const setup = { ...scenario.setup, temporality, canonical: true, cardinalityLimit: 2000 };
        const [aggregated, plain] = await play({ ...scenario, setup }, [packageSink(setup, true), plainSdkSink(setup)]);
        const roundValues = (data: unknown) =>
          JSON.parse(JSON.stringify(data), (key, v) => (key === 'value' && typeof v === 'number' ? Number(v.toPrecision(12)) : v));
        expect(roundValues(aggregated)).toEqual(roundValues(plain));
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------

const DEFAULTS: DefaultTags = { auth_mode: 'ApiKey', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' };
const API = spec('api_request');
const API_MS = spec('api_request.duration_ms');

function setupFor(temporality: AggregationTemporality, extra: Partial<Setup> = {}): Setup {
  return { temporality, defaults: DEFAULTS, viewDefaults: {}, ...extra };
}

describe.each(TEMPORALITIES)('many histogram values between collections (%s)', (_name, temporality) => {
  it('loses nothing with more than 1024 values per series between collections', async () => {
    const setup = setupFor(temporality);
    const sinks = [packageSink(setup, true), packageSink(setup, false), plainSdkSink(setup), packageSink(setup, true, true)];
    const fields = [
      { status: 200, success: true },
      { status: 500, success: false },
    ];
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    for (const round of [5000, 1025, 1024, 3]) {
      for (let i = 0; i < round; i++) {
        // Fractional values: sums only agree if the values are replayed in the same order.
        const value = ((i * 7919) % 40_000) / 3;
        for (const sink of sinks) sink.record(0, API_MS, value, fields[i % 7 === 0 ? 1 : 0]);
      }
      for (let s = 0; s < sinks.length; s++) collections[s].push(await sinks[s].collect());
    }
    for (const sink of sinks) await sink.shutdown();
    expect(collections[0]).toEqual(collections[2]);
    expect(collections[1]).toEqual(collections[2]);
    expect(collections[3]).toEqual(collections[2]);
    const counts = collections[0].map((c) => c.reduce((n, p) => n + p.histogram!.count, 0));
    expect(counts).toEqual(temporality === AggregationTemporality.DELTA ? [5000, 1025, 1024, 3] : [5000, 6025, 7049, 7052]);
  });

  it('6000 fractional values over 100 series in one interval export exactly as the plain SDK', async () => {
    const setup = setupFor(temporality);
    const sinks = [packageSink(setup, true), plainSdkSink(setup)];
    for (let round = 0; round < 2; round++) {
      // 100 series x 60 fractional values: 6000 values, past the total bound within one interval.
      for (let i = 0; i < 60; i++) for (let k = 0; k < 100; k++) for (const sink of sinks) sink.record(0, API_MS, (i * 7 + k) / 3, seriesFields(k));
    }
    const [a, p] = [await sinks[0].collect(), await sinks[1].collect()];
    for (const sink of sinks) await sink.shutdown();
    expect(a).toEqual(p);
    expect(a.reduce((n, x) => n + x.histogram!.count, 0)).toBe(12_000);
  });

  it('loses nothing when no collection happens for a long time', async () => {
    const setup = setupFor(temporality);
    const [aggregated, plain] = [packageSink(setup, true), plainSdkSink(setup)];
    for (let i = 0; i < 50_000; i++) for (const sink of [aggregated, plain]) sink.record(0, API_MS, i % 2000, { status: 200, success: true });
    const [a, p] = [await aggregated.collect(), await plain.collect()];
    await aggregated.shutdown();
    await plain.shutdown();
    expect(a).toEqual(p);
    expect(a[0].histogram!.count).toBe(50_000);
  });
});

// ---------------------------------------------------------------------------------------------

/** Series `k` of api_request: status 100+k. */
const seriesFields = (k: number) => ({ status: 100 + k, success: true });
const keptStatuses = (points: NormalizedPoint[]) =>
  points
    .filter((p) => !p.attributes.some(([k]) => k === 'otel.metric.overflow'))
    .map((p) => Object.fromEntries(p.attributes).status)
    .sort();

describe('cardinality overflow', () => {
  it('folds series beyond the SDK limit into otel.metric.overflow=true exactly as the plain SDK does', async () => {
    for (const [, temporality] of TEMPORALITIES) {
      const setup = setupFor(temporality, { cardinalityLimit: 10 });
      const sinks = [packageSink(setup, true), packageSink(setup, false), plainSdkSink(setup), packageSink(setup, true, true)];
      const collections: NormalizedPoint[][][] = sinks.map(() => []);
      for (const round of [0, 1]) {
        for (let k = 0; k < 25; k++) {
          for (const sink of sinks) {
            sink.add(0, API, seriesFields(k + round * 5), k + 1);
            sink.record(0, API_MS, k * 10, seriesFields(k + round * 5));
          }
        }
        for (let s = 0; s < sinks.length; s++) collections[s].push(await sinks[s].collect());
      }
      for (const sink of sinks) await sink.shutdown();
      expect(collections[0]).toEqual(collections[2]);
      expect(collections[1]).toEqual(collections[2]);
      expect(collections[3]).toEqual(collections[2]);

      const first = collections[0][0].filter((p) => p.name === 'codex.api_request');
      const overflow = first.filter((p) => p.attributes.some(([k, v]) => k === 'otel.metric.overflow' && v === true));
      expect(first).toHaveLength(10); // limit - 1 individual series + the overflow series
      expect(overflow).toHaveLength(1);
      expect(overflow[0].attributes).toEqual([['otel.metric.overflow', true]]); // no default tags on it
      expect(overflow[0].value).toBe(Array.from({ length: 16 }, (_, i) => i + 10).reduce((a, b) => a + b, 0));
      expect(first.reduce((s, p) => s + p.value!, 0)).toBe((25 * 26) / 2); // nothing lost
    }
  });

  it('beyond maxSeriesPerMetric, totals are preserved and the overflow series appears', async () => {
    const setup = setupFor(AggregationTemporality.CUMULATIVE, { cardinalityLimit: 5, maxSeriesPerMetric: 3 });
    const sinks = [packageSink(setup, true), plainSdkSink(setup)];
    for (let k = 0; k < 8; k++) for (const sink of sinks) sink.add(0, API, seriesFields(k), 1);
    const [pkg, plain] = [await sinks[0].collect(), await sinks[1].collect()];
    for (const sink of sinks) await sink.shutdown();
    for (const points of [pkg, plain]) {
      expect(points).toHaveLength(5);
      expect(points.reduce((s, p) => s + p.value!, 0)).toBe(8);
      expect(points.filter((p) => p.attributes.some(([k]) => k === 'otel.metric.overflow'))).toHaveLength(1);
    }
  });

  // Under cardinality overflow, which series stay individual depends on the order in which series
  // first reach the SDK: the package hands every series' first measurement over at call time.
  it('beyond maxSeriesPerMetric the package and the SDK keep the same first-seen series', async () => {
    const setup = setupFor(AggregationTemporality.CUMULATIVE, { cardinalityLimit: 5, maxSeriesPerMetric: 3 });
    const sinks = [packageSink(setup, true), plainSdkSink(setup)];
    for (let k = 0; k < 8; k++) for (const sink of sinks) sink.add(0, API, seriesFields(k), 1);
    const [pkg, plain] = [await sinks[0].collect(), await sinks[1].collect()];
    for (const sink of sinks) await sink.shutdown();
    // Both: 100..103 individual, the rest in the overflow series.
    expect(keptStatuses(pkg)).toEqual(keptStatuses(plain));
  });

  it('a busy histogram series does not jump the queue under overflow', async () => {
    const setup = setupFor(AggregationTemporality.CUMULATIVE, { cardinalityLimit: 3 });
    const sinks = [packageSink(setup, true), plainSdkSink(setup)];
    for (const sink of sinks) {
      sink.record(0, API_MS, 1, seriesFields(0));
      sink.record(0, API_MS, 1, seriesFields(1));
      for (let i = 0; i < 1024; i++) sink.record(0, API_MS, 1, seriesFields(2));
    }
    const [pkg, plain] = [await sinks[0].collect(), await sinks[1].collect()];
    for (const sink of sinks) await sink.shutdown();
    // Both: 100, 101 individual, 102 in the overflow series.
    expect(keptStatuses(pkg)).toEqual(keptStatuses(plain));
  });
});

describe('timestamps', () => {
  it('the first point of a new series starts when it was first recorded, not at the collection', async () => {
    const reader = new ManualReader(AggregationTemporality.DELTA);
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: provider });
    metrics.add('api_request', { status: 200, success: true });
    await new Promise((resolve) => setTimeout(resolve, 40));
    const { resourceMetrics } = await reader.collect();
    await provider.shutdown();
    const point = resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0];
    const ms = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    // The series starts at its first measurement, as with the plain SDK, not at the collection.
    expect(ms(point.endTime) - ms(point.startTime)).toBeGreaterThanOrEqual(35);
  });
});

describe.each(TEMPORALITIES)('in-package histograms past maxSeriesPerMetric (%s)', (_name, temporality) => {
  it('uncached series (a handle per call) and the overflow series match the plain SDK', async () => {
    const setup = setupFor(temporality, { cardinalityLimit: 6, maxSeriesPerMetric: 3 });
    const sinks = [packageSink(setup, true, true), plainSdkSink(setup)];
    const collections: NormalizedPoint[][][] = [[], []];
    for (const round of [0, 1]) {
      for (let k = 0; k < 10; k++) for (let i = 0; i <= k; i++) for (const sink of sinks) sink.record(0, API_MS, k * 3 + i + round, seriesFields(k));
      for (let s = 0; s < sinks.length; s++) collections[s].push(await sinks[s].collect());
    }
    for (const sink of sinks) await sink.shutdown();
    expect(collections[0]).toEqual(collections[1]);
    expect(collections[0][0].some((p) => p.attributes.some(([k]) => k === 'otel.metric.overflow'))).toBe(true);
  });

  it('a custom exporter decides the histogram temporality of startCodexMetrics', async () => {
    const exporter = new InMemoryMetricExporter(temporality);
    const session = startCodexMetrics({ defaults: DEFAULTS, exporter, exportIntervalMillis: 60_000 });
    session.metrics.add('api_request', { status: 200, success: true });
    session.metrics.record('api_request.duration_ms', 5, { status: 200, success: true });
    await session.shutdown();
    const metrics = exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
    expect(new Set(metrics.map((m) => m.aggregationTemporality))).toEqual(new Set([temporality]));
    expect(metrics.map((m) => m.descriptor.name).sort()).toEqual(['codex.api_request', 'codex.api_request.duration_ms']);
  });
});

describe.each(TEMPORALITIES)('in-package histogram timestamps (%s)', (name, temporality) => {
  it('start and end times follow the SDK: first record, collection, delta calibration', async () => {
    const storage = new HistogramStorage({ temporality: name });
    const readers = [new ManualReader(temporality, 2000, [histogramProducer(storage)]), new ManualReader(temporality)];
    const providers = readers.map((reader) => new MeterProvider({ readers: [reader] }));
    const pkg = createCodexMetrics({ defaults: DEFAULTS, meterProvider: providers[0], histogramStorage: storage });
    const plain = providers[1].getMeter('codex').createHistogram('codex.api_request.duration_ms');
    const attributes = { ...expectedDefaults(DEFAULTS), status: '200', success: 'true' };
    const ms = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    const spans: [number, number][][] = [[], []];
    for (let round = 0; round < 2; round++) {
      pkg.record('api_request.duration_ms', 5, { status: 200, success: true });
      plain.record(5, attributes);
      await new Promise((resolve) => setTimeout(resolve, 30));
      for (let r = 0; r < 2; r++) {
        const { resourceMetrics } = await readers[r].collect();
        const point = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((m) => m.descriptor.name === 'codex.api_request.duration_ms')!.dataPoints[0];
        spans[r].push([ms(point.startTime as [number, number]), ms(point.endTime as [number, number])]);
      }
    }
    for (const provider of providers) await provider.shutdown();
    for (const [start, end] of [...spans[0], ...spans[1]]) expect(end - start).toBeGreaterThanOrEqual(25);
    // Cumulative keeps the first start; delta starts where the previous report ended.
    for (const s of spans) expect(s[1][0]).toBe(temporality === AggregationTemporality.CUMULATIVE ? s[0][0] : s[0][1]);
  });
});

describe('documented limit of in-package counter sums', () => {
  it('two spellings of one value are two package series: float sums may then differ in the last bits', async () => {
    const setup = setupFor(AggregationTemporality.CUMULATIVE);
    const [pkg, plain] = [packageSink(setup, true), plainSdkSink(setup)];
    for (const sink of [pkg, plain]) {
      sink.add(0, API, { status: 200, success: true }, 0.1); // first of its series: straight to the SDK
      sink.add(0, API, { status: 200, success: true }, 1.1); // pending in the package
      sink.add(0, API, { status: '200', success: true }, 0.1); // another package series: straight to the SDK
    }
    const [a, p] = [await pkg.collect(), await plain.collect()];
    await pkg.shutdown();
    await plain.shutdown();
    expect(a[0].attributes).toEqual(p[0].attributes);
    expect(p[0].value).toBe(0.1 + 1.1 + 0.1); // 1.3000000000000003
    expect(a[0].value).toBe(0.1 + 0.1 + 1.1); // 1.3: the pending 1.1 is handed over last
    expect(a[0].value).toBeCloseTo(p[0].value!, 12);
  });
});
