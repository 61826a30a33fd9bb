// The fast path (series cache, in-package aggregation, CodexMetricProducer, lifetime series limits)
// must not change what is exported: random workloads through createCodexMetrics in every set-up and
// through plain SDK instruments with hand-merged attributes must collect to identical data. The
// reference applies the package's documented series limit itself (the first `limit - 1` attribute
// sets of a metric kept for the process lifetime, the rest in `otel.metric.overflow=true`), so
// with the default limit it is the raw SDK. Not timed.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  InMemoryMetricExporter,
  MetricReader,
  PeriodicExportingMetricReader,
  type MetricProducer,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { CodexMetricProducer } from '../../src/runtime/metric-producer.js';
import { startCodexMetrics } from '../../src/export/start.js';
import { bucketsFor } from '../../src/runtime/buckets.js';
import { createCodexMetrics } from '../../src/runtime/codex-metrics.js';
import type { CodexMetrics } from '../../src/runtime/types.js';
import { METRICS, type DefaultTags } from '../../src/generated/catalog.js';
import { DEFAULT_TAG_KEYS, type FieldSpec, type MetricSpec } from '../../src/catalog/spec.js';
import { PACKAGE_VERSION } from '../../src/version.js';

const RUNS = 100;
/** Generous: five sinks per workload on a busy 2-core machine. */
const PROPERTY_TIMEOUT = 300_000;

class ManualReader extends MetricReader {
  constructor(temporality: AggregationTemporality, cardinalityLimit = 2000, metricProducers: MetricProducer[] = []) {
    super({ aggregationTemporalitySelector: () => temporality, cardinalitySelector: () => cardinalityLimit, metricProducers });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

// ---------------------------------------------------------------------------------------------
// Ways to record the same workload.

type Fields = Record<string, unknown>;

interface Sink {
  add(view: number, spec: MetricSpec, fields: Fields, increment: number | undefined): void;
  record(view: number, spec: MetricSpec, value: number, fields: Fields): void;
  collect(): Promise<NormalizedPoint[]>;
  shutdown(): Promise<void>;
  /** The package's metrics object (package sinks only). */
  readonly metrics?: CodexMetrics;
}

interface Setup {
  temporality: AggregationTemporality;
  /** Series per metric (package: maxSeriesPerMetric; SDK readers: cardinalityLimit). */
  cardinalityLimit?: number;
  defaults: DefaultTags;
  viewDefaults: DefaultTags;
}

/**
 * - `producer`: a CodexMetricProducer on a reader the package set up (startCodexMetrics, testing helper);
 * - `host-producer`: the same registered by the host on its PeriodicExportingMetricReader, exported
 *   through an exporter; createCodexMetrics given only the producer;
 * - `aggregate`: a host's MeterProvider, nothing registered: counters summed in the package, SDK instruments;
 * - `direct`: `aggregateInPackage: false`, every measurement an SDK call.
 */
type PackageMode = 'producer' | 'host-producer' | 'aggregate' | 'direct';
const PACKAGE_MODES: readonly PackageMode[] = ['producer', 'host-producer', 'aggregate', 'direct'];

const temporalityName = (t: AggregationTemporality) => (t === AggregationTemporality.DELTA ? 'delta' : 'cumulative');

/** createCodexMetrics in one of its set-ups; view 1 is a `withDefaults` view. */
function packageSink(setup: Setup, mode: PackageMode): Sink {
  const limit = setup.cardinalityLimit ?? 2000;
  const producer = mode === 'producer' || mode === 'host-producer' ? new CodexMetricProducer({ temporality: temporalityName(setup.temporality) }) : undefined;
  let collectNow: () => Promise<ResourceMetrics | undefined>;
  let provider: MeterProvider;
  if (mode === 'host-producer') {
    const exporter = new InMemoryMetricExporter(setup.temporality);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, metricProducers: [producer!] });
    provider = new MeterProvider({ readers: [reader] });
    collectNow = async () => {
      exporter.reset();
      await reader.forceFlush();
      return exporter.getMetrics().at(-1);
    };
  } else {
    // The SDK counts the package's overflow series as one of its own: a reader limit above the
    // package's keeps it from folding series itself (docs/performance.md, Cardinality).
    const reader = new ManualReader(setup.temporality, limit + 1, producer ? [producer] : []);
    provider = new MeterProvider({ readers: [reader] });
    collectNow = async () => (await reader.collect()).resourceMetrics;
  }
  const root = createCodexMetrics({
    defaults: setup.defaults,
    ...(mode === 'host-producer' ? {} : { meterProvider: provider }),
    ...(producer ? { metricProducer: producer } : { aggregateInPackage: mode === 'aggregate' }),
    strict: true,
    maxSeriesPerMetric: limit,
  });
  const views: CodexMetrics[] = [root, root.withDefaults(setup.viewDefaults)];
  type Loose = { add(n: string, f: Fields, i?: number): void; record(n: string, v: number, f: Fields): void };
  return {
    metrics: root,
    add: (view, spec, fields, increment) => (views[view] as unknown as Loose).add(spec.name, fields, increment),
    record: (view, spec, value, fields) => (views[view] as unknown as Loose).record(spec.name, value, fields),
    collect: async () => {
      const rm = await collectNow();
      return rm ? normalize(rm) : [];
    },
    shutdown: () => provider.shutdown(),
  };
}

