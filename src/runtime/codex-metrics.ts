// createCodexMetrics: validation at the boundary, default tags merged once per series, every series
// bounded for the process lifetime, and a fast path that finds a series' cell from the caller's
// fields without validating again.
//
// Where a measurement goes (one mode per metrics object):
// - producer: aggregated in the package's cells, exported by CodexMetricProducer;
// - aggregate (SDK path, default without a producer): a counter's first increment of each
//   collection interval goes to the SDK at once (the series starts when it would without the
//   package), the rest is summed and handed over once per series at collection; histogram values go
//   to the SDK's histogram during the call;
// - direct (aggregateInPackage: false): every measurement goes to the SDK during the call.
import { diag, type Counter, type Histogram } from '@opentelemetry/api';
import { DEFAULT_PREFIX, type FieldType, type MetricSpec } from '../catalog/spec.js';
import { METRICS, type DefaultTags } from '../generated/catalog.js';
import { genAiSourceOf } from '../genai/mapping.js';
import { resolveGenAi, type GenAiConfig } from '../genai/options.js';
import { bucketsFor, HISTOGRAM_BUCKETS_MODES, type HistogramBucketsMode } from './buckets.js';
import { defaultsKey, normalizeDefaults, type NormalizedDefaults } from './default-tags.js';
import { DropLog, type DropStats } from './drop-log.js';
import { CodexMetricsError, type CodexMetricsErrorCode } from './errors.js';
import { DEFAULT_CARDINALITY_LIMIT, MAX_FINITE, MAX_INTERNED_VIEWS, SERIES_CACHE_BUDGET } from './limits.js';
import { ATTACH, type SeriesSource } from './metric-producer.js';
import {
  accumulate,
  collectSeries,
  COUNTER_AGGREGATION,
  CounterCell,
  histogramAggregation,
  HistogramCell,
  MetricSeries,
  type Aggregation,
  type HistogramValue,
  type CollectedMetric,
  type CollectionClock,
  type Temporality,
} from './metric-series.js';
import { GenAiTee, type TeeHost } from './genai-tee.js';
import { SdkInstruments } from './sdk-instruments.js';
import { compileFind, insert, isCacheKey, type CacheRoot, type FindCell } from './series-cache.js';
import type { CodexMetrics, CodexMetricsOptions, StopTimer } from './types.js';
import { displayName, formatValue, METRIC_NAME, ownString } from './values.js';

export { METER_NAME } from './sdk-instruments.js';
/** Series per metric for the process lifetime by default (the overflow series included). */
export const DEFAULT_MAX_SERIES = DEFAULT_CARDINALITY_LIMIT;

const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Catalog metrics by name, with their position (built once, at the first createCodexMetrics). */
let catalogIndex: Map<unknown, number> | undefined;
const indexOf = (name: unknown): number | undefined => (catalogIndex ??= new Map(METRICS.map((spec, i) => [spec.name, i]))).get(name);

/**
 * Series-cache lookups compiled once per process and field signature (names and types in order):
 * every metrics object and view, and metrics with the same fields (`api_request` and its duration),
 * call the same function, so that call stays monomorphic (and inlined) in add/record.
 */
const compiledFinds = new Map<string, FindCell>();
const findFor = (keys: readonly string[], types: readonly FieldType[]): FindCell => {
  const signature = keys.map((k, i) => `${k}:${types[i]}`).join(',');
  let find = compiledFinds.get(signature);
  if (find === undefined) compiledFinds.set(signature, (find = compileFind(keys, types)));
  return find;
};

const enum Mode {
  Producer,
  Aggregate,
  Direct,
}

