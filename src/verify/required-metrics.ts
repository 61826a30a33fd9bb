// Resolves `verify --require` selectors (`all`, a docs section, metric names) to the wire names of
// coverage targets. A selector that names nothing, or more than one section, is an error that
// says what would have matched: a gate on a typo must not pass silently.
import { DEFAULT_PREFIX } from '../catalog/spec.js';
import type { RetiredMetric } from '../catalog/spec.js';
import type { CoverageTarget } from './coverage.js';
import { closestName } from './did-you-mean.js';

export type RequireErrorCode = 'empty_selector' | 'unknown_selector' | 'ambiguous_section' | 'retired_metric';

export class RequireError extends Error {
  override readonly name = 'RequireError';
  constructor(
    readonly code: RequireErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface RequiredMetrics {
  readonly selectors: readonly string[];
  /** Wire names, in the targets' (documentation) order, each once. */
  readonly metrics: readonly string[];
}

/**
 * Each selector is, in this order: `all`; a metric name with or without the prefix; a section
 * title, or a prefix of exactly one title (both case-insensitive); a comma-separated list of
 * metric names (section titles contain commas, so a whole title wins).
 */
export function resolveRequired(
  selectors: readonly string[],
  targets: readonly CoverageTarget[],
  options: { readonly prefix?: string; readonly retired?: readonly RetiredMetric[] } = {},
): RequiredMetrics {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const names = new Set(targets.map((t) => t.metric));
  const sections = [...new Set(targets.map((t) => t.section))];
  const chosen = new Set<string>();

  const metricNamed = (text: string): string | undefined => (names.has(text) ? text : names.has(prefix + text) ? prefix + text : undefined);
  const retiredNamed = (text: string): RetiredMetric | undefined =>
    (options.retired ?? []).find((r) => prefix + r.name === text || r.name === text);
  const metricOrThrow = (text: string): string => {
    const found = metricNamed(text);
    if (found) return found;
    const gone = retiredNamed(text);
    if (gone) {
      throw new RequireError('retired_metric', `--require ${text}: ${prefix}${gone.name} is retired (${gone.status})${gone.replacement ? `; require ${prefix}${gone.replacement} instead` : ''}`);
    }
    const suggestion = closestName(text.startsWith(prefix) ? text : prefix + text, names);
    throw new RequireError(
      'unknown_selector',
      `--require ${text}: not a metric of the registry nor a section title${suggestion ? `; did you mean ${suggestion}?` : ''} (sections: ${sections.join('; ')})`,
    );
  };

  for (const raw of selectors) {
    const text = raw.trim();
    if (!text) throw new RequireError('empty_selector', '--require needs a value: all, a section title or metric names');
    if (text.toLowerCase() === 'all') {
      for (const name of names) chosen.add(name);
      continue;
    }
    const metric = metricNamed(text);
    if (metric) {
      chosen.add(metric);
      continue;
    }
    const section = sectionNamed(text, sections);
    if (section) {
      for (const t of targets) if (t.section === section) chosen.add(t.metric);
      continue;
    }
    const parts = text.split(',').map((p) => p.trim());
    if (parts.length > 1 && parts.every(Boolean)) {
      for (const part of parts) chosen.add(metricOrThrow(part));
      continue;
    }
    chosen.add(metricOrThrow(text));
  }
  return { selectors: selectors.map((s) => s.trim()), metrics: targets.map((t) => t.metric).filter((name) => chosen.has(name)) };
}

/** The section titled `text`, or the only one starting with it (case-insensitive); throws when several do. */
function sectionNamed(text: string, sections: readonly string[]): string | undefined {
  const wanted = text.toLowerCase();
  const exact = sections.find((s) => s.toLowerCase() === wanted);
  if (exact) return exact;
  const starting = sections.filter((s) => s.toLowerCase().startsWith(wanted));
  if (starting.length > 1) {
    throw new RequireError('ambiguous_section', `--require ${text}: several sections start with it (${starting.join('; ')}); give more of the title`);
  }
  return starting[0];
}