const OVERFLOW: Attributes = { 'otel.metric.overflow': true };

/**
 * The reference: plain SDK instruments, same names, units, descriptions, advice boundaries;
 * attributes merged by hand; the series limit applied by hand for the process lifetime.
 */
function plainSdkSink(setup: Setup): Sink {
  const limit = setup.cardinalityLimit ?? 2000;
  const reader = new ManualReader(setup.temporality, limit + 1);
  const provider = new MeterProvider({ readers: [reader] });
  const meter: Meter = provider.getMeter('codex', PACKAGE_VERSION);
  const instruments = new Map<string, Counter | Histogram>();
  const seen = new Map<string, Set<string>>();
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
    const key = JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
    let set = seen.get(spec.name);
    if (!set) seen.set(spec.name, (set = new Set()));
    if (set.has(key)) return attributes;
    if (set.size >= limit - 1) return OVERFLOW;
    set.add(key);
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
  // Each point's sort key computed once (100,000-point collections are compared too).
  const keyed = out.map((p) => [`${p.name}\u0000${JSON.stringify(p.attributes)}`, p] as const);
  keyed.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return keyed.map(([, p]) => p);
}

// ---------------------------------------------------------------------------------------------
// Random workloads.

type Op =
  | { kind: 'add'; metric: number; view: number; choices: number[]; increment: number | undefined }
  | { kind: 'record'; metric: number; view: number; choices: number[]; value: number }
  | { kind: 'collect' };

/**
 * Small pools of valid values so series repeat. Booleans and ints also come as wire strings
 * (`'true'`, `'7'`) and ints as -0: two cache entries of the package for one SDK series (-0: one). `canonical` leaves those
 * out (one spelling per value).
 */
