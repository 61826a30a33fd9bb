// docs/metrics.md "Histogram buckets" table -> named boundaries. Boundaries are comma-separated
// numbers as Codex writes them (`0, 5, 10`), or `A..B` for every integer from A to B.
import type { TableView } from './markdown.js';
import { codeSpans, textOf } from './markdown.js';
import { CatalogError } from './errors.js';
import type { BucketSpec } from './spec.js';

/** More boundaries than any real histogram needs; bounds the work a hostile range can ask for. */
export const MAX_BOUNDARIES = 4096;
export const BUCKET_COLUMNS = ['buckets', 'boundaries', 'wide', 'description'] as const;
const NAME = /^[a-z][a-z0-9-]*$/;

export function isBucketTable(header: readonly string[]): boolean {
  return header.includes('buckets') && header.includes('boundaries');
}

export function parseBucketTable(view: TableView, file: string): BucketSpec[] {
  const col = {} as Record<(typeof BUCKET_COLUMNS)[number], number>;
  for (const name of BUCKET_COLUMNS) {
    const i = view.header.indexOf(name);
    if (i < 0) throw new CatalogError(file, view.rows[0]?.line ?? 0, `bucket table is missing the "${name}" column`);
    col[name] = i;
  }
  const out: BucketSpec[] = [];
  for (const { line, cells } of view.rows) {
    const cell = (name: (typeof BUCKET_COLUMNS)[number]) => (cells[col[name]] ? textOf(cells[col[name]]) : '');
    const name = cells[col.buckets] ? (codeSpans(cells[col.buckets])[0] ?? cell('buckets')) : '';
    if (!NAME.test(name)) throw new CatalogError(file, line, `bucket name \`${name}\` must match [a-z][a-z0-9-]*`);
    if (out.some((b) => b.name === name)) throw new CatalogError(file, line, `buckets \`${name}\` are defined twice`);
    const boundaries = parseBoundaries(cell('boundaries'), file, line, name);
    if (boundaries.length === 0) throw new CatalogError(file, line, `buckets \`${name}\` list no boundaries`);
    const wideText = cell('wide');
    const wide = wideText === '' ? boundaries : parseBoundaries(wideText, file, line, name);
    out.push({ name, boundaries, wide, description: cell('description') });
  }
  return out;
}

export function parseBoundaries(text: string, file: string, line: number, name: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const range = /^(-?\d+)\.\.(-?\d+)$/.exec(part);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (to < from || to - from + 1 + out.length > MAX_BOUNDARIES) {
        throw new CatalogError(file, line, `buckets \`${name}\`: range ${part} must be ascending and give at most ${MAX_BOUNDARIES} boundaries in all`);
      }
      for (let v = from; v <= to; v++) out.push(v);
      continue;
    }
    const value = Number(part);
    if (!/^-?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(part) || !Number.isFinite(value)) {
      throw new CatalogError(file, line, `buckets \`${name}\`: "${part.slice(0, 40)}" is not a number or A..B range`);
    }
    out.push(value);
    if (out.length > MAX_BOUNDARIES) throw new CatalogError(file, line, `buckets \`${name}\` list more than ${MAX_BOUNDARIES} boundaries`);
  }
  for (let i = 1; i < out.length; i++) {
    if (!(out[i] > out[i - 1])) throw new CatalogError(file, line, `buckets \`${name}\` must be strictly increasing (${out[i - 1]} then ${out[i]})`);
  }
  return out;
}
