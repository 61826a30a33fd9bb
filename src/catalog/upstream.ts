// The upstream format: the metric tables of Codex's own documentation have four columns (Metric,
// Type, Fields, Description) and say nothing of units, bucket boundaries or which default tags a
// metric carries. These rules infer them from the row (docs/metrics.md, "Reading an upstream
// page"), so the generator can turn a new upstream page into a registry and a diff against
// docs/metrics.md, which records what Codex really sends.
import type { MetricRow } from './parse-metrics.js';
import type { TagScope } from './spec.js';

/** Description of a field an upstream page names that docs/attributes.md does not type. */
export const UPSTREAM_FIELD_NOTE = 'Named by the upstream page, not in docs/attributes.md: an open string until documented.';

/**
 * - unit: counters `1`; a histogram whose last name part ends in `_ms` or is `duration` is in `ms`
 *   (Codex records durations in whole milliseconds), one with `token` in its last part `{token}`,
 *   one ending in `_bytes` `{byte}`, any other `1`;
 * - buckets: `duration` for `ms`, `tokens` for `{token}`, else `sdk-default` (Codex sets bounds
 *   only on durations; the rest get the SDK's defaults);
 * - tags: `session` (the page says every metric carries the default metadata tags), except `none`
 *   for a metric that lists `originator` among its own fields (Codex's global client records those
 *   outside a session and sets the originator per call).
 */
export function inferWire(row: Pick<MetricRow, 'name' | 'kind' | 'fields'>): { unit: string; buckets: string; tags: TagScope } {
  const tags: TagScope = row.fields?.includes('originator') ? 'none' : 'session';
  if (row.kind === 'counter') return { unit: '1', buckets: '', tags };
  const last = row.name.slice(row.name.lastIndexOf('.') + 1);
  if (last.endsWith('_ms') || last === 'duration') return { unit: 'ms', buckets: 'duration', tags };
  if (last.includes('token')) return { unit: '{token}', buckets: 'tokens', tags };
  if (last.endsWith('_bytes')) return { unit: '{byte}', buckets: 'sdk-default', tags };
  return { unit: '1', buckets: 'sdk-default', tags };
}