function pool(spec: FieldSpec, canonical: boolean): readonly unknown[] {
  switch (spec.type) {
    case 'boolean':
      return canonical ? [true, false] : [true, false, 'true'];
    case 'int':
      // Dense (200-202) and sparse (0, 404) integers: the cache's integer array and its Map; -0 is 0.
      return canonical ? [0, 200, 201, 202, 404, ...(spec.values ?? [])] : [0, -0, 200, 201, 202, 404, '7', ...(spec.values ?? [])];
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
      // Mostly the default limit (the reference is then the raw SDK); sometimes a tiny one, so the
      // lifetime limit and its overflow series are exercised across intervals too.
      cardinalityLimit: fc.oneof({ weight: 3, arbitrary: fc.constant(2000) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 6 }) }),
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
  it(`every set-up exports the reference's data (${RUNS} random workloads, integer increments)`, { timeout: PROPERTY_TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(integerIncrements), async (scenario) => {
        const setup = { ...scenario.setup, temporality };
        const [reference, ...packages] = await play({ ...scenario, setup }, [plainSdkSink(setup), ...PACKAGE_MODES.map((mode) => packageSink(setup, mode))]);
        packages.forEach((collections, i) => expect(collections, PACKAGE_MODES[i]).toEqual(reference));
        // Guard against a vacuous pass: the last collection holds what the workload recorded.
        const recorded = scenario.ops.some((op) => op.kind !== 'collect');
        if (recorded && temporality === AggregationTemporality.CUMULATIVE) expect(reference.at(-1)!.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it('non-integer increments: the producer and direct set-ups are bit-identical, the SDK-path sums agree up to summation order', { timeout: PROPERTY_TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true })), async (scenario) => {
        const setup = { ...scenario.setup, temporality, canonical: true };
        const [reference, producer, hostProducer, direct, aggregated] = await play({ ...scenario, setup }, [
          plainSdkSink(setup),
          packageSink(setup, 'producer'),
          packageSink(setup, 'host-producer'),
          packageSink(setup, 'direct'),
          packageSink(setup, 'aggregate'),
        ]);
        expect(producer).toEqual(reference);
        expect(hostProducer).toEqual(reference);
        expect(direct).toEqual(reference);
        // On the SDK path the interval's first increment goes to the SDK at call time, the sum of the
        // others at the collection: (a + (b + c)) instead of ((a + b) + c).
        const roundValues = (data: unknown) =>
          JSON.parse(JSON.stringify(data), (key, v) => (key === 'value' && typeof v === 'number' ? Number(v.toPrecision(12)) : v));
        expect(roundValues(aggregated)).toEqual(roundValues(reference));
      }),
      { numRuns: 60 },
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

const allSinks = (setup: Setup) => [plainSdkSink(setup), ...PACKAGE_MODES.map((mode) => packageSink(setup, mode))];

async function collectAll(sinks: Sink[], into: NormalizedPoint[][][]): Promise<void> {
  for (let s = 0; s < sinks.length; s++) into[s].push(await sinks[s].collect());
}

function expectAllEqual(collections: NormalizedPoint[][][]): void {
  const [reference, ...packages] = collections;
  packages.forEach((c, i) => expect(c, PACKAGE_MODES[i]).toEqual(reference));
}

describe.each(TEMPORALITIES)('many histogram values between collections (%s)', (_name, temporality) => {
  it('loses nothing with more than 1024 values per series between collections', async () => {
    const sinks = allSinks(setupFor(temporality));
    const fields = [
      { status: 200, success: true },
      { status: 500, success: false },
    ];
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    for (const round of [5000, 1025, 1024, 3]) {
      for (let i = 0; i < round; i++) {
        // Fractional values: sums only agree if the values are added in the same order.
        const value = ((i * 7919) % 40_000) / 3;
        for (const sink of sinks) sink.record(0, API_MS, value, fields[i % 7 === 0 ? 1 : 0]);
      }
      await collectAll(sinks, collections);
    }
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);
    const counts = collections[0].map((c) => c.reduce((n, p) => n + p.histogram!.count, 0));
    expect(counts).toEqual(temporality === AggregationTemporality.DELTA ? [5000, 1025, 1024, 3] : [5000, 6025, 7049, 7052]);
  });

  it('6000 fractional values over 100 series in one interval export exactly as the plain SDK', async () => {
    const sinks = allSinks(setupFor(temporality));
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 60; i++) for (let k = 0; k < 100; k++) for (const sink of sinks) sink.record(0, API_MS, (i * 7 + k) / 3, seriesFields(k));
    }
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    await collectAll(sinks, collections);
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);
    expect(collections[0][0].reduce((n, x) => n + x.histogram!.count, 0)).toBe(12_000);
  });

  it('loses nothing when no collection happens for a long time', async () => {
    const sinks = allSinks(setupFor(temporality));
    for (let i = 0; i < 50_000; i++) for (const sink of sinks) sink.record(0, API_MS, i % 2000, { status: 200, success: true });
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    await collectAll(sinks, collections);
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);
    expect(collections[0][0][0].histogram!.count).toBe(50_000);
  });
});

// ---------------------------------------------------------------------------------------------

