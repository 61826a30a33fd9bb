// The series of one metric for the process lifetime: one cell per exported attribute set, at most
// `limit - 1` of them plus one `otel.metric.overflow=true` cell, in both temporalities. A cell is
// where a measurement lands: the package's own aggregation (read by CodexMetricProducer) or, on the
// SDK path, what is needed to hand measurements to the SDK's instrument.
//
// The aggregation mirrors sdk-metrics 2.x exactly, so the exported data is the SDK's (property-tested
// in test/runtime/fast-path.test.ts): per-interval sums added in call order and merged into the
// previous total at each collection (cumulative) or reported and reset (delta); a series starts at
// its first measurement (of the interval, for delta), and a delta series reported at the previous
// collection starts where that report ended.
import type { Attributes, HrTime } from '@opentelemetry/api';
import { DEFAULT_TAG_KEYS, type MetricSpec } from '../catalog/spec.js';

export const OVERFLOW_ATTRIBUTES: Attributes = Object.freeze({ 'otel.metric.overflow': true });

export type Temporality = 'cumulative' | 'delta';

/** What every series has: its attributes and where it stands in the current interval. */
abstract class SeriesCell {
  /** Recorded since the last collection (SDK path, counters: the interval's first increment went to the SDK). */
  active = false;
  /** Sum of the earlier intervals (cumulative; stays 0 for delta). SDK path: what the SDK was given. */
  total = 0;
  /** Date.now() of the interval's first measurement. */
  startMs = 0;
  /** Cumulative start time, fixed at the first collection that reports the series. */
  startTime: HrTime | undefined = undefined;
  /** Collection number that last reported the series (delta start-time calibration). */
  reported = -1;

  constructor(
    readonly attributes: Attributes,
    readonly overflow: boolean,
  ) {}
}

/** One counter series. */
export class CounterCell extends SeriesCell {
  /** This interval's sum (SDK path: increments not yet handed to the SDK). */
  current = 0;
}

/** One histogram series (bucket counts only when aggregated in the package). */
export class HistogramCell extends SeriesCell {
  /** Observations and bucket counts: since start (cumulative) or of this interval (delta). */
  count = 0;
  min = Infinity;
  max = -Infinity;
  /** This interval's sum. */
  sum = 0;

  constructor(
    attributes: Attributes,
    overflow: boolean,
    /** Undefined on the SDK path. */
    readonly counts: number[] | undefined,
  ) {
    super(attributes, overflow);
  }
}

export type Cell = CounterCell | HistogramCell;

/**
 * One value into a histogram series aggregated in the package: the SDK's
 * HistogramAccumulation.record, in the same order (Math.min/max keep its -0 handling). `sum` is
 * the interval's sum with the value added, already checked to stay finite.
 */
export function accumulate(series: MetricSeries<HistogramCell>, boundaries: readonly number[], cell: HistogramCell, counts: number[], value: number, sum: number): void {
  if (!cell.active) series.begin(cell);
  cell.sum = sum;
  cell.count++;
  cell.min = Math.min(value, cell.min);
  cell.max = Math.max(value, cell.max);
  counts[bucketIndex(boundaries, value)]++;
}

/** Upper-inclusive bucket of `value`: the first boundary >= value (the SDK's binarySearchUB). */
export function bucketIndex(boundaries: readonly number[], value: number): number {
  let lo = 0;
  let hi = boundaries.length - 1;
  let idx = boundaries.length;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid] < value) lo = mid + 1;
    else {
      idx = mid;
      hi = mid - 1;
    }
  }
  return idx;
}

/** A point exactly as the SDK's aggregators build it (sdk-metrics DataPoint). */
export interface SeriesPoint<V> {
  readonly attributes: Attributes;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly value: V;
}

export interface HistogramValue {
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  readonly buckets: { readonly boundaries: number[]; readonly counts: number[] };
}

