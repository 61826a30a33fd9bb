// The GenAI view's hook in the runtime: attached, when `genAi` is on, only to the few source
// metrics (at their first use), so every other metric's path is untouched and, with the view off,
// nothing changes at all. Each value recorded into a source series is recorded again into the
// GenAI series it maps to (src/genai/mapping.ts), through the same series limits, drop counting and
// export path (package aggregation or SDK instrument) as a catalog metric.
import type { Attributes } from '@opentelemetry/api';
import { DEFAULT_TAG_KEYS, type MetricSpec } from '../catalog/spec.js';
import { genAiAttributes, type GenAiSource } from '../genai/mapping.js';
import { accumulate, type HistogramCell, type MetricSeries } from './metric-series.js';

/** What the tee needs of a metric's state (codex-metrics.ts MetricState). */
export interface TeeState {
  readonly spec: MetricSpec;
  readonly boundaries: number[];
  readonly histograms: MetricSeries<HistogramCell> | undefined;
}

/** What the tee needs of the metrics object (codex-metrics.ts Shared). */
export interface TeeHost<S extends TeeState> {
  /** The state of a GenAI metric, created at its first use. */
  genAiState(spec: MetricSpec): S;
  /** Whether measurements can be recorded now (SDK path: creates the instrument). */
  ready(state: S): boolean;
  overflowed(state: S): void;
  nonFinite(state: S): undefined;
  /** Counts a source measurement the view cannot mirror (a source series past its limit). */
  unmirrored(source: string, reason: string): void;
  /** SDK path: hands the value to the instrument. */
  sdkRecord(state: S, cell: HistogramCell, value: number): void;
}

interface Route<S> {
  readonly state: S;
  readonly cell: HistogramCell;
  readonly divisor: number;
}

export class GenAiTee<S extends TeeState> {
  /** Per source series: where its values go (bounded by the source's series limit). */
  private readonly routes = new Map<HistogramCell, Route<S>[]>();

  constructor(
    private readonly host: TeeHost<S>,
    private readonly source: GenAiSource,
    private readonly providerName: string,
  ) {}

  /** Called after `value` was recorded into the source series `cell`. */
  record(cell: HistogramCell, value: number): void {
    let routes = this.routes.get(cell);
    if (routes === undefined) {
      if (cell.overflow) {
        // The overflow series has lost the fields (token type, status) the mapping needs.
        this.host.unmirrored(this.source.source, 'the source series is past its series limit; not mirrored into the GenAI view');
        return;
      }
      const found = this.resolve(cell.attributes);
      if (found === undefined) return; // no MeterProvider yet: counted by ready()
      this.routes.set(cell, (routes = found));
    }
    for (const route of routes) {
      // Like a catalog metric's overflow series (never cached), counted at every measurement.
      if (route.cell.overflow) this.host.overflowed(route.state);
      this.recordInto(route.state, route.cell, value / route.divisor);
    }
  }

  private resolve(source: Attributes): Route<S>[] | undefined {
    const routes: Route<S>[] = [];
    for (const target of this.source.targets(source)) {
      const state = this.host.genAiState(target.metric);
      if (!this.host.ready(state)) return undefined;
      const attributes = Object.freeze(genAiAttributes(target, source, DEFAULT_TAG_KEYS, this.providerName));
      const cell = state.histograms!.cellFor(attributes);
      routes.push({ state, cell, divisor: target.divisor });
    }
    return routes;
  }

  /** The runtime's histogram recording (codex-metrics.ts View.record) for a GenAI series. */
  private recordInto(state: S, cell: HistogramCell, value: number): void {
    const sum = cell.sum + value;
    if (!(cell.total + sum <= Number.MAX_VALUE)) return void this.host.nonFinite(state);
    const counts = cell.counts;
    if (counts === undefined) this.host.sdkRecord(state, cell, value);
    else accumulate(state.histograms!, state.boundaries, cell, counts, value, sum);
  }
}
