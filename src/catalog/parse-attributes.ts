// docs/attributes.md -> typed field rows. One table: | Field | Type | Values | Metrics | Description |
import { CatalogError } from './errors.js';
import { codeSpans, parseMarkdown, textOf, textOutsideCode, viewTable } from './markdown.js';
import { VALUE_PATTERN, type FieldSpec, type FieldType } from './spec.js';

export interface AttributeRow extends FieldSpec {
  readonly line: number;
  /** Metrics this row is scoped to; empty for the general row of the field. */
  readonly metrics: readonly string[];
}

/** alias -> canonical value, per field (the "Value aliases" table). */
export type ValueAliases = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** A row of the "Codex versions of fields and values" table, its range as written. */
export interface VersionRow {
  readonly field: string;
  /** A value of the field; absent when the row dates the field itself. */
  readonly value?: string;
  /** Metrics it applies to; empty for every metric with the field. */
  readonly metrics: readonly string[];
  readonly range: string;
  readonly line: number;
}

export interface AttributeTable {
  readonly file: string;
  readonly aliases: ValueAliases;
  /** field -> unscoped row */
  readonly general: ReadonlyMap<string, AttributeRow>;
  /** metric -> field -> scoped row */
  readonly scoped: ReadonlyMap<string, ReadonlyMap<string, AttributeRow>>;
  readonly rows: readonly AttributeRow[];
  readonly versionRows: readonly VersionRow[];
}

const COLUMNS = ['field', 'type', 'values', 'metrics', 'description'] as const;
const ALIAS_COLUMNS = ['field', 'alias', 'sent as'] as const;
const VERSION_COLUMNS = ['field', 'value', 'metrics', 'codex versions'] as const;
const TYPES: readonly FieldType[] = ['string', 'boolean', 'int'];
export const FIELD_NAME = /^[a-z][a-z0-9_.]*$/;

export function parseAttributes(text: string, file: string): AttributeTable {
  const root = parseMarkdown(text, file);
  const tables = root.children.filter((n) => n.type === 'table');
  if (tables.length === 0) throw new CatalogError(file, 1, 'no attribute table (| Field | Type | Values | Metrics | Description |) found');
  const general = new Map<string, AttributeRow>();
  const scoped = new Map<string, Map<string, AttributeRow>>();
  const rows: AttributeRow[] = [];
  const aliasRows: { field: string; alias: string; canonical: string; line: number }[] = [];
  const versionRows: VersionRow[] = [];

  for (const table of tables) {
    const view = viewTable(table);
    if (view.header.includes('alias')) {
      aliasRows.push(...parseAliases(view, file));
      continue;
    }
    if (view.header.includes('codex versions')) {
      versionRows.push(...parseVersionRows(view, file));
      continue;
    }
    const col = columnIndexes(view.header, file, table.position?.start.line ?? 0);
    for (const { line, cells } of view.rows) {
      const cell = (name: (typeof COLUMNS)[number]) => cells[col[name]];
      const fieldCell = cell('field');
      const names = fieldCell ? codeSpans(fieldCell) : [];
      const name = names[0] ?? (fieldCell ? textOf(fieldCell) : '');
      if (!name) throw new CatalogError(file, line, 'row has no field name');
      if (!FIELD_NAME.test(name)) throw new CatalogError(file, line, `field name \`${name}\` must match [a-z][a-z0-9_.]*`);
      // Prometheus uses `le` for histogram bucket bounds; the Rust emitter rejects it as a tag key.
      if (name === 'le') throw new CatalogError(file, line, 'field name `le` is reserved (histogram bucket label)');
      const typeText = cell('type') ? textOf(cell('type')).toLowerCase() : '';
      if (!TYPES.includes(typeText as FieldType)) {
        throw new CatalogError(file, line, `field \`${name}\` has type "${typeText}"; expected string, boolean or int`);
      }
      const type = typeText as FieldType;
      const values = cell('values') ? codeSpans(cell('values')) : [];
      if (cell('values') && values.length === 0 && textOf(cell('values')) !== '') {
        throw new CatalogError(file, line, `values of \`${name}\` must be written as \`a\` | \`b\``);
      }
      if (type === 'boolean' && values.length > 0) throw new CatalogError(file, line, `boolean field \`${name}\` cannot list values`);
      for (const v of values) {
        if (!VALUE_PATTERN.test(v)) throw new CatalogError(file, line, `value \`${v}\` of \`${name}\` must match [A-Za-z0-9._/-]+`);
      }
      const metricsCell = cell('metrics');
      const metrics = metricsCell ? codeSpans(metricsCell) : [];
      if (metricsCell && metrics.length === 0 && textOutsideCode(metricsCell).trim() !== '') {
        throw new CatalogError(file, line, `metrics of \`${name}\` must be written as \`metric\`, \`metric\``);
      }
      const description = cell('description') ? textOf(cell('description')) : '';
      const row: AttributeRow = { name, type, ...(values.length ? { values } : {}), description, line, metrics };
      rows.push(row);
      if (metrics.length === 0) {
        const prior = general.get(name);
        if (prior) throw new CatalogError(file, line, `field \`${name}\` is already defined at line ${prior.line}`);
        general.set(name, row);
      } else {
        for (const m of metrics) {
          const forMetric = scoped.get(m) ?? new Map<string, AttributeRow>();
          const prior = forMetric.get(name);
          if (prior) throw new CatalogError(file, line, `field \`${name}\` for \`${m}\` is already defined at line ${prior.line}`);
          forMetric.set(name, row);
          scoped.set(m, forMetric);
        }
      }
    }
  }
  for (const [metric, fields] of scoped) {
    for (const [name, row] of fields) {
      if (!general.has(name)) throw new CatalogError(file, row.line, `field \`${name}\` scoped to \`${metric}\` has no unscoped row`);
    }
  }
  const aliases = new Map<string, Map<string, string>>();
  for (const { field, alias, canonical, line } of aliasRows) {
    const row = general.get(field);
    if (!row) throw new CatalogError(file, line, `alias for \`${field}\`, which has no row in the attribute table`);
    if (!row.values?.includes(canonical)) throw new CatalogError(file, line, `alias \`${alias}\` of \`${field}\` is sent as \`${canonical}\`, which is not one of its values`);
    if (row.values.includes(alias)) throw new CatalogError(file, line, `alias \`${alias}\` of \`${field}\` is already one of its values`);
    const forField = aliases.get(field) ?? new Map<string, string>();
    if (forField.has(alias)) throw new CatalogError(file, line, `alias \`${alias}\` of \`${field}\` is defined twice`);
    forField.set(alias, canonical);
    aliases.set(field, forField);
  }
  for (const row of versionRows) {
    if (!general.has(row.field)) throw new CatalogError(file, row.line, `versions of \`${row.field}\`, which has no row in the attribute table`);
  }
  return { file, general, scoped, rows, aliases, versionRows };
}