/** Everything about one metric that does not depend on the view (created at the metric's first use). */
interface MetricState {
  /** Position in the catalog: the index of the views' caches (-1 for a GenAI metric, which has none). */
  readonly index: number;
  readonly spec: MetricSpec;
  readonly histogram: boolean;
  /** Emitted name (prefix included). */
  readonly wireName: string;
  /** Documented fields in a fixed order: the path through the series cache. */
  readonly keys: readonly string[];
  /** Per key: its type (the kind of its level in the series cache). */
  readonly types: readonly FieldType[];
  readonly known: ReadonlySet<string>;
  /** Compiled at the first cache entry of the metric (a root exists only after that). */
  find: FindCell | undefined;
  readonly boundaries: number[];
  /** Histograms aggregated in the package: how a series becomes a point. */
  readonly histogramAggregation: Aggregation<HistogramCell, HistogramValue> | undefined;
  readonly counters: MetricSeries<CounterCell> | undefined;
  readonly histograms: MetricSeries<HistogramCell> | undefined;
  /** SDK path: the instrument, created with the metric's first series. */
  sdkCounter: Counter | undefined;
  sdkHistogram: Histogram | undefined;
  /** GenAI view on: the tee of a source metric (src/genai/mapping.ts); undefined for every other metric. */
  readonly genAi: GenAiTee<MetricState> | undefined;
}

/** State shared by a metrics object and all its `withDefaults` views. */
class Shared implements SeriesSource, TeeHost<MetricState> {
  readonly prefix: string;
  readonly strict: boolean;
  readonly foldSessionSource: boolean;
  readonly mode: Mode;
  readonly limit: number;
  readonly log = new DropLog();
  /** Set by the session's shutdown(): measurements are then dropped and counted (nothing would export them). */
  closed = false;
  private saidClosed = false;
  /** The metrics used so far, in order of first use. */
  readonly states: MetricState[] = [];
  private readonly byName = new Map<unknown, MetricState>();
  private readonly buckets: HistogramBucketsMode;
  readonly sdk: SdkInstruments | undefined;
  /** Interned views, least recently requested first. */
  readonly views = new Map<string, View>();
  /** Views holding cache entries, and how many entries they hold together. */
  private readonly caching = new Set<View>();
  private cacheEntries = 0;
  private readonly cacheBudget: number;
  /** The GenAI view's settings (undefined: off) and its metrics' states, created at first use. */
  private readonly genAiConfig: GenAiConfig | undefined;
  private readonly genAiStates = new Map<string, MetricState>();

  constructor(options: CodexMetricsOptions) {
    this.strict = options.strict === true;
    this.foldSessionSource = options.foldSessionSource !== false;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    if (this.prefix !== '' && !METRIC_NAME.test(this.prefix)) {
      throw new CodexMetricsError('invalid_option', 'prefix', undefined, 'must be characters of [A-Za-z0-9._-]');
    }
    this.limit = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES;
    if (!Number.isSafeInteger(this.limit) || this.limit < 1) {
      throw new CodexMetricsError('invalid_option', 'maxSeriesPerMetric', undefined, 'must be a positive integer');
    }
    this.cacheBudget = Math.max(SERIES_CACHE_BUDGET, 2 * this.limit);
    const buckets: HistogramBucketsMode = (this.buckets = options.histogramBuckets ?? 'codex');
    if (!HISTOGRAM_BUCKETS_MODES.includes(buckets)) {
      throw new CodexMetricsError('invalid_option', 'histogramBuckets', undefined, `must be one of ${HISTOGRAM_BUCKETS_MODES.join(', ')}`);
    }
    const producer = options.metricProducer;
    if (producer !== undefined && options.aggregateInPackage === false) {
      throw new CodexMetricsError('invalid_option', 'aggregateInPackage', undefined, 'cannot be false with a metricProducer (it aggregates in the package)');
    }
    const genAi = resolveGenAi(options.genAi);
    if (!genAi.ok) throw new CodexMetricsError('invalid_option', 'genAi', undefined, genAi.reason);
    this.genAiConfig = genAi.config;
    this.mode = producer !== undefined ? Mode.Producer : options.aggregateInPackage === false ? Mode.Direct : Mode.Aggregate;
    if (producer !== undefined) producer[ATTACH](this);
    else this.sdk = new SdkInstruments(options.meterProvider, this.mode === Mode.Aggregate ? () => this.flush() : undefined);
  }

  /** The state of a catalog metric, created at its first use (creating all of them up front costs every process). */
  metric(name: unknown): MetricState | undefined {
    const found = this.byName.get(name);
    if (found !== undefined) return found;
    const index = indexOf(name);
    return index === undefined ? undefined : this.addMetric(METRICS[index], index);
  }