/** Series `k` of api_request: status 100+k. */
const seriesFields = (k: number) => ({ status: 100 + k, success: true });
const isOverflow = (p: NormalizedPoint) => p.attributes.some(([k]) => k === 'otel.metric.overflow');
const keptStatuses = (points: NormalizedPoint[]) =>
  points
    .filter((p) => !isOverflow(p))
    .map((p) => Object.fromEntries(p.attributes).status)
    .sort();

describe.each(TEMPORALITIES)('series limit for the process lifetime (%s)', (_name, temporality) => {
  it('keeps the first limit - 1 series of every interval after the first, the rest in the overflow series', async () => {
    const setup = setupFor(temporality, { cardinalityLimit: 10 });
    const sinks = allSinks(setup);
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    // Every interval brings 25 series, 5 of them new: the raw SDK (per-interval limit) would admit
    // new series each interval; the package never exports more than the limit.
    for (const round of [0, 1, 2]) {
      for (let k = 0; k < 25; k++) {
        for (const sink of sinks) {
          sink.add(0, API, seriesFields(k + round * 5), k + 1);
          sink.record(0, API_MS, k * 10, seriesFields(k + round * 5));
        }
      }
      await collectAll(sinks, collections);
    }
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);

    const cumulative = temporality === AggregationTemporality.CUMULATIVE;
    for (const collection of collections[1]) {
      const counter = collection.filter((p) => p.name === 'codex.api_request');
      const overflow = counter.filter(isOverflow);
      expect(overflow).toHaveLength(1);
      expect(overflow[0].attributes).toEqual([['otel.metric.overflow', true]]); // no default tags on it
      // Never more than the limit; the individual series are the first 9 seen, in every interval.
      expect(counter.length).toBeLessThanOrEqual(10);
      for (const status of keptStatuses(counter)) expect(Number(status)).toBeLessThan(109);
      if (cumulative) expect(counter).toHaveLength(10);
    }
    // Delta: round 1 brings series 5..29, of which 5..8 are kept; round 2 (10..34) only the overflow series.
    if (!cumulative) expect(collections[1].map((c) => keptStatuses(c.filter((p) => p.name === 'codex.api_request')).length)).toEqual([9, 4, 0]);
    const last = collections[1].at(-1)!.filter((p) => p.name === 'codex.api_request');
    const recordedPerRound = (25 * 26) / 2;
    expect(last.reduce((s, p) => s + p.value!, 0)).toBe(cumulative ? 3 * recordedPerRound : recordedPerRound); // nothing lost
    // Every measurement past the limit is counted: rounds 0, 1, 2 overflow 16, 21 and 25 of 25 series, for both metrics.
    expect(sinks[1].metrics!.stats().sanitized.series_limit).toBe((16 + 21 + 25) * 2);
  });

  it('a busy histogram series does not jump the queue', async () => {
    const sinks = allSinks(setupFor(temporality, { cardinalityLimit: 3 }));
    for (const sink of sinks) {
      sink.record(0, API_MS, 1, seriesFields(0));
      sink.record(0, API_MS, 1, seriesFields(1));
      for (let i = 0; i < 1024; i++) sink.record(0, API_MS, 1, seriesFields(2));
    }
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    await collectAll(sinks, collections);
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);
    expect(keptStatuses(collections[0][0])).toEqual(['100', '101']);
  });

  it('one series (limit 1): everything in the overflow series', async () => {
    const sinks = allSinks(setupFor(temporality, { cardinalityLimit: 1 }));
    for (let k = 0; k < 5; k++) for (const sink of sinks) sink.add(0, API, seriesFields(k), 2);
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    await collectAll(sinks, collections);
    for (const sink of sinks) await sink.shutdown();
    expectAllEqual(collections);
    expect(collections[0][0].map((p) => [p.attributes, p.value])).toEqual([[[['otel.metric.overflow', true]], 10]]);
  });
});

/** Name, attributes and value of every point, keyed for a cheap comparison of very large collections. */
function digest(points: NormalizedPoint[]): Map<string, string> {
  return new Map(points.map((p) => [`${p.name} ${JSON.stringify(p.attributes)}`, JSON.stringify([p.temporality, p.value ?? p.histogram])]));
}

