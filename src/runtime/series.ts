// Per-series state. A series is one metric with one merged attribute set; its attributes object is
// built and frozen once, then reused for every measurement (no per-call allocation or merge).
import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import type { MetricSpec } from '../catalog/spec.js';
import type { HistogramHandle } from './histogram-storage.js';

export interface MetricState {
  readonly spec: MetricSpec;
  /** Emitted name (prefix included). */
  readonly wireName: string;
  /** Documented fields in a fixed order: the path through the series cache. */
  readonly keys: readonly string[];
  readonly known: ReadonlySet<string>;
  instrument: Counter | Histogram | undefined;
}

export interface Series {
  readonly state: MetricState;
  readonly attributes: Attributes;
  /** False for series over the cache bound: those are recorded straight into the SDK. */
  readonly cached: boolean;
  /** Counter increments not yet handed to the SDK. */
  pending: number;
  /** In the flush list: the interval's first increment already went to the SDK. */
  dirty: boolean;
  /** Set when histograms are aggregated in the package (HistogramStorage). */
  histogram: HistogramHandle | undefined;
}

/** Node of the per-view cache tree: one level per documented field, keyed by the raw value. */
export interface CacheNode {
  children: Map<unknown, CacheNode> | undefined;
  series: Series | undefined;
  /** On a metric's root node: series cached below it (bounded by maxSeriesPerMetric). */
  size: number;
}

export function newNode(): CacheNode {
  return { children: undefined, series: undefined, size: 0 };
}

export function newSeries(state: MetricState, attributes: Attributes, cached: boolean, histogram?: HistogramHandle): Series {
  return { state, attributes, cached, pending: 0, dirty: false, histogram };
}

/** Hands a counter series' pending increments to the SDK: one `add` per series per collection. */
export function drainSeries(series: Series): void {
  const amount = series.pending;
  series.pending = 0;
  series.dirty = false;
  // The interval's first increment already went to the SDK; only the rest is pending.
  if (amount !== 0) (series.state.instrument as Counter).add(amount, series.attributes);
}