  /** A GenAI metric's state (no prefix: gen_ai.* names are the convention's; never reachable by add/record). */
  genAiState(spec: MetricSpec): MetricState {
    let state = this.genAiStates.get(spec.name);
    if (state === undefined) this.genAiStates.set(spec.name, (state = this.addMetric(spec, -1, true)));
    return state;
  }

  /** `convention`: a GenAI metric, named as the convention names it (no prefix, no catalog index). */
  private addMetric(spec: MetricSpec, index: number, convention = false): MetricState {
    const keys = [...spec.required, ...spec.optional];
    const wireName = convention ? spec.name : this.prefix + spec.name;
    const histogram = spec.kind === 'histogram';
    const aggregated = this.mode === Mode.Producer;
    const boundaries = histogram ? [...bucketsFor(spec, this.buckets)] : [];
    const genAiSource = !convention && this.genAiConfig !== undefined ? genAiSourceOf(spec.name) : undefined;
    const state: MetricState = {
      index,
      spec,
      histogram,
      wireName,
      keys,
      types: keys.map((k) => spec.fields[k].type),
      known: new Set(keys),
      find: undefined,
      boundaries,
      histogramAggregation: histogram && aggregated ? histogramAggregation(boundaries) : undefined,
      counters: histogram ? undefined : new MetricSeries(spec, wireName, this.limit, (a, o) => new CounterCell(a, o)),
      histograms: histogram
        ? new MetricSeries(spec, wireName, this.limit, (a, o) => new HistogramCell(a, o, aggregated ? new Array<number>(boundaries.length + 1).fill(0) : undefined))
        : undefined,
      sdkCounter: undefined,
      sdkHistogram: undefined,
      genAi: genAiSource ? new GenAiTee(this, genAiSource, this.genAiConfig!.providerName) : undefined,
    };
    this.states.push(state);
    // GenAI metrics are never looked up by name: add/record cannot reach them.
    if (!convention) this.byName.set(spec.name, state);
    return state;
  }

  /** A counter series' first increment since the last collection (or every one, in direct mode). */
  firstAdd(state: MetricState, cell: CounterCell, increment: number, next: number): void {
    switch (this.mode) {
      case Mode.Producer:
        state.counters!.begin(cell);
        cell.current = next;
        return;
      case Mode.Aggregate:
        // Straight to the SDK, so the series starts (time, cardinality order) exactly as without the package.
        if (!this.ready(state)) return;
        state.counters!.markActive(cell);
        cell.total += increment;
        state.sdkCounter!.add(increment, cell.attributes);
        return;
      case Mode.Direct:
        if (!this.ready(state)) return;
        cell.total += increment;
        state.sdkCounter!.add(increment, cell.attributes);
        return;
    }
  }

  /** SDK path of a histogram value: the SDK aggregates it during the call. False: dropped (counted by ready()). */
  sdkRecord(state: MetricState, cell: HistogramCell, value: number): boolean {
    if (!this.ready(state)) return false;
    cell.total += value;
    state.sdkHistogram!.record(value, cell.attributes);
    return true;
  }

  /** SDK path: hands the counter sums waiting in the package to the SDK, one `add` per series. */
  flush(): void {
    if (this.mode !== Mode.Aggregate) return;
    if (this.sdk!.swapped()) this.rebind();
    if (!this.sdk!.bound()) return; // kept until a provider is there to take them
    for (const state of this.states) {
      const series = state.counters;
      if (series === undefined || series.activeCount === 0) continue;
      const active = series.active;
      const n = series.takeActive();
      for (let i = 0; i < n; i++) {
        const cell = active[i];
        const pending = cell.current;
        cell.current = 0;
        cell.active = false;
        // The interval's first increment already went to the SDK; only the rest is pending.
        if (pending !== 0) {
          cell.total += pending;
          // Created here after a swap of the global provider (rebind) when the metric was not used since.
          (state.sdkCounter ??= this.sdk!.counter(state.spec, state.wireName)).add(pending, cell.attributes);
        }
      }
    }
  }

