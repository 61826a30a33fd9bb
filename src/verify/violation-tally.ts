// The checker's running tally of distinct violations (code + metric + field), with a cap: a stream
// with endless distinct problems (every point with a new undocumented key) must not grow it forever.
import type { Violation, ViolationCode, ViolationSummary } from './violations.js';

export interface TallyEntry {
  /** The first occurrence: its message is the one reported. */
  readonly first: Violation;
  count: number;
}

export class ViolationTally {
  // Nested maps rather than one concatenated key: the strings (codes, a metric's name, attribute
  // keys) are shared by many points and hash once, a concatenation would be rebuilt every time.
  private readonly byCode = new Map<ViolationCode, Map<string, Map<string, TallyEntry>>>();
  private entries = 0;
  /** Occurrences of violations first seen while the tally was full. */
  dropped = 0;

  constructor(readonly maxDistinct: number) {}

  get size(): number {
    return this.entries;
  }

  get full(): boolean {
    return this.entries >= this.maxDistinct;
  }

  find(code: ViolationCode, metric: string, field: string | undefined): TallyEntry | undefined {
    return this.byCode.get(code)?.get(metric)?.get(field ?? '');
  }

  /**
   * Adds the first occurrence that `build` returns, and returns it; when the tally is full, counts
   * it in `dropped` instead (without building it) and returns undefined.
   */
  add(build: () => Violation): Violation | undefined {
    if (this.full) {
      this.dropped++;
      return undefined;
    }
    const violation = build();
    let byMetric = this.byCode.get(violation.code);
    if (!byMetric) this.byCode.set(violation.code, (byMetric = new Map()));
    let byField = byMetric.get(violation.metric);
    if (!byField) byMetric.set(violation.metric, (byField = new Map()));
    byField.set(violation.field ?? '', { first: violation, count: 1 });
    this.entries++;
    return violation;
  }

  /** Every distinct violation with its count, sorted by code, metric, field. */
  summaries(): ViolationSummary[] {
    const out: ViolationSummary[] = [];
    for (const byMetric of this.byCode.values()) {
      for (const byField of byMetric.values()) for (const { first, count } of byField.values()) out.push({ ...first, count });
    }
    return out.sort((a, b) => compare(a.code, b.code) || compare(a.metric, b.metric) || compare(a.field ?? '', b.field ?? ''));
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