/** Index of each named column of a secondary table (aliases, versions); a missing one is an error. */
function columnsOf<C extends string>(view: ReturnType<typeof viewTable>, names: readonly C[], file: string, table: string): Record<C, number> {
  const col = {} as Record<C, number>;
  for (const name of names) {
    const i = view.header.indexOf(name);
    if (i < 0) throw new CatalogError(file, view.rows[0]?.line ?? 0, `${table} table is missing the "${name}" column`);
    col[name] = i;
  }
  return col;
}

function parseAliases(view: ReturnType<typeof viewTable>, file: string): { field: string; alias: string; canonical: string; line: number }[] {
  const col = columnsOf(view, ALIAS_COLUMNS, file, 'alias');
  return view.rows.map(({ line, cells }) => {
    const [field, alias, canonical] = ALIAS_COLUMNS.map((c) => (cells[col[c]] ? (codeSpans(cells[col[c]])[0] ?? '') : ''));
    if (!field || !alias || !canonical) throw new CatalogError(file, line, 'alias row needs `field`, `alias` and `sent as` in backticks');
    if (!VALUE_PATTERN.test(alias)) throw new CatalogError(file, line, `alias \`${alias}\` must match [A-Za-z0-9._/-]+`);
    return { field, alias, canonical, line };
  });
}

function parseVersionRows(view: ReturnType<typeof viewTable>, file: string): VersionRow[] {
  const col = columnsOf(view, VERSION_COLUMNS, file, 'versions');
  return view.rows.map(({ line, cells }) => {
    const at = (c: (typeof VERSION_COLUMNS)[number]) => cells[col[c]];
    const field = at('field') ? (codeSpans(at('field'))[0] ?? '') : '';
    if (!field) throw new CatalogError(file, line, 'versions row needs a `field` in backticks');
    const value = at('value') ? codeSpans(at('value'))[0] : undefined;
    const metrics = at('metrics') ? codeSpans(at('metrics')) : [];
    const range = at('codex versions') ? textOf(at('codex versions')) : '';
    if (!range) throw new CatalogError(file, line, `versions row of \`${field}\` needs its Codex versions (\`A..\` or \`A..B\`)`);
    return { field, ...(value !== undefined ? { value } : {}), metrics, range, line };
  });
}

function columnIndexes(header: string[], file: string, line: number): Record<(typeof COLUMNS)[number], number> {
  const out = {} as Record<(typeof COLUMNS)[number], number>;
  for (const name of COLUMNS) {
    const i = header.indexOf(name);
    if (i < 0) throw new CatalogError(file, line, `attribute table is missing the "${name[0].toUpperCase()}${name.slice(1)}" column`);
    out[name] = i;
  }
  return out;
}