  /** Producer: ends the interval of every metric. */
  collect(temporality: Temporality, clock: CollectionClock): CollectedMetric[] {
    const out: CollectedMetric[] = [];
    for (const state of this.states) {
      const { spec, wireName } = state;
      if (state.counters !== undefined) {
        const points = collectSeries(state.counters, COUNTER_AGGREGATION, temporality, clock);
        if (points.length > 0) out.push({ kind: 'counter', spec, wireName, points });
      } else {
        const points = collectSeries(state.histograms!, state.histogramAggregation!, temporality, clock);
        if (points.length > 0) out.push({ kind: 'histogram', spec, wireName, points });
      }
    }
    return out;
  }

  /** Whether measurements can be recorded now (SDK path: a MeterProvider is bound; creates the instrument). */
  ready(state: MetricState): boolean {
    const sdk = this.sdk;
    if (sdk === undefined) return true;
    if (sdk.swapped()) this.rebind();
    if (!sdk.bound()) {
      sdk.warnUnbound();
      this.log.count('dropped', 'no_meter_provider');
      return false;
    }
    if (state.histogram) state.sdkHistogram ??= sdk.histogram(state.spec, state.wireName, state.boundaries);
    else state.sdkCounter ??= sdk.counter(state.spec, state.wireName);
    return true;
  }

  /**
   * The global MeterProvider was replaced (or disabled): instruments are created again on the one
   * now registered, at their next use. Sums waiting for a collection are handed to it.
   */
  private rebind(): void {
    this.sdk!.unbind();
    for (const state of this.states) {
      state.sdkCounter = undefined;
      state.sdkHistogram = undefined;
    }
  }

  close(): void {
    this.closed = true;
  }

  /** A measurement after shutdown(): dropped, counted, said once. */
  afterShutdown(): undefined {
    this.log.count('dropped', 'after_shutdown');
    if (!this.saidClosed) {
      this.saidClosed = true;
      diag.warn('codex-otel-metrics: measurements after shutdown() are dropped (counted in stats().dropped.after_shutdown)');
    }
    return undefined;
  }

  overflowed(state: MetricState): void {
    this.log.repair('series_limit', `${state.spec.name}: more than ${this.limit - 1} series; recorded in the otel.metric.overflow=true series`);
  }

  unmirrored(source: string, reason: string): void {
    this.log.drop('series_limit', `${source}: ${reason}`);
  }

  nonFinite(state: MetricState): undefined {
    this.log.drop('non_finite', `${state.spec.name}: the series' sum would not be a finite number`);
    return undefined;
  }

  /** Makes room for one more cache entry of `view`; past the global budget every view's cache is emptied. */
  reserveCacheEntry(view: View): void {
    if (this.cacheEntries >= this.cacheBudget) {
      for (const v of this.caching) v.clearCache();
      this.caching.clear();
      this.cacheEntries = 0;
    }
    this.caching.add(view);
    this.cacheEntries++;
  }

  /** The view for these defaults: shared while interned (LRU-bounded, so many turns cannot pin memory). */
  view(defaults: NormalizedDefaults): View {
    const key = defaultsKey(defaults);
    const existing = this.views.get(key);
    if (existing) {
      this.views.delete(key);
      this.views.set(key, existing);
      return existing;
    }
    const view = new View(this, defaults);
    if (this.views.size >= MAX_INTERNED_VIEWS) this.views.delete(this.views.keys().next().value!);
    this.views.set(key, view);
    return view;
  }

  /** Strict: throw. Lenient: count and log (rate-limited). Returns undefined for call-site brevity. */
  reject(code: CodexMetricsErrorCode, metric: string, field: string | undefined, reason: string): undefined {
    if (this.strict) throw new CodexMetricsError(code, metric, field, reason);
    this.log.drop(code, `${metric}${field !== undefined ? ` field ${displayName(field)}` : ''}: ${reason}`);
    return undefined;
  }

  repair(code: CodexMetricsErrorCode, metric: string, field: string, reason: string): void {
    if (this.strict) throw new CodexMetricsError(code, metric, field, reason);
    this.log.repair(code, `${metric} field ${displayName(field)}: ${reason}`);
  }
}

