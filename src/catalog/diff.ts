// How a catalog read from an upstream page differs from the package's docs/metrics.md: what a
// maintainer reads after pointing the generator at a new upstream page (docs/metrics.md,
// "Reading an upstream page").
import type { Catalog } from './build.js';
import type { MetricSpec } from './spec.js';

export interface CatalogDiff {
  /** On the page, not in the docs (nor retired there). */
  readonly added: readonly string[];
  /** In the docs, not on the page: observed on the wire only, or gone upstream. */
  readonly missing: readonly string[];
  /** On the page under a name the docs retire. */
  readonly retired: readonly string[];
  /** Kind, fields, required/optional or description differ. */
  readonly changed: readonly string[];
  /** Unit, buckets or tags the inference rules gave differently from what the docs record from the wire. */
  readonly inferred: readonly string[];
}

export function diffCatalogs(docs: Catalog, page: Catalog): CatalogDiff {
  const ours = new Map(docs.metrics.map((m) => [m.name, m]));
  const theirs = new Map(page.metrics.map((m) => [m.name, m]));
  const retiredNames = new Map(docs.retired.map((r) => [r.name, r]));
  const added: string[] = [];
  const retired: string[] = [];
  const changed: string[] = [];
  const inferred: string[] = [];
  for (const m of page.metrics) {
    const doc = ours.get(m.name);
    const gone = retiredNames.get(m.name);
    if (gone) {
      retired.push(`${m.name}: retired in the docs (${gone.status}${gone.replacement ? `, now ${gone.replacement}` : ''})`);
      continue;
    }
    if (!doc) {
      added.push(`${m.name} (${m.kind}${fieldList(m) ? `, ${fieldList(m)}` : ''}): ${m.description}`);
      continue;
    }
    const diffs = [
      doc.kind !== m.kind ? `kind ${doc.kind} -> ${m.kind}` : '',
      setDiff('fields', [...doc.required, ...doc.optional], [...m.required, ...m.optional]),
      setDiff('required', doc.required, m.required),
      doc.description !== m.description ? `description "${doc.description}" -> "${m.description}"` : '',
    ].filter(Boolean);
    if (diffs.length) changed.push(`${m.name}: ${diffs.join('; ')}`);
    const wire = [
      doc.unit !== m.unit ? `unit ${m.unit} (docs ${doc.unit})` : '',
      doc.buckets?.name !== m.buckets?.name ? `buckets ${m.buckets?.name ?? 'none'} (docs ${doc.buckets?.name ?? 'none'})` : '',
      doc.tags !== m.tags ? `tags ${m.tags} (docs ${doc.tags})` : '',
    ].filter(Boolean);
    if (wire.length) inferred.push(`${m.name}: ${wire.join('; ')}`);
  }
  const missing = docs.metrics.filter((m) => !theirs.has(m.name)).map((m) => `${m.name} (docs section "${m.section}")`);
  return { added, missing, retired, changed, inferred };
}

/** The diff as lines for a terminal, with the notices of reading the page. */
export function renderCatalogDiff(diff: CatalogDiff, page: Catalog, pageFile: string, docsFile: string): string[] {
  const out = [`${pageFile} (upstream format, ${page.metrics.length} metrics) versus ${docsFile}:`];
  const group = (title: string, lines: readonly string[], mark: string) => {
    out.push(`${title}: ${lines.length}`);
    for (const l of lines) out.push(`  ${mark} ${l}`);
  };
  group('on the page, not in the docs', diff.added, '+');
  group('changed on the page', diff.changed, '~');
  group('on the page, retired in the docs', diff.retired, '!');
  group('in the docs, not on the page (observed on the wire, or dropped upstream)', diff.missing, '-');
  group('unit, buckets or tags inferred differently from the docs (the docs record the wire)', diff.inferred, '?');
  group('to check by hand', page.notices, '*');
  return out;
}

function fieldList(m: MetricSpec): string {
  return [...m.required, ...m.optional.map((f) => `${f}?`)].join(', ');
}

function setDiff(what: string, before: readonly string[], after: readonly string[]): string {
  const plus = after.filter((f) => !before.includes(f));
  const minus = before.filter((f) => !after.includes(f));
  if (plus.length + minus.length === 0) return '';
  return `${what} ${[...plus.map((f) => `+${f}`), ...minus.map((f) => `-${f}`)].join(' ')}`;
}
