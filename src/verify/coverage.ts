// Which documented metrics arrived, per docs section, and the two gates on it: metrics that must
// arrive (`verify --require`) and the least share of the documented ones that must
// (`--min-coverage`). It works on a list of targets, not on the registry itself, so other
// conventions' metrics (the GenAI view) can be counted by passing their targets too.
import { DEFAULT_PREFIX } from '../catalog/spec.js';
import type { MetricKind, MetricSpec } from '../catalog/spec.js';
import type { ReceivedPoint } from './points.js';

/** One metric whose arrival is counted. */
export interface CoverageTarget {
  /** Wire name, prefix included (`codex.api_request`). */
  readonly metric: string;
  readonly kind: MetricKind;
  /** The docs section it is documented under; coverage is reported per section. */
  readonly section: string;
  /** Fields every point of it must carry; a required metric that arrived without ever carrying one fails the gate. */
  readonly required: readonly string[];
}

/** The registry's metrics as coverage targets, in documentation order. */
export function coverageTargets(specs: readonly MetricSpec[], prefix = DEFAULT_PREFIX): CoverageTarget[] {
  return specs.map((spec) => ({ metric: prefix + spec.name, kind: spec.kind, section: spec.section, required: spec.required }));
}

/** What must arrive. Both parts are optional; without either, coverage is only reported. */
export interface CoverageGate {
  /** `--require`: the selectors as given and the wire names they resolved to (see resolveRequired). */
  readonly required?: { readonly selectors: readonly string[]; readonly metrics: readonly string[] };
  /** `--min-coverage`: arrived / documented over all targets, in percent (0–100). */
  readonly minPercent?: number;
}

export interface SectionCoverage {
  readonly section: string;
  readonly documented: number;
  readonly arrived: number;
  /** arrived / documented in percent, rounded to one decimal. */
  readonly percent: number;
  /** Wire names documented in this section that never arrived, in documentation order. */
  readonly missing: readonly string[];
}

export interface RequiredCoverage {
  readonly selectors: readonly string[];
  /** How many metrics the selectors name. */
  readonly metrics: number;
  /** Required metrics that never arrived. */
  readonly missing: readonly string[];
  /** Required metrics that arrived, with the required fields none of their points carried. */
  readonly missingFields: readonly { readonly metric: string; readonly fields: readonly string[] }[];
}

export interface CoverageReport {
  /** False when a gate failed; true without gates. */
  readonly ok: boolean;
  readonly documented: number;
  readonly arrived: number;
  readonly percent: number;
  /** In documentation order. */
  readonly sections: readonly SectionCoverage[];
  readonly required?: RequiredCoverage;
  readonly minPercent?: number;
}

export interface CoverageTracker {
  /**
   * Counts a metric as arrived once one of its points has the target's name and kind (a monotonic
   * Sum for a counter, an explicit-bucket Histogram for a histogram). Every other problem of the
   * point (unit, buckets, fields, values) is the checker's to report; it does not undo arrival.
   */
  observe(points: readonly ReceivedPoint[]): void;
  report(): CoverageReport;
}

export function createCoverageTracker(targets: readonly CoverageTarget[], gate: CoverageGate = {}): CoverageTracker {
  const byName = new Map(targets.map((target) => [target.metric, target]));
  /** Per arrived metric, the required fields not yet seen on any of its points (state bounded by the targets). */
  const unseenFields = new Map<string, Set<string>>();

  return {
    observe(points) {
      for (const point of points) {
        const target = byName.get(point.metric);
        if (!target || point.kind !== target.kind) continue;
        let unseen = unseenFields.get(target.metric);
        if (!unseen) {
          unseen = new Set(target.required);
          unseenFields.set(target.metric, unseen);
        }
        if (unseen.size === 0) continue;
        for (const field of unseen) if (Object.hasOwn(point.attributes, field)) unseen.delete(field);
      }
    },
    report() {
      const sections = new Map<string, { documented: number; arrived: number; missing: string[] }>();
      for (const target of targets) {
        let section = sections.get(target.section);
        if (!section) {
          section = { documented: 0, arrived: 0, missing: [] };
          sections.set(target.section, section);
        }
        section.documented++;
        if (unseenFields.has(target.metric)) section.arrived++;
        else section.missing.push(target.metric);
      }
      const arrived = unseenFields.size;
      const report: { -readonly [K in keyof CoverageReport]: CoverageReport[K] } = {
        ok: true,
        documented: targets.length,
        arrived,
        percent: percent(arrived, targets.length),
        sections: [...sections].map(([section, s]) => ({ section, documented: s.documented, arrived: s.arrived, percent: percent(s.arrived, s.documented), missing: s.missing })),
      };
      if (gate.required) {
        const missing: string[] = [];
        const missingFields: { metric: string; fields: string[] }[] = [];
        for (const metric of gate.required.metrics) {
          const unseen = unseenFields.get(metric);
          if (!unseen) missing.push(metric);
          else if (unseen.size > 0) missingFields.push({ metric, fields: byName.get(metric)!.required.filter((f) => unseen.has(f)) });
        }
        report.required = { selectors: gate.required.selectors, metrics: gate.required.metrics.length, missing, missingFields };
        if (missing.length > 0 || missingFields.length > 0) report.ok = false;
      }
      if (gate.minPercent !== undefined) {
        report.minPercent = gate.minPercent;
        // Judged on the exact ratio, not the rounded percent.
        if (arrived * 100 < gate.minPercent * targets.length) report.ok = false;
      }
      return report;
    },
  };
}

/** Percent rounded to one decimal; 100 when there is nothing to cover. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((part * 1000) / whole) / 10;
}
