// docs/metrics.md -> raw table rows and the note paragraphs under each table.
import type { Paragraph } from 'mdast';
import { CatalogError } from './errors.js';
import { codeSpans, lineOf, parseMarkdown, textOf, textOutsideCode, viewTable, type TableView } from './markdown.js';
import { isBucketTable, parseBucketTable } from './parse-buckets.js';
import { isRetiredTable, parseRetiredTable, type RetiredRow } from './parse-retired.js';
import { compareVersions, RELEASE_VERSION } from './versions.js';
import { DEFAULT_PREFIX, TAG_SCOPES, type BucketSpec, type MetricKind, type TagScope } from './spec.js';

export interface MetricRow {
  /** Name as written, prefix included when the row had one. */
  readonly written: string;
  /** Name without the `codex.` prefix. */
  readonly name: string;
  readonly prefixed: boolean;
  readonly kind: MetricKind;
  /** Fields listed in the row; `null` when the row says "See note". */
  readonly fields: readonly string[] | null;
  readonly description: string;
  readonly section: string;
  readonly line: number;
  readonly table: number;
  /** Wire columns; absent when the table has no such column (the prefixed summary table). */
  readonly unit?: string;
  /** Name of the bucket boundaries (histograms); `''` when the cell is empty. */
  readonly buckets?: string;
  readonly tags?: TagScope;
  /** The Codex versions cell as written (`0.160.0..`); `''` when empty. Checked when joining. */
  readonly versions?: string;
}

export interface NoteParagraph {
  readonly table: number;
  readonly line: number;
  readonly paragraph: Paragraph;
}

export interface MetricDocument {
  readonly file: string;
  readonly rows: readonly MetricRow[];
  readonly notes: readonly NoteParagraph[];
  readonly buckets: readonly (BucketSpec & { readonly line: number })[];
  readonly retired: readonly RetiredRow[];
  /** The covered Codex versions ("Codex versions" table), oldest first. */
  readonly codexVersions: readonly string[];
  readonly codexVersionsLine: number;
}

const COLUMNS = ['metric', 'type', 'fields', 'description'] as const;
/** Columns a metric table may add; the catalog tables must have them (checked when joining). */
const WIRE_COLUMNS = ['unit', 'buckets', 'tags', 'codex versions'] as const;
export const METRIC_NAME = /^[a-z0-9_.]+$/;
const SEE_NOTE = /^see notes?\.?$/i;