/** What one collection hands over for one metric. */
export type CollectedMetric =
  | { readonly kind: 'counter'; readonly spec: MetricSpec; readonly wireName: string; readonly points: SeriesPoint<number>[] }
  | { readonly kind: 'histogram'; readonly spec: MetricSpec; readonly wireName: string; readonly points: SeriesPoint<HistogramValue>[] };

/** Where one collection stands: its number, its time and the previous one's (sdk-metrics' HrTime conversion). */
export interface CollectionClock {
  readonly seq: number;
  readonly endTime: HrTime;
  readonly previousEnd: HrTime | undefined;
}

/** The SDK's millisToHrTime, so timestamps match it to the nanosecond. */
export function hrTime(epochMillis: number): HrTime {
  return [Math.trunc(epochMillis / 1000), Math.round((epochMillis % 1000) * 1e6)];
}

/** hrTime for many series in a row: series that started in the same millisecond share one (read-only) array. */
class StartTimes {
  private ms = NaN;
  private time: HrTime = [0, 0];

  of(epochMillis: number): HrTime {
    if (epochMillis !== this.ms) {
      this.ms = epochMillis;
      this.time = hrTime(epochMillis);
    }
    return this.time;
  }
}

/** Series of one metric, bounded for the process lifetime. */
export class MetricSeries<C extends Cell> {
  /** Admitted attribute sets, by key; never more than `limit - 1`. */
  private readonly byKey = new Map<string, C>();
  /** Every cell in admission order (the overflow cell where it first appeared). */
  readonly cells: C[] = [];
  /**
   * Cells recorded since the last collection (SDK path: waiting to be handed over): the first
   * `activeCount` entries. The array is reused, never shrunk: its length is bounded by the limit.
   */
  readonly active: C[] = [];
  activeCount = 0;
  private overflowCell: C | undefined;
  /** Every attribute key the metric's series can have, in a fixed order (the attribute-set key's positions). */
  private readonly keyOrder: readonly string[];

  constructor(
    readonly spec: MetricSpec,
    readonly wireName: string,
    private readonly limit: number,
    private readonly create: (attributes: Attributes, overflow: boolean) => C,
  ) {
    this.keyOrder = [...new Set([...DEFAULT_TAG_KEYS, ...spec.required, ...spec.optional])];
  }

  /** Number of the last collection that ended an interval of this metric (0: none yet). */
  collected = 0;

  /** Marks a cell recorded in this interval (its first measurement of the interval). */
  markActive(cell: C): void {
    cell.active = true;
    this.active[this.activeCount++] = cell;
  }

  /**
   * In-package aggregation: a cell's first measurement of the interval. Its time is read only when
   * a collection can still use it as the series' start (collectSeries): a cumulative series keeps
   * the start of its first report, and a delta series reported by the previous collection starts
   * where that report ended. Skipping `Date.now()` otherwise saves most of the cost of the first
   * call of a series per interval.
   */
  begin(cell: C): void {
    if (cell.startTime === undefined && cell.reported !== this.collected) cell.startMs = Date.now();
    this.markActive(cell);
  }

  /** The cells recorded in this interval, now emptied (their `active` flag left to the caller). */
  takeActive(): number {
    const n = this.activeCount;
    this.activeCount = 0;
    return n;
  }

  /** The cell of an attribute set: its own, or the overflow cell once the limit is reached. */
  cellFor(attributes: Attributes): C {
    const key = attributeKey(attributes, this.keyOrder);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.byKey.size >= this.limit - 1) return this.overflow();
    const cell = this.create(attributes, false);
    this.byKey.set(key, cell);
    this.cells.push(cell);
    return cell;
  }

  private overflow(): C {
    if (this.overflowCell === undefined) {
      this.overflowCell = this.create(OVERFLOW_ATTRIBUTES, true);
      this.cells.push(this.overflowCell);
    }
    return this.overflowCell;
  }
}