/** One set of default tags over the shared series. Its methods work detached (`const { add } = metrics`). */
class View implements CodexMetrics {
  /** Per metric (by index): this view's series cache. */
  private roots: (CacheRoot | undefined)[];
  /** The metric of the previous call: consecutive calls of one metric skip the name lookup. */
  private lastName: unknown = undefined;
  private lastState: MetricState | undefined = undefined;

  constructor(
    private readonly shared: Shared,
    readonly defaults: NormalizedDefaults,
  ) {
    this.roots = new Array<CacheRoot | undefined>(METRICS.length).fill(undefined);
    // Own methods, so that detached calls work (`const { add } = metrics`): closures of one function
    // literal each, not a `.bind` per view. A call site that sees several views (withDefaults, more
    // than one metrics object) then still sees one function, which V8 inlines; with a bound function
    // per view such a call site was megamorphic, a full call on every measurement.
    this.add = (name, fields, increment) => this.addCounter(name, fields, increment);
    this.record = (name, value, fields) => this.recordHistogram(name, value, fields);
    this.startTimer = (name, startFields) => this.timer(name, startFields);
    this.withDefaults = (defaults) => this.derive(defaults);
    this.stats = () => this.shared.log.stats();
    this.flush = () => this.shared.flush();
  }

  readonly add: (name: string, fields?: unknown, increment?: unknown) => void;
  readonly record: (name: string, value: unknown, fields?: unknown) => void;
  readonly startTimer: (name: string, startFields?: unknown) => StopTimer<Record<string, unknown>>;
  readonly withDefaults: (defaults: DefaultTags) => CodexMetrics;
  readonly stats: () => DropStats;
  readonly flush: () => void;

  private addCounter(name: string, fields: unknown, increment: unknown = 1): void {
    const shared = this.shared;
    try {
      if (shared.closed) return shared.afterShutdown();
      const state = name === this.lastName ? this.lastState : this.metric(name);
      if (state === undefined || state.histogram) return this.misuse(name, state, 'counter');
      // One comparison rejects NaN, infinities, negatives and non-numbers alike; badNumber says which.
      if (typeof increment !== 'number' || !(increment >= 0 && increment <= MAX_FINITE)) return this.badNumber(state, increment);
      const cell = this.cellOf(state, fields) as CounterCell | undefined;
      if (cell === undefined) return;
      const next = cell.current + increment;
      if (!(cell.total + next <= MAX_FINITE)) return shared.nonFinite(state);
      if (cell.active) {
        cell.current = next;
        return;
      }
      shared.firstAdd(state, cell, increment, next);
    } catch (err) {
      this.unexpected(err, name);
    }
  }

  private recordHistogram(name: string, value: unknown, fields: unknown): void {
    const shared = this.shared;
    try {
      if (shared.closed) return shared.afterShutdown();
      const state = name === this.lastName ? this.lastState : this.metric(name);
      if (state === undefined || !state.histogram) return this.misuse(name, state, 'histogram');
      if (typeof value !== 'number' || !(value >= 0 && value <= MAX_FINITE)) return this.badNumber(state, value);
      const cell = this.cellOf(state, fields) as HistogramCell | undefined;
      if (cell === undefined) return;
      const sum = cell.sum + value;
      if (!(cell.total + sum <= MAX_FINITE)) return shared.nonFinite(state);
      const counts = cell.counts;
      if (counts === undefined) {
        if (!shared.sdkRecord(state, cell, value)) return;
      } else accumulate(state.histograms!, state.boundaries, cell, counts, value, sum);
      // GenAI view: set on its few source metrics only.
      if (state.genAi !== undefined) state.genAi.record(cell, value);
    } catch (err) {
      this.unexpected(err, name);
    }
  }

