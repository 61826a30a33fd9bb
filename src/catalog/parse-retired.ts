// docs/metrics.md "Retired metrics" table: documented upstream, no longer sent by the Codex CLI.
import { CatalogError } from './errors.js';
import { codeSpans, textOf, type TableView } from './markdown.js';
import type { MetricKind, RetiredMetric } from './spec.js';

export const RETIRED_COLUMNS = ['metric', 'type', 'status', 'replacement'] as const;

export function isRetiredTable(header: readonly string[]): boolean {
  return header.includes('metric') && header.includes('status') && header.includes('replacement');
}

export interface RetiredRow extends RetiredMetric {
  readonly line: number;
}

export function parseRetiredTable(view: TableView, file: string): RetiredRow[] {
  const col = {} as Record<(typeof RETIRED_COLUMNS)[number], number>;
  for (const name of RETIRED_COLUMNS) {
    const i = view.header.indexOf(name);
    if (i < 0) throw new CatalogError(file, view.rows[0]?.line ?? 0, `retired-metrics table is missing the "${name}" column`);
    col[name] = i;
  }
  return view.rows.map(({ line, cells }) => {
    const at = (i: number) => cells[i];
    const name = at(col.metric) ? (codeSpans(at(col.metric))[0] ?? '') : '';
    if (!name) throw new CatalogError(file, line, 'retired row has no `metric` name');
    const kind = at(col.type) ? textOf(at(col.type)).toLowerCase() : '';
    if (kind !== 'counter' && kind !== 'histogram') throw new CatalogError(file, line, `retired \`${name}\` has type "${kind}"; expected counter or histogram`);
    const status = at(col.status) ? textOf(at(col.status)) : '';
    if (!status) throw new CatalogError(file, line, `retired \`${name}\` needs a status (e.g. "renamed" or "not sent")`);
    const replacement = at(col.replacement) ? codeSpans(at(col.replacement))[0] : undefined;
    return { name, kind: kind as MetricKind, status, ...(replacement ? { replacement } : {}), line };
  });
}
