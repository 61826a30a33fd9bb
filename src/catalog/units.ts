import type { MetricKind } from './spec.js';

// Units follow the Codex Rust emitter where it sends one (`ms` on duration histograms) and UCUM
// otherwise: curly-brace annotations for counted things, `1` for plain counts.
export function unitFor(name: string, kind: MetricKind): string {
  if (/_ms$/.test(name)) return 'ms'; // *_ms, *.duration_ms, *.e2e_ms
  if (kind === 'counter') return '1';
  if (/(^|\.)token_usage$/.test(name)) return '{token}';
  if (/(^|\.)tool\.call$/.test(name)) return '{call}';
  if (/\.skills\.(enabled|kept)_total$/.test(name)) return '{skill}';
  return '1';
}