/**
 * Identity of an attribute set of one metric: its values at fixed positions (`keyOrder`, the
 * default tags then the documented fields), `''` where a key is absent (values are never empty)
 * and `\u0000` between them (values are `[A-Za-z0-9._/-]`). Built with `join`, a flat string:
 * a `+=` chain would be kept as a rope of one node per piece, several times the size.
 */
function attributeKey(attributes: Attributes, keyOrder: readonly string[]): string {
  const values = new Array<string>(keyOrder.length);
  for (let i = 0; i < keyOrder.length; i++) values[i] = (attributes[keyOrder[i]] as string | undefined) ?? '';
  return values.join('\u0000');
}

/** How one kind of series ends an interval and becomes a point value. */
export interface Aggregation<C extends Cell, V> {
  /** Cumulative: adds the interval's sum to the earlier ones (as the SDK's merge adds them). */
  fold(cell: C): void;
  /** The point's value: since start (cumulative) or of the interval (delta). */
  value(cell: C, cumulative: boolean): V;
  /** Delta: forgets the interval just reported. */
  reset(cell: C): void;
}

export const COUNTER_AGGREGATION: Aggregation<CounterCell, number> = {
  fold(cell) {
    cell.total = cell.total + cell.current;
    cell.current = 0;
  },
  value: (cell, cumulative) => (cumulative ? cell.total : cell.current),
  reset(cell) {
    cell.current = 0;
  },
};

/**
 * Histograms over `boundaries`. Counts, min and max are kept since start (cumulative; integer and
 * order-free), the sum per interval and merged like the SDK's (previous.sum + delta.sum), so sums of
 * doubles are bit for bit the SDK's.
 */
export function histogramAggregation(boundaries: number[]): Aggregation<HistogramCell, HistogramValue> {
  return {
    fold(cell) {
      cell.total = cell.total + cell.sum;
      cell.sum = 0;
    },
    value: (cell, cumulative) => ({
      min: cell.min,
      max: cell.max,
      sum: cumulative ? cell.total : cell.sum,
      count: cell.count,
      buckets: { boundaries, counts: cell.counts!.slice() },
    }),
    reset(cell) {
      cell.counts!.fill(0);
      cell.count = 0;
      cell.sum = 0;
      cell.min = Infinity;
      cell.max = -Infinity;
    },
  };
}

/**
 * Ends the interval of one metric and returns its points (empty: nothing to report). Cumulative:
 * every series recorded since start; delta: the series recorded in the interval.
 */
export function collectSeries<C extends Cell, V>(
  series: MetricSeries<C>,
  aggregation: Aggregation<C, V>,
  temporality: Temporality,
  clock: CollectionClock,
): SeriesPoint<V>[] {
  const { endTime } = clock;
  series.collected = clock.seq;
  const active = series.active;
  const n = series.takeActive();
  const points: SeriesPoint<V>[] = [];
  const starts = new StartTimes();
  if (temporality === 'cumulative') {
    for (let i = 0; i < n; i++) {
      const cell = active[i];
      aggregation.fold(cell);
      cell.active = false;
      cell.startTime ??= starts.of(cell.startMs);
    }
    for (const cell of series.cells) {
      if (cell.startTime !== undefined) points.push({ attributes: cell.attributes, startTime: cell.startTime, endTime, value: aggregation.value(cell, true) });
    }
    return points;
  }
  for (let i = 0; i < n; i++) {
    const cell = active[i];
    points.push({ attributes: cell.attributes, startTime: startOfDelta(cell, clock, starts), endTime, value: aggregation.value(cell, false) });
    aggregation.reset(cell);
    cell.active = false;
    cell.reported = clock.seq;
  }
  return points;
}

/** A delta series reported by the previous collection starts where it ended (the SDK's calibration). */
function startOfDelta(cell: Cell, clock: CollectionClock, starts: StartTimes): HrTime {
  return cell.reported === clock.seq - 1 && clock.previousEnd !== undefined ? clock.previousEnd : starts.of(cell.startMs);
}