  private timer(name: string, startFields: unknown): StopTimer<Record<string, unknown>> {
    const started = performance.now();
    const noop = () => 0;
    try {
      const state = this.shared.metric(name);
      if (state === undefined || !state.histogram) return this.misuse(name, state, 'histogram', 'is a counter; timers record histograms') ?? noop;
      if (startFields !== undefined && startFields !== null && (typeof startFields !== 'object' || Array.isArray(startFields))) {
        return this.shared.reject('invalid_fields', name, undefined, 'timer start fields must be an object') ?? noop;
      }
    } catch (err) {
      this.unexpected(err, name); // e.g. a revoked proxy as start fields
      return noop;
    }
    let elapsed: number | undefined;
    return (stopFields?: unknown) => {
      if (elapsed !== undefined) return elapsed; // a timer records once
      // Whole milliseconds, truncated, as the Rust emitter records durations.
      elapsed = Math.max(0, Math.floor(performance.now() - started));
      let fields: unknown;
      try {
        fields = mergeFields(startFields, stopFields);
      } catch (err) {
        this.unexpected(err, name);
        return elapsed;
      }
      this.recordHistogram(name, elapsed, fields);
      return elapsed;
    };
  }

  private derive(defaults: DefaultTags): CodexMetrics {
    const shared = this.shared;
    let normalized: NormalizedDefaults;
    try {
      normalized = normalizeDefaults(defaults, this.defaults, shared.strict, shared.log, shared.foldSessionSource);
    } catch (err) {
      this.unexpected(err, 'defaults');
      return this;
    }
    return shared.view(normalized);
  }

  private metric(name: unknown): MetricState | undefined {
    const state = this.shared.metric(name);
    this.lastName = name;
    this.lastState = state;
    return state;
  }

  /** Ends recording for the metrics object and all its views (the session's shutdown()). */
  close(): void {
    this.shared.close();
  }

  clearCache(): void {
    this.roots = new Array<CacheRoot | undefined>(METRICS.length).fill(undefined);
  }

  /** The cell of the series `fields` names: cached (fast path) or validated (slow path); undefined when dropped. */
  private cellOf(state: MetricState, fields: unknown): CounterCell | HistogramCell | undefined {
    const obj = fields === undefined || fields === null ? NO_FIELDS : fields;
    const root = this.roots[state.index];
    if (root !== undefined && typeof obj === 'object') {
      const cell = state.find!(root, obj);
      if (cell !== undefined) return cell as CounterCell | HistogramCell;
    }
    return this.slowCell(state, obj);
  }