function expectSameDigest(actual: NormalizedPoint[], expected: NormalizedPoint[], label: string): void {
  const [a, e] = [digest(actual), digest(expected)];
  expect(a.size, label).toBe(e.size);
  for (const [key, value] of e) if (a.get(key) !== value) expect(`${key} ${a.get(key)}`, label).toBe(`${key} ${value}`);
}

describe.each(TEMPORALITIES)('100,000 series (%s)', (_name, temporality) => {
  it('60,000 counter and 40,000 histogram series through the producer export the raw SDK data', { timeout: PROPERTY_TIMEOUT }, async () => {
    const [COUNTER_SERIES, HISTOGRAM_SERIES] = [60_000, 40_000];
    const setup = setupFor(temporality, { cardinalityLimit: 2 * COUNTER_SERIES });
    const sinks = [plainSdkSink(setup), packageSink(setup, 'producer')];
    // tool.call: one string field, so distinct tool names are distinct series.
    const TOOL = spec('tool.call');
    const TOOL_MS = spec('tool.call.duration_ms');
    const fields = (k: number) => ({ tool: `t${k}`, success: (k & 1) === 0 });
    const collections: NormalizedPoint[][][] = sinks.map(() => []);
    // A second interval touches a tenth of the series again.
    for (const fraction of [1, 10]) {
      for (const sink of sinks) {
        for (let k = 0; k < COUNTER_SERIES / fraction; k++) sink.add(0, TOOL, fields(k), 1 + (k % 3));
        for (let k = 0; k < HISTOGRAM_SERIES / fraction; k++) sink.record(0, TOOL_MS, (k * 37) % 100_000, fields(k));
      }
      await collectAll(sinks, collections);
    }
    for (const sink of sinks) await sink.shutdown();
    for (let round = 0; round < 2; round++) {
      const reference = collections[0][round];
      const divisor = round === 0 || temporality === AggregationTemporality.CUMULATIVE ? 1 : 10;
      expect(reference).toHaveLength((COUNTER_SERIES + HISTOGRAM_SERIES) / divisor);
      expectSameDigest(collections[1][round], reference, `producer, collection ${round}`);
    }
  });
});

