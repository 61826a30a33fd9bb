// Joins the parsed documents into MetricSpecs: prefixed rows meet their catalog twins, "See note"
// rows get their fields from the notes, and every field gets its type from the attributes table.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { CatalogError } from './errors.js';
import { metricConstant } from './generate.js';
import { MARKDOWN_LIMITS } from './markdown-limits.js';
import { resolveNotes } from './notes.js';
import { parseAttributes, type AttributeTable } from './parse-attributes.js';
import { parseMetricDocument, type MetricRow } from './parse-metrics.js';
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, type BucketSpec, type DefaultTagKey, type FieldSpec, type MetricSpec, type RetiredMetric } from './spec.js';

export interface Catalog {
  readonly metrics: readonly MetricSpec[];
  readonly defaults: Readonly<Record<DefaultTagKey, FieldSpec>>;
  /** Named histogram boundaries, in documentation order. */
  readonly buckets: readonly BucketSpec[];
  readonly retired: readonly RetiredMetric[];
  /** field -> alias -> canonical value the package sends. */
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface CatalogSources {
  readonly metricsText: string;
  readonly metricsFile: string;
  readonly attributesText: string;
  readonly attributesFile: string;
}

export function loadCatalogFiles(metricsFile: string, attributesFile: string): Catalog {
  return buildCatalog({
    metricsText: readText(metricsFile),
    metricsFile,
    attributesText: readText(attributesFile),
    attributesFile,
  });
}

/**
 * Reads at most one byte more than MARKDOWN_LIMITS.maxBytes: a larger file is not read further,
 * and the parser then reports it as too large. Regular files only, as `verify --file`: opening a
 * pipe waits for a writer and reading one may never end, so the file is opened without blocking
 * and anything else is refused before a byte is read.
 */
function readText(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
    const info = fstatSync(fd);
    if (!info.isFile()) throw new CatalogError(file, 0, `not a regular file (${info.isDirectory() ? 'a directory' : 'a pipe, socket or device'})`);
    const buffer = Buffer.alloc(MARKDOWN_LIMITS.maxBytes + 1);
    let size = 0;
    while (size < buffer.length) {
      const read = readSync(fd, buffer, size, buffer.length - size, null);
      if (read === 0) break;
      size += read;
    }
    return buffer.toString('utf8', 0, size);
  } catch (err) {
    if (err instanceof CatalogError) throw err;
    throw new CatalogError(file, 0, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function buildCatalog(src: CatalogSources): Catalog {
  const attrs = parseAttributes(src.attributesText, src.attributesFile);
  const doc = parseMetricDocument(src.metricsText, src.metricsFile);
  const file = doc.file;

  // Catalog rows first (they carry the section), then prefixed rows join them.
  const byName = new Map<string, MetricRow>();
  const ordered = [...doc.rows.filter((r) => !r.prefixed), ...doc.rows.filter((r) => r.prefixed)];
  for (const row of ordered) {
    const twin = byName.get(row.name);
    if (!twin) {
      byName.set(row.name, row);
      continue;
    }
    const what = twin.prefixed === row.prefixed ? 'duplicates' : 'disagrees with';
    if (twin.kind !== row.kind) {
      throw new CatalogError(file, row.line, `\`${row.written}\` ${what} \`${twin.written}\` (line ${twin.line}): type ${row.kind} vs ${twin.kind}`);
    }
    if (!sameFields(twin.fields, row.fields)) {
      throw new CatalogError(file, row.line, `\`${row.written}\` ${what} \`${twin.written}\` (line ${twin.line}): fields ${fmt(row.fields)} vs ${fmt(twin.fields)}`);
    }
    if (twin.prefixed !== row.prefixed) {
      // The summary table may repeat the wire columns; where it does, they must agree too.
      const wire = [['unit', row.unit, twin.unit], ['buckets', row.buckets, twin.buckets], ['tags', row.tags, twin.tags], ['observed in', row.observedIn, twin.observedIn]] as const;
      for (const [what, mine, theirs] of wire) {
        if (mine !== undefined && theirs !== undefined && mine !== theirs) {
          throw new CatalogError(file, row.line, `\`${row.written}\` disagrees with \`${twin.written}\` (line ${twin.line}): ${what} \`${mine}\` vs \`${theirs}\``);
        }
      }
    }
    if (twin.prefixed === row.prefixed) {
      // Only the prefixed table may repeat a catalog metric: a second catalog row would silently
      // decide which section the metric belongs to.
      throw new CatalogError(file, row.line, `\`${row.written}\` duplicates \`${twin.written}\` (line ${twin.line}); document a metric once in the catalog`);
    }
  }

  // Each metric gets a generated constant (METRIC_CODEX_A_B for `a.b`): `a.b` and `a_b` would share one.
  const constants = new Map<string, MetricRow>();
  for (const row of byName.values()) {
    const constant = metricConstant(DEFAULT_PREFIX + row.name);
    const other = constants.get(constant);
    if (other) throw new CatalogError(file, row.line, `\`${row.written}\` and \`${other.written}\` (line ${other.line}) would both be the constant ${constant}; rename one`);
    constants.set(constant, row);
  }

  const isMetric = (n: string) => byName.has(n);
  const isField = (n: string) => attrs.general.has(n);
  const noteRows = [...byName.values()].filter((r) => r.fields === null);
  const resolved = new Map<number, ReturnType<typeof resolveNotes>>();
  for (const row of noteRows) {
    if (!resolved.has(row.table)) {
      const notes = doc.notes.filter((n) => n.table === row.table);
      // A note gives fields only to the "See note" metrics of its own table.
      const subjects = new Set(noteRows.filter((r) => r.table === row.table).map((r) => r.name));
      const result = resolveNotes(notes, { isSubject: (n) => subjects.has(n), isMetric, isField });
      if (result.problems.length) {
        const p = result.problems[0];
        throw new CatalogError(file, p.line, p.reason);
      }
      resolved.set(row.table, result);
    }
  }

  const buckets = new Map<string, BucketSpec>();
  for (const { line, ...spec } of doc.buckets) buckets.set(spec.name, spec);
  const usedBuckets = new Set<string>();

  const metrics: MetricSpec[] = [];
  for (const row of byName.values()) {
    let required: string[];
    let optional: string[];
    if (row.fields === null) {
      const note = resolved.get(row.table)?.fields.get(row.name);
      if (!note || note.required.size + note.optional.size === 0) {
        throw new CatalogError(file, row.line, `\`${row.written}\` says "See note" but no paragraph under its table names it in backticks with its fields`);
      }
      required = [...note.required];
      optional = [...note.optional];
    } else {
      required = [...row.fields];
      optional = [];
    }
    const fields: Record<string, FieldSpec> = {};
    for (const f of [...required, ...optional]) fields[f] = fieldSpec(attrs, file, row, f);
    if (row.unit === undefined || row.tags === undefined || (row.kind === 'histogram' && row.buckets === undefined)) {
      throw new CatalogError(file, row.line, `\`${row.written}\` is in a table without Unit, Buckets and Tags columns; every catalog table needs them`);
    }
    let bucketSpec: BucketSpec | undefined;
    if (row.kind === 'histogram') {
      bucketSpec = buckets.get(row.buckets!);
      if (!bucketSpec) throw new CatalogError(file, row.line, `\`${row.written}\` names buckets \`${row.buckets}\`, which the Histogram buckets table does not define`);
      usedBuckets.add(bucketSpec.name);
    } else if (row.buckets) {
      throw new CatalogError(file, row.line, `counter \`${row.written}\` cannot have buckets`);
    }
    metrics.push({
      name: row.name,
      kind: row.kind,
      unit: row.unit,
      ...(bucketSpec ? { buckets: bucketSpec } : {}),
      tags: row.tags,
      ...(row.observedIn ? { observedIn: row.observedIn } : {}),
      description: row.description,
      section: row.section,
      required,
      optional,
      fields,
    });
  }
  for (const spec of doc.buckets) {
    if (!usedBuckets.has(spec.name)) throw new CatalogError(file, spec.line, `buckets \`${spec.name}\` are defined but no histogram uses them`);
  }
  const retired: RetiredMetric[] = [];
  const retiredAt = new Map<string, number>();
  for (const { line, ...row } of doc.retired) {
    const prior = retiredAt.get(row.name);
    if (prior !== undefined) throw new CatalogError(file, line, `\`${row.name}\` is already retired at line ${prior}`);
    retiredAt.set(row.name, line);
    if (byName.has(row.name)) throw new CatalogError(file, line, `\`${row.name}\` is both retired and in the catalog`);
    if (row.replacement && !byName.has(row.replacement)) throw new CatalogError(file, line, `replacement \`${row.replacement}\` of retired \`${row.name}\` is not a metric of the catalog`);
    retired.push(row);
  }

  for (const [metric, scoped] of attrs.scoped) {
    if (!byName.has(metric)) {
      const row = [...scoped.values()][0];
      throw new CatalogError(attrs.file, row.line, `field \`${row.name}\` is scoped to \`${metric}\`, which is not a metric in ${file}`);
    }
  }

  const defaults = {} as Record<DefaultTagKey, FieldSpec>;
  for (const key of DEFAULT_TAG_KEYS) {
    const row = attrs.general.get(key);
    if (!row) throw new CatalogError(attrs.file, 1, `default tag \`${key}\` has no row`);
    defaults[key] = strip(row);
  }
  const aliases = Object.fromEntries([...attrs.aliases].map(([field, map]) => [field, Object.fromEntries(map)]));
  return { metrics, defaults, buckets: [...buckets.values()], retired, aliases };
}

function fieldSpec(attrs: AttributeTable, file: string, row: MetricRow, field: string): FieldSpec {
  const found = attrs.scoped.get(row.name)?.get(field) ?? attrs.general.get(field);
  if (!found) throw new CatalogError(file, row.line, `field \`${field}\` of \`${row.written}\` is not in ${attrs.file}`);
  return strip(found);
}

function strip(row: FieldSpec): FieldSpec {
  return { name: row.name, type: row.type, ...(row.values ? { values: row.values } : {}), description: row.description };
}

function sameFields(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

function fmt(f: readonly string[] | null): string {
  return f === null ? 'See note' : f.length ? f.map((x) => `\`${x}\``).join(', ') : '(none)';
}
