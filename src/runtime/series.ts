// Per-series state. A series is one metric with one merged attribute set; its attributes object is
// built and frozen once, then reused for every measurement (no per-call allocation or merge).
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type { MetricSpec } from '../catalog/spec.js';
import type { HistogramHandle } from './histogram-storage.js';

/** Histogram values buffered per series; further values go straight to the SDK. */
export const MAX_BUFFERED_VALUES = 1024;
/** Histogram values buffered across all series: bounds memory and the replay at each collection. */
export const MAX_BUFFERED_TOTAL = 4096;

export interface MetricState {
  readonly spec: MetricSpec;
  /** Emitted name (prefix included). */
  readonly wireName: string;
  /** Documented fields in a fixed order: the path through the series cache. */
  readonly keys: readonly string[];
  readonly known: ReadonlySet<string>;
  instrument: Counter | Histogram | undefined;
  /** Cached series of this metric across all views (bounded by maxSeriesPerMetric). */
  seriesCount: number;
}

export interface Series {
  readonly state: MetricState;
  readonly attributes: Attributes;
  /** False for series over the cache bound: those are recorded straight into the SDK. */
  readonly cached: boolean;
  /** Counter increments not yet handed to the SDK. */
  pending: number;
  /** Histogram values not yet handed to the SDK. */
  readonly values: number[];
  dirty: boolean;
  /** Set when histograms are aggregated in the package (HistogramStorage). */
  histogram: HistogramHandle | undefined;
}

/** Node of the per-view cache tree: one level per documented field, keyed by the raw value. */
export interface CacheNode {
  children: Map<unknown, CacheNode> | undefined;
  series: Series | undefined;
}

export function newNode(): CacheNode {
  return { children: undefined, series: undefined };
}

export function newSeries(state: MetricState, attributes: Attributes, cached: boolean, histogram?: HistogramHandle): Series {
  return { state, attributes, cached, pending: 0, values: [], dirty: false, histogram };
}

/** Hands what a series accumulated to the SDK: one `add` per series, the buffered histogram values. */
export function drainSeries(series: Series): void {
  const instrument = series.state.instrument!;
  if (series.state.spec.kind === 'counter') {
    const amount = series.pending;
    series.pending = 0;
    // The interval's first increment already went to the SDK; only the rest is pending.
    if (amount !== 0) (instrument as Counter).add(amount, series.attributes);
  } else {
    replayValues(series);
  }
  series.dirty = false;
}

/** Hands a histogram series' buffered values to the SDK in arrival order; returns how many. */
export function replayValues(series: Series): number {
  const values = series.values;
  const n = values.length;
  const instrument = series.state.instrument as Histogram;
  for (let i = 0; i < n; i++) instrument.record(values[i], series.attributes);
  values.length = 0;
  return n;
}