export function parseMetricDocument(text: string, file: string): MetricDocument {
  const root = parseMarkdown(text, file);
  const rows: MetricRow[] = [];
  const notes: NoteParagraph[] = [];
  const buckets: (BucketSpec & { line: number })[] = [];
  const retired: RetiredRow[] = [];
  const codexVersions: string[] = [];
  let codexVersionsLine = 0;
  let section = '';
  let table = -1; // index of the last table seen in the current section, -1 when none

  for (const node of root.children) {
    if (node.type === 'heading') {
      section = textOf(node);
      table = -1;
      continue;
    }
    if (node.type === 'paragraph') {
      // A table whose delimiter row (| --- |) is broken parses as a paragraph of pipes: say so
      // rather than silently losing its rows.
      if (/^\s*\|.*\|\s*$/m.test(textOf(node)) && /`[^`]+`\s*\|\s*(counter|histogram)/i.test(sourceText(text, node))) {
        throw new CatalogError(file, lineOf(node), 'looks like a metric table but is not one; check its header and | --- | delimiter row');
      }
      if (table >= 0) notes.push({ table, line: lineOf(node), paragraph: node });
      continue;
    }
    if (node.type !== 'table') continue;
    const view = viewTable(node);
    if (isBucketTable(view.header)) {
      const line = lineOf(node);
      buckets.push(...parseBucketTable(view, file).map((b, i) => ({ ...b, line: view.rows[i]?.line ?? line })));
      table = -1;
      continue;
    }
    const versionColumn = view.header.indexOf('codex version');
    if (versionColumn >= 0) {
      if (codexVersionsLine) throw new CatalogError(file, lineOf(node), `a second "Codex version" table (the first is at line ${codexVersionsLine})`);
      codexVersionsLine = lineOf(node);
      for (const { line, cells } of view.rows) {
        const cell = cells[versionColumn];
        const version = cell ? (codeSpans(cell)[0] ?? textOf(cell)) : '';
        if (!RELEASE_VERSION.test(version)) throw new CatalogError(file, line, `Codex version "${version}" is not a release version such as 0.171.0`);
        const last = codexVersions[codexVersions.length - 1];
        if (last !== undefined && compareVersions(version, last) <= 0) throw new CatalogError(file, line, `Codex versions must be listed oldest first, each once (${version} after ${last})`);
        codexVersions.push(version);
      }
      table = -1;
      continue;
    }
    if (isRetiredTable(view.header)) {
      retired.push(...parseRetiredTable(view, file));
      table = -1;
      continue;
    }
    // Tables without any metric-table column are not ours to judge; a table with some of them must
    // have all four (a misspelt header must not drop a whole section).
    if (!COLUMNS.some((c) => view.header.some((h) => h.startsWith(c)))) continue;
    table = lineOf(node);
    const col = {} as Record<(typeof COLUMNS)[number], number>;
    for (const name of COLUMNS) {
      const i = view.header.indexOf(name);
      if (i < 0) throw new CatalogError(file, table, `metric table is missing the "${name[0].toUpperCase()}${name.slice(1)}" column`);
      col[name] = i;
    }
    for (const { line, cells } of view.rows) {
      const cell = (name: (typeof COLUMNS)[number]) => cells[col[name]];
      if (cells.length < view.header.length || COLUMNS.some((c) => cell(c) === undefined)) {
        throw new CatalogError(file, line, `row has ${cells.length} cells; the table has ${view.header.length} columns`);
      }
      const names = codeSpans(cell('metric'));
      const written = names[0] ?? textOf(cell('metric'));
      if (!written) throw new CatalogError(file, line, 'row has no metric name');
      if (names.length > 1 || (names.length === 1 && textOutsideCode(cell('metric')).trim() !== '')) {
        throw new CatalogError(file, line, `the Metric column must hold one \`name\` and nothing else (found "${textOf(cell('metric'))}")`);
      }
      const prefixed = written.startsWith(DEFAULT_PREFIX);
      const name = prefixed ? written.slice(DEFAULT_PREFIX.length) : written;
      if (!METRIC_NAME.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
        throw new CatalogError(file, line, `metric name \`${written}\` must match [a-z0-9_.] (dot-separated, no empty parts)`);
      }
      const typeText = textOf(cell('type')).toLowerCase();
      if (typeText !== 'counter' && typeText !== 'histogram') {
        throw new CatalogError(file, line, `\`${written}\` has type "${typeText}"; expected counter or histogram`);
      }
      const fieldsText = textOf(cell('fields'));
      let fields: string[] | null;
      if (SEE_NOTE.test(fieldsText)) {
        fields = null;
      } else {
        fields = codeSpans(cell('fields'));
        const stray = textOutsideCode(cell('fields')).replace(/[\s,]/g, '');
        if (stray !== '') {
          throw new CatalogError(file, line, `fields of \`${written}\` must be \`field\` names separated by commas, or "See note" (found "${fieldsText}")`);
        }
        const seen = new Set<string>();
        for (const f of fields) {
          if (seen.has(f)) throw new CatalogError(file, line, `\`${written}\` lists field \`${f}\` twice`);
          seen.add(f);
        }
      }
      rows.push({ written, name, prefixed, kind: typeText, fields, description: textOf(cell('description')), section, line, table, ...wireCells(view, cells, file, line, written) });
    }
  }
  if (rows.length === 0) throw new CatalogError(file, 1, 'no metric table (| Metric | Type | Fields | Description |) found');
  return { file, rows, notes, buckets, retired, codexVersions, codexVersionsLine };
}

/** The optional Unit / Buckets / Tags / Observed in cells of a row, validated. */
function wireCells(view: TableView, cells: TableView['rows'][number]['cells'], file: string, line: number, written: string): Partial<MetricRow> {
  const out: { unit?: string; buckets?: string; tags?: TagScope; versions?: string } = {};
  for (const column of WIRE_COLUMNS) {
    const i = view.header.indexOf(column);
    if (i < 0) continue;
    const node = cells[i];
    const text = node ? textOf(node) : '';
    const code = node ? (codeSpans(node)[0] ?? text) : '';
    if (column === 'unit') {
      if (!/^(1|ms|s|By|\{[a-z_]+\})$/.test(code)) throw new CatalogError(file, line, `\`${written}\` has unit "${code}"; expected \`ms\`, \`s\`, \`By\`, \`1\` or an annotation such as \`{token}\``);
      out.unit = code;
    } else if (column === 'buckets') {
      out.buckets = code;
    } else if (column === 'tags') {
      if (!(TAG_SCOPES as readonly string[]).includes(text)) throw new CatalogError(file, line, `\`${written}\` has tags "${text}"; expected ${TAG_SCOPES.join(', ')}`);
      out.tags = text as TagScope;
    } else {
      out.versions = text;
    }
  }
  return out;
}

/** The Markdown source of a node (inline code keeps its backticks, unlike textOf). */
function sourceText(text: string, node: { position?: { start: { offset?: number }; end: { offset?: number } } }): string {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  return start === undefined || end === undefined ? '' : text.slice(start, end);
}
