// docs/attributes.md -> typed field rows. One table: | Field | Type | Values | Metrics | Description |
import { CatalogError } from './errors.js';
import { codeSpans, parseMarkdown, textOf, textOutsideCode, viewTable } from './markdown.js';
import { VALUE_PATTERN, type FieldSpec, type FieldType } from './spec.js';

export interface AttributeRow extends FieldSpec {
  readonly line: number;
  /** Metrics this row is scoped to; empty for the general row of the field. */
  readonly metrics: readonly string[];
}

export interface AttributeTable {
  readonly file: string;
  /** field -> unscoped row */
  readonly general: ReadonlyMap<string, AttributeRow>;
  /** metric -> field -> scoped row */
  readonly scoped: ReadonlyMap<string, ReadonlyMap<string, AttributeRow>>;
  readonly rows: readonly AttributeRow[];
}

const COLUMNS = ['field', 'type', 'values', 'metrics', 'description'] as const;
const TYPES: readonly FieldType[] = ['string', 'boolean', 'int'];
export const FIELD_NAME = /^[a-z][a-z0-9_.]*$/;

export function parseAttributes(text: string, file: string): AttributeTable {
  const root = parseMarkdown(text);
  const tables = root.children.filter((n) => n.type === 'table');
  if (tables.length === 0) throw new CatalogError(file, 1, 'no attribute table (| Field | Type | Values | Metrics | Description |) found');
  const general = new Map<string, AttributeRow>();
  const scoped = new Map<string, Map<string, AttributeRow>>();
  const rows: AttributeRow[] = [];

  for (const table of tables) {
    const view = viewTable(table);
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
  return { file, general, scoped, rows };
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