  /** Slow path: validate, find the series' cell (bounded), cache it when the input was clean. */
  private slowCell(state: MetricState, fields: unknown): CounterCell | HistogramCell | undefined {
    const shared = this.shared;
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      return shared.reject('invalid_fields', state.spec.name, undefined, 'fields must be an object');
    }
    const series = this.validate(state, fields as Record<string, unknown>);
    if (!shared.ready(state)) return undefined;
    const cell = (state.counters ?? state.histograms!).cellFor(series.attributes);
    if (cell.overflow) shared.overflowed(state);
    // Only plain objects take the fast path, which reads fields like validate() does (own properties).
    else if (series.clean && isPlainObject(fields)) this.cache(state, series.path, cell);
    return cell;
  }

  private cache(state: MetricState, path: unknown[], cell: CounterCell | HistogramCell): void {
    const shared = this.shared;
    if (!path.every(isCacheKey)) return;
    const existing = this.roots[state.index];
    // Per view and metric: no more entries than the metric can have series.
    if (existing !== undefined && existing.size >= shared.limit) return;
    state.find ??= findFor(state.keys, state.types);
    shared.reserveCacheEntry(this); // may empty every cache, this one included
    let root = this.roots[state.index];
    if (root === undefined) this.roots[state.index] = root = { next: undefined, cell: undefined, size: 0 };
    insert(root, path.map((v) => (typeof v === 'string' ? ownString(v) : v)), state.types, cell);
  }

  /** Checks every field and builds the frozen attributes (defaults + wire values). */
  private validate(state: MetricState, fields: Record<string, unknown>): { attributes: Record<string, string>; path: unknown[]; clean: boolean } {
    const shared = this.shared;
    const { spec } = state;
    let clean = true;
    for (const key of Object.keys(fields)) {
      if (state.known.has(key) || fields[key] === undefined) continue;
      shared.repair('unknown_field', spec.name, key, 'not a documented field of this metric; removed');
      clean = false;
    }
    const attributes: Record<string, string> = { ...this.defaults };
    const path: unknown[] = [];
    for (let i = 0; i < state.keys.length; i++) {
      const key = state.keys[i];
      const raw = Object.hasOwn(fields, key) ? fields[key] : undefined;
      path.push(raw);
      if (raw === undefined) {
        if (i < spec.required.length) {
          // A field that is also a default tag (originator) keeps the default's value.
          const fallback = Object.hasOwn(this.defaults, key) ? 'the default tag' : '"unknown"';
          shared.repair('missing_field', spec.name, key, `required field missing; sent as ${fallback}`);
          if (!Object.hasOwn(this.defaults, key)) attributes[key] = 'unknown';
          clean = false;
        }
        continue;
      }
      const formatted = formatValue(spec.fields[key], raw);
      if (formatted.problem) {
        shared.repair(formatted.problem, spec.name, key, `${formatted.reason}; sanitized`);
        clean = false;
      }
      // A documented field wins over a default tag of the same key (windows_sandbox.setup_* originator).
      // Copied: a value cut from a longer string must not keep that string alive.
      attributes[key] = ownString(formatted.value);
    }
    return { attributes: Object.freeze(attributes), path, clean };
  }

  private misuse(name: unknown, state: MetricState | undefined, kind: 'counter' | 'histogram', wrongKindReason?: string): undefined {
    if (state === undefined) {
      const shown = typeof name === 'string' && name.length <= 256 && METRIC_NAME.test(name) ? name : '<invalid name>';
      return this.shared.reject('unknown_metric', shown, undefined, `not a ${kind} in the Codex catalog`);
    }
    const reason = wrongKindReason ?? (state.histogram ? 'is a histogram; use record()' : 'is a counter; use add()');
    return this.shared.reject('wrong_kind', state.spec.name, undefined, reason);
  }

  private badNumber(state: MetricState, value: unknown): undefined {
    const what = state.histogram ? 'value' : 'increment';
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.shared.reject('invalid_number', state.spec.name, undefined, `${what} must be a finite number`);
    const kind = state.histogram ? 'histogram values' : 'counter increments';
    return this.shared.reject('negative_value', state.spec.name, undefined, `${kind} must not be negative`);
  }

  /** Lenient mode never lets an exception reach the host (getters that throw, proxies, ...). */
  private unexpected(err: unknown, name: unknown): void {
    if (err instanceof CodexMetricsError) throw err; // strict mode only
    if (this.shared.strict) throw err;
    this.shared.log.drop('invalid_fields', `${typeof name === 'string' ? name.slice(0, 256) : '<invalid name>'}: unexpected error while reading fields`);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Start and stop fields of a timer, stop winning; own enumerable properties only. */
function mergeFields(start: unknown, stop: unknown): unknown {
  if (stop === undefined || stop === null) return start;
  if (start === undefined || start === null) return stop;
  if (typeof stop !== 'object' || Array.isArray(stop)) return stop; // record() reports it
  return { ...(start as object), ...(stop as object) };
}

/**
 * Creates the Codex instruments and returns the typed recording API. Call once per process (the
 * series limits are per metrics object); use `withDefaults` for per-session or per-turn tags.
 */
export function createCodexMetrics(options: CodexMetricsOptions = {}): CodexMetrics {
  const shared = new Shared(options);
  let defaults: NormalizedDefaults;
  try {
    defaults = normalizeDefaults(options.defaults, undefined, shared.strict, shared.log, shared.foldSessionSource);
  } catch (err) {
    if (shared.strict) throw err;
    shared.log.drop('invalid_option', 'defaults could not be read; all default tags are "unknown"');
    defaults = normalizeDefaults(undefined, undefined, false, shared.log);
  }
  return shared.view(defaults);
}

/** Called by a session's shutdown(): later measurements are dropped and counted, not silently lost. */
export function closeCodexMetrics(metrics: CodexMetrics): void {
  if (metrics instanceof View) metrics.close();
}