describe.each(TEMPORALITIES)('timestamps (%s)', (name, temporality) => {
  it('start and end times follow the SDK for counters and histograms: first record, collection, delta calibration', async () => {
    const producer = new CodexMetricProducer({ temporality: name });
    const readers = [new ManualReader(temporality, 2000, [producer]), new ManualReader(temporality), new ManualReader(temporality)];
    const providers = readers.map((reader) => new MeterProvider({ readers: [reader] }));
    const viaProducer = createCodexMetrics({ defaults: DEFAULTS, meterProvider: providers[0], metricProducer: producer });
    const viaSdk = createCodexMetrics({ defaults: DEFAULTS, meterProvider: providers[1] });
    const meter = providers[2].getMeter('codex');
    const plain = { counter: meter.createCounter('codex.api_request'), histogram: meter.createHistogram('codex.api_request.duration_ms') };
    const attributes = { ...expectedDefaults(DEFAULTS), status: '200', success: 'true' };
    const ms = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    const spans: Record<string, [number, number][]>[] = [{}, {}, {}];
    for (let round = 0; round < 2; round++) {
      for (const m of [viaProducer, viaSdk]) {
        m.add('api_request', { status: 200, success: true });
        m.record('api_request.duration_ms', 5, { status: 200, success: true });
      }
      plain.counter.add(1, attributes);
      plain.histogram.record(5, attributes);
      await new Promise((resolve) => setTimeout(resolve, 30));
      for (let r = 0; r < readers.length; r++) {
        const { resourceMetrics } = await readers[r].collect();
        for (const metric of resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics)) {
          const point = metric.dataPoints[0];
          (spans[r][metric.descriptor.name] ??= []).push([ms(point.startTime as [number, number]), ms(point.endTime as [number, number])]);
        }
      }
    }
    for (const provider of providers) await provider.shutdown();
    for (const perReader of spans) {
      expect(Object.keys(perReader).sort()).toEqual(['codex.api_request', 'codex.api_request.duration_ms']);
      for (const s of Object.values(perReader)) {
        for (const [start, end] of s) expect(end - start).toBeGreaterThanOrEqual(25); // starts at the first record
        // Cumulative keeps the first start; delta starts where the previous report ended.
        expect(s[1][0]).toBe(temporality === AggregationTemporality.CUMULATIVE ? s[0][0] : s[0][1]);
      }
    }
  });

  it('a series that skips an interval: delta starts again at its next first record, cumulative keeps its start (the producer reads the clock only then)', async () => {
    const producer = new CodexMetricProducer({ temporality: name });
    const readers = [new ManualReader(temporality, 2000, [producer]), new ManualReader(temporality)];
    const providers = readers.map((reader) => new MeterProvider({ readers: [reader] }));
    const metrics = createCodexMetrics({ defaults: DEFAULTS, meterProvider: providers[0], metricProducer: producer });
    const plain = providers[1].getMeter('codex').createCounter('codex.api_request');
    const attributes = { ...expectedDefaults(DEFAULTS), status: '200', success: 'true' };
    const ms = ([s, ns]: [number, number]) => s * 1e3 + ns / 1e6;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
    // Per reader, per collection: [start, end] of the series, or undefined when not exported.
    const spans: ([number, number] | undefined)[][] = [[], []];
    for (const recorded of [true, false, true, true]) {
      await pause();
      if (recorded) {
        metrics.add('api_request', { status: 200, success: true });
        plain.add(1, attributes);
      }
      await pause();
      for (let r = 0; r < readers.length; r++) {
        const { resourceMetrics } = await readers[r].collect();
        const point = resourceMetrics.scopeMetrics.flatMap((sm) => sm.metrics).find((m) => m.descriptor.name === 'codex.api_request')?.dataPoints[0];
        spans[r].push(point && [ms(point.startTime as [number, number]), ms(point.endTime as [number, number])]);
      }
    }
    for (const provider of providers) await provider.shutdown();
    for (const s of spans) {
      const [first, second, third, fourth] = s;
      if (temporality === AggregationTemporality.CUMULATIVE) {
        for (const later of [second, third, fourth]) expect(later![0]).toBe(first![0]);
      } else {
        expect(second).toBeUndefined();
        // The interval without a record: the next one starts at its record, 30 ms after the previous end at least.
        expect(third![0] - first![1]).toBeGreaterThanOrEqual(55);
        expect(third![1] - third![0]).toBeGreaterThanOrEqual(25);
        expect(fourth![0]).toBe(third![1]); // reported by the previous collection: starts where it ended
      }
    }
  });

  it('a custom exporter decides the temporality of startCodexMetrics', async () => {
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

describe('documented limit of counter sums on the SDK path', () => {
  it('two spellings of one value are two cache entries but one series: float sums may differ in the last bits there only', async () => {
    const setup = setupFor(AggregationTemporality.CUMULATIVE);
    const [plain, producer, aggregated] = [plainSdkSink(setup), packageSink(setup, 'producer'), packageSink(setup, 'aggregate')];
    for (const sink of [plain, producer, aggregated]) {
      sink.add(0, API, { status: 200, success: true }, 0.1); // first of its series: straight to the SDK
      sink.add(0, API, { status: 200, success: true }, 1.1); // pending in the package
      sink.add(0, API, { status: '200', success: true }, 0.1); // the same series, another spelling
    }
    const [p, viaProducer, a] = [await plain.collect(), await producer.collect(), await aggregated.collect()];
    for (const sink of [plain, producer, aggregated]) await sink.shutdown();
    expect(a[0].attributes).toEqual(p[0].attributes);
    expect(p[0].value).toBe(0.1 + 1.1 + 0.1); // 1.3000000000000003
    expect(viaProducer[0].value).toBe(p[0].value); // the producer adds in call order, like the SDK
    expect(a[0].value).toBe(0.1 + (1.1 + 0.1)); // 1.3: the pending 1.2 is handed over at collection
    expect(a[0].value).toBeCloseTo(p[0].value!, 12);
  });
});
