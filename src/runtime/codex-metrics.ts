// createCodexMetrics: validation at the boundary, default tags merged in one place (the series
// cache), instruments created once per metric.
import { metrics as otelMetrics, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';
import { DEFAULT_PREFIX } from '../catalog/spec.js';
import { METRICS, type DefaultTags } from '../generated/catalog.js';
import { PACKAGE_VERSION } from '../version.js';
import { bucketsFor } from './buckets.js';
import { defaultsKey, normalizeDefaults, type NormalizedDefaults } from './default-tags.js';
import { DropLog, type DropStats } from './drop-log.js';
import { DEFAULT_CARDINALITY_LIMIT } from './limits.js';
import type { HistogramStorage } from './histogram-storage.js';
import { CodexMetricsError, type CodexMetricsErrorCode } from './errors.js';
import { drainSeries, newNode, newSeries, type CacheNode, type MetricState, type Series } from './series.js';
import type { CodexMetrics, CodexMetricsOptions, StopTimer } from './types.js';
import { displayName, formatValue, METRIC_NAME } from './values.js';

/** Meter name the Codex Rust emitter uses, so both land in the same instrumentation scope. */
export const METER_NAME = 'codex';
/** Series per metric and view kept in the cache; the SDK's default cardinality limit too. */
export const DEFAULT_MAX_SERIES = DEFAULT_CARDINALITY_LIMIT;
/** Views interned for sharing; the least recently used one is let go first. */
const MAX_VIEWS = 1000;
const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** State shared by a metrics object and all its `withDefaults` views. */
class Shared {
  readonly meter: Meter;
  readonly prefix: string;
  readonly strict: boolean;
  readonly aggregate: boolean;
  readonly maxSeries: number;
  readonly histograms: HistogramStorage | undefined;
  readonly log = new DropLog();
  readonly states = new Map<string, MetricState>();
  readonly dirty: Series[] = [];
  readonly views = new Map<string, View>();

  constructor(options: CodexMetricsOptions) {
    this.strict = options.strict === true;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    if (this.prefix !== '' && !METRIC_NAME.test(this.prefix)) {
      throw new CodexMetricsError('invalid_option', 'prefix', undefined, 'must be characters of [A-Za-z0-9._-]');
    }
    this.aggregate = options.aggregateInPackage !== false;
    this.maxSeries = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES;
    if (!Number.isInteger(this.maxSeries) || this.maxSeries < 0) {
      throw new CodexMetricsError('invalid_option', 'maxSeriesPerMetric', undefined, 'must be a non-negative integer');
    }
    this.histograms = this.aggregate ? options.histogramStorage : undefined;
    this.meter = (options.meterProvider ?? otelMetrics.getMeterProvider()).getMeter(METER_NAME, PACKAGE_VERSION);
    for (const spec of METRICS) {
      const keys = [...spec.required, ...spec.optional];
      this.states.set(spec.name, { spec, wireName: this.prefix + spec.name, keys, known: new Set(keys), instrument: undefined });
    }
    if (this.aggregate) {
      // Observable callbacks run at the start of every collection, before synchronous instruments
      // are read: the moment to hand over what the package aggregated. The anchor never observes
      // anything, so it is never exported.
      const anchor = this.meter.createObservableGauge('codex_otel_metrics.internal.flush');
      this.meter.addBatchObservableCallback(() => this.flush(), [anchor]);
    }
  }

  instrument(state: MetricState): Counter | Histogram {
    if (state.instrument) return state.instrument;
    const { spec } = state;
    state.instrument =
      spec.kind === 'counter'
        ? this.meter.createCounter(state.wireName, { description: spec.description, unit: spec.unit })
        : this.meter.createHistogram(state.wireName, {
            description: spec.description,
            unit: spec.unit,
            advice: { explicitBucketBoundaries: [...bucketsFor(spec)] },
          });
    return state.instrument;
  }

  flush(): void {
    const dirty = this.dirty;
    for (let i = 0; i < dirty.length; i++) drainSeries(dirty[i]);
    dirty.length = 0;
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
    if (this.views.size >= MAX_VIEWS) this.views.delete(this.views.keys().next().value!);
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

/** One set of default tags over the shared instruments. */
class View implements CodexMetrics {
  private readonly roots = new Map<MetricState, CacheNode>();

  constructor(
    private readonly shared: Shared,
    readonly defaults: NormalizedDefaults,
  ) {}

  add(name: string, fields?: unknown, increment: unknown = 1): void {
    const shared = this.shared;
    try {
      const state = shared.states.get(name);
      if (state === undefined) return this.unknown(name, 'counter');
      if (state.spec.kind !== 'counter') return shared.reject('wrong_kind', name, undefined, 'is a histogram; use record()');
      if (typeof increment !== 'number' || !Number.isFinite(increment)) {
        return shared.reject('invalid_number', name, undefined, 'increment must be a finite number');
      }
      if (increment < 0) return shared.reject('negative_value', name, undefined, 'counter increments must not be negative');
      const series = this.series(state, fields);
      if (series === undefined) return;
      if (!shared.aggregate || !series.cached) {
        (shared.instrument(state) as Counter).add(increment, series.attributes);
        return;
      }
      if (series.dirty) {
        series.pending += increment;
        return;
      }
      // First measurement of the series since the last collection: straight to the SDK, so the
      // series starts (time, cardinality-limit order) exactly when it would without the package.
      series.dirty = true;
      shared.dirty.push(series);
      (state.instrument as Counter).add(increment, series.attributes);
    } catch (err) {
      this.unexpected(err, name);
    }
  }

  record(name: string, value: unknown, fields?: unknown): void {
    const shared = this.shared;
    try {
      const state = shared.states.get(name);
      if (state === undefined) return this.unknown(name, 'histogram');
      if (state.spec.kind !== 'histogram') return shared.reject('wrong_kind', name, undefined, 'is a counter; use add()');
      if (typeof value !== 'number' || !Number.isFinite(value)) return shared.reject('invalid_number', name, undefined, 'value must be a finite number');
      if (value < 0) return shared.reject('negative_value', name, undefined, 'histogram values must not be negative');
      const series = this.series(state, fields);
      if (series === undefined) return;
      if (series.histogram !== undefined) {
        // Aggregated in the package: no attribute hashing per call.
        shared.histograms!.record(series.histogram, value);
        return;
      }
      // On a host's provider the SDK aggregates: deferring its per-value work would not save any.
      (state.instrument as Histogram).record(value, series.attributes);
    } catch (err) {
      this.unexpected(err, name);
    }
  }

  startTimer(name: string, startFields?: unknown): StopTimer<Record<string, unknown>> {
    const started = performance.now();
    const noop = () => 0;
    try {
      const state = this.shared.states.get(name);
      if (state === undefined) return this.unknown(name, 'histogram') ?? noop;
      if (state.spec.kind !== 'histogram') return this.shared.reject('wrong_kind', name, undefined, 'is a counter; timers record histograms') ?? noop;
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
      this.record(name, elapsed, fields);
      return elapsed;
    };
  }

  withDefaults(defaults: DefaultTags): CodexMetrics {
    const shared = this.shared;
    let normalized: NormalizedDefaults;
    try {
      normalized = normalizeDefaults(defaults, this.defaults, shared.strict, shared.log);
    } catch (err) {
      this.unexpected(err, 'defaults');
      return this;
    }
    return shared.view(normalized);
  }

  stats(): DropStats {
    return this.shared.log.stats();
  }

  flush(): void {
    this.shared.flush();
  }

  /** Fast path: walk the cache tree by the raw field values; fall back to full validation. */
  private series(state: MetricState, fields: unknown): Series | undefined {
    const obj = fields === undefined || fields === null ? NO_FIELDS : fields;
    if (typeof obj !== 'object' || Array.isArray(obj)) {
      return this.shared.reject('invalid_fields', state.spec.name, undefined, 'fields must be an object');
    }
    let node = this.roots.get(state);
    // Only plain objects take the fast path: it reads fields like validate() does (own properties).
    if (node !== undefined && isPlainObject(obj)) {
      const keys = state.keys;
      const record = obj as Record<string, unknown>;
      let present = 0;
      for (let i = 0; i < keys.length && node !== undefined; i++) {
        const value = record[keys[i]];
        if (value !== undefined) present++;
        node = node.children?.get(value);
      }
      if (node?.series !== undefined) {
        let own = 0;
        for (const _ in record) own++;
        if (own === present) return node.series;
      }
    }
    return this.validate(state, obj as Record<string, unknown>);
  }

  /** Slow path: check every field, build and freeze the attributes, cache the series when clean. */
  private validate(state: MetricState, fields: Record<string, unknown>): Series | undefined {
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
      attributes[key] = formatted.value;
    }
    Object.freeze(attributes);
    const inPackage = spec.kind === 'histogram' && shared.histograms !== undefined;
    if (!inPackage) shared.instrument(state);
    const handle = () => (inPackage ? shared.histograms!.handle(spec, state.wireName, attributes) : undefined);
    let root = this.roots.get(state);
    if (root === undefined) this.roots.set(state, (root = newNode()));
    if (!clean || root.size >= shared.maxSeries || !path.every(isCacheKey)) return newSeries(state, attributes, false, handle());
    let node = root;
    for (const value of path) {
      node.children ??= new Map();
      let next = node.children.get(value);
      if (next === undefined) node.children.set(value, (next = newNode()));
      node = next;
    }
    if (node.series === undefined) {
      node.series = newSeries(state, attributes, true, handle());
      root.size++;
    }
    return node.series;
  }

  private unknown(name: string, kind: string): undefined {
    const shown = typeof name === 'string' && name.length <= 256 && METRIC_NAME.test(name) ? name : '<invalid name>';
    return this.shared.reject('unknown_metric', shown, undefined, `not a ${kind} in the Codex catalog`);
  }

  /** Lenient mode never lets an exception reach the host (getters that throw, proxies, ...). */
  private unexpected(err: unknown, name: string): void {
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

function isCacheKey(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * Creates the Codex instruments on a MeterProvider (default: the global one) and returns the typed
 * recording API. Call once per process; use `withDefaults` for per-session or per-turn tags.
 */
export function createCodexMetrics(options: CodexMetricsOptions = {}): CodexMetrics {
  const shared = new Shared(options);
  let defaults: NormalizedDefaults;
  try {
    defaults = normalizeDefaults(options.defaults, undefined, shared.strict, shared.log);
  } catch (err) {
    if (shared.strict) throw err;
    shared.log.drop('invalid_option', 'defaults could not be read; all default tags are "unknown"');
    defaults = normalizeDefaults(undefined, undefined, false, shared.log);
  }
  return shared.view(defaults);
}

export type { Attributes };
