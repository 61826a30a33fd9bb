// In-package histogram aggregation, for MeterProviders the package sets up itself. Every call to
// the SDK's `histogram.record` hashes the attribute set; here a series keeps a direct reference to
// its accumulation for the collection interval, so a measurement costs a bucket search and a few
// additions. The algorithm mirrors sdk-metrics 2.x exactly (per-interval accumulations, cardinality
// limit and overflow series, cumulative merge, delta start-time calibration) so the exported data
// is identical to what the SDK would export; test/runtime/fast-path.test.ts proves it.
import type { Attributes } from '@opentelemetry/api';
import type { MetricSpec } from '../catalog/spec.js';
import { bucketsFor } from './buckets.js';
import { DEFAULT_CARDINALITY_LIMIT } from './limits.js';

export type HistogramTemporality = 'cumulative' | 'delta';

const OVERFLOW_KEY = '\u0000overflow';
const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

/** Count, sum, min, max and bucket counts of one series over one interval (or since start). */
export class HistogramAccumulation {
  readonly counts: number[];
  sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  hasMinMax = false;

  constructor(
    public startTime: number,
    readonly boundaries: readonly number[],
    counts?: number[],
  ) {
    this.counts = counts ?? new Array<number>(boundaries.length + 1).fill(0);
  }

  record(value: number): void {
    this.count += 1;
    this.sum += value;
    this.min = Math.min(value, this.min);
    this.max = Math.max(value, this.max);
    this.hasMinMax = true;
    // Upper-inclusive buckets: the first boundary >= value (binary search, as the SDK does).
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    let idx = b.length;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] < value) lo = mid + 1;
      else {
        idx = mid;
        hi = mid - 1;
      }
    }
    this.counts[idx] += 1;
  }

  /** previous + this, keeping previous's start time (the SDK's cumulative merge). */
  static merge(previous: HistogramAccumulation, delta: HistogramAccumulation): HistogramAccumulation {
    const merged = new HistogramAccumulation(
      previous.startTime,
      previous.boundaries,
      previous.counts.map((c, i) => c + delta.counts[i]),
    );
    merged.count = previous.count + delta.count;
    merged.sum = previous.sum + delta.sum;
    if (previous.hasMinMax && delta.hasMinMax) {
      merged.min = Math.min(previous.min, delta.min);
      merged.max = Math.max(previous.max, delta.max);
    } else if (previous.hasMinMax) {
      merged.min = previous.min;
      merged.max = previous.max;
    } else if (delta.hasMinMax) {
      merged.min = delta.min;
      merged.max = delta.max;
    }
    merged.hasMinMax = previous.hasMinMax || delta.hasMinMax;
    return merged;
  }
}

interface Entry {
  readonly attributes: Attributes;
  accumulation: HistogramAccumulation;
}

/** One histogram instrument's series. */
export class InstrumentHistograms {
  readonly boundaries: readonly number[];
  /** Bumped at each collection: handles re-resolve their accumulation when it changes. */
  epoch = 0;
  private active = new Map<string, Entry>();
  private last: Map<string, Entry> | undefined;
  private lastCollectionTime = 0;

  constructor(
    readonly spec: MetricSpec,
    private readonly cardinalityLimit: number,
  ) {
    this.boundaries = bucketsFor(spec);
  }

  accumulationFor(key: string, attributes: Attributes): HistogramAccumulation {
    const found = this.active.get(key);
    if (found) return found.accumulation;
    // Same rule as the SDK: at most limit - 1 series per interval, the rest in one overflow series.
    if (this.active.size >= this.cardinalityLimit - 1) {
      let overflow = this.active.get(OVERFLOW_KEY);
      if (!overflow) {
        overflow = { attributes: OVERFLOW_ATTRIBUTES, accumulation: new HistogramAccumulation(Date.now(), this.boundaries) };
        this.active.set(OVERFLOW_KEY, overflow);
      }
      return overflow.accumulation;
    }
    const entry = { attributes, accumulation: new HistogramAccumulation(Date.now(), this.boundaries) };
    this.active.set(key, entry);
    return entry.accumulation;
  }

  /** Ends the interval; returns what to export: `[attributes, accumulation]` pairs. */
  collect(collectionTime: number, temporality: HistogramTemporality): Entry[] {
    const unreported = this.active;
    this.active = new Map();
    this.epoch++;
    let result = unreported;
    if (this.last) {
      if (temporality === 'cumulative') {
        result = this.last;
        for (const [key, entry] of unreported) {
          const previous = result.get(key);
          result.set(key, previous ? { attributes: previous.attributes, accumulation: HistogramAccumulation.merge(previous.accumulation, entry.accumulation) } : entry);
        }
      } else {
        // A delta series that was reported last time starts where that report ended.
        for (const key of this.last.keys()) {
          const current = unreported.get(key);
          if (current) current.accumulation.startTime = this.lastCollectionTime;
        }
      }
    }
    this.last = result;
    this.lastCollectionTime = collectionTime;
    return [...result.values()];
  }
}

/** A series' way into its accumulation, resolved once per collection interval. */
export interface HistogramHandle {
  readonly instrument: InstrumentHistograms;
  readonly key: string;
  readonly attributes: Attributes;
  accumulation: HistogramAccumulation | undefined;
  epoch: number;
}

export interface HistogramStorageOptions {
  readonly temporality: HistogramTemporality;
  /** Series per instrument per interval, as the reader's cardinality limit (default 2000). */
  readonly cardinalityLimit?: number;
}

/**
 * Histograms aggregated in the package. Create one per reader, pass it to `createCodexMetrics`
 * (`histogramStorage`) and hand its `collect()` to the reader as a MetricProducer
 * (`startCodexMetrics` and `codex-otel-metrics/testing` do both).
 */
export class HistogramStorage {
  readonly temporality: HistogramTemporality;
  private readonly cardinalityLimit: number;
  private readonly instruments = new Map<string, InstrumentHistograms>();

  constructor(options: HistogramStorageOptions) {
    this.temporality = options.temporality;
    this.cardinalityLimit = options.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT;
  }

  /** Built once per series (it serialises the attribute set, like the SDK's hash). */
  handle(spec: MetricSpec, wireName: string, attributes: Attributes): HistogramHandle {
    let instrument = this.instruments.get(wireName);
    if (!instrument) this.instruments.set(wireName, (instrument = new InstrumentHistograms(spec, this.cardinalityLimit)));
    return { instrument, key: attributeKey(attributes), attributes, accumulation: undefined, epoch: -1 };
  }

  record(handle: HistogramHandle, value: number): void {
    const instrument = handle.instrument;
    if (handle.epoch !== instrument.epoch) {
      handle.accumulation = instrument.accumulationFor(handle.key, handle.attributes);
      handle.epoch = instrument.epoch;
    }
    handle.accumulation!.record(value);
  }

  /** Ends the interval of every instrument; instruments with nothing to report are left out. */
  collect(collectionTime: number): { wireName: string; spec: MetricSpec; points: { attributes: Attributes; accumulation: HistogramAccumulation }[] }[] {
    const out = [];
    for (const [wireName, instrument] of this.instruments) {
      const points = instrument.collect(collectionTime, this.temporality);
      if (points.length > 0) out.push({ wireName, spec: instrument.spec, points });
    }
    return out;
  }
}

/** Order-independent identity of an attribute set (the SDK's hashAttributes, same idea). */
function attributeKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}
