// Joins the parsed documents into MetricSpecs: prefixed rows meet their catalog twins, "See note"
// rows get their fields from the notes, and every field gets its type from the attributes table.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { CatalogError } from './errors.js';
import { metricConstant } from './generate.js';
import { MARKDOWN_LIMITS } from './markdown-limits.js';
import { resolveNotes } from './notes.js';
import { FIELD_NAME, parseAttributes, type AttributeTable, type VersionRow } from './parse-attributes.js';
import { parseMetricDocument, type MetricRow } from './parse-metrics.js';
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, type BucketSpec, type DefaultTagKey, type FieldSpec, type MetricSpec, type RetiredMetric, type VersionRange } from './spec.js';
import { inferWire, UPSTREAM_FIELD_NOTE } from './upstream.js';
import { parseVersionRange } from './versions.js';

export interface Catalog {
  readonly metrics: readonly MetricSpec[];
  readonly defaults: Readonly<Record<DefaultTagKey, FieldSpec>>;
  /** Named histogram boundaries, in documentation order. */
  readonly buckets: readonly BucketSpec[];
  readonly retired: readonly RetiredMetric[];
  /** field -> alias -> canonical value the package sends. */
  readonly aliases: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The covered Codex versions, oldest first (docs/metrics.md "Codex versions"). */
  readonly codexVersions: readonly string[];
  /**
   * `package`: docs/metrics.md's own tables (Unit, Buckets, Tags, Codex versions). `upstream`: the
   * four-column tables of Codex's documentation, whose wire properties were inferred.
   */
  readonly format: 'package' | 'upstream';
  /** What a reader of an upstream page must check by hand (fields typed by default, notes not read). */
  readonly notices: readonly string[];
}

export interface CatalogSources {
  readonly metricsText: string;
  readonly metricsFile: string;
  readonly attributesText: string;
  readonly attributesFile: string;
  /**
   * Bucket families an upstream page (which defines none) refers to by the inference rules:
   * normally the "Histogram buckets" of the package's docs/metrics.md.
   */
  readonly baselineBuckets?: readonly BucketSpec[];
}

export function loadCatalogFiles(metricsFile: string, attributesFile: string, baselineBuckets?: readonly BucketSpec[]): Catalog {
  return buildCatalog({
    metricsText: readText(metricsFile),
    metricsFile,
    attributesText: readText(attributesFile),
    attributesFile,
    ...(baselineBuckets ? { baselineBuckets } : {}),
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
  const parsed = parseMetricDocument(src.metricsText, src.metricsFile);
  const file = parsed.file;
  // The upstream format: no catalog table has the wire columns. Mixing both is an error below.
  const upstream = parsed.rows.every((r) => r.prefixed || r.unit === undefined) && parsed.buckets.length === 0;
  const notices: string[] = [];
  const doc = upstream ? { ...parsed, rows: parsed.rows.map((r) => (r.prefixed ? r : { ...r, ...inferWire(r) })), buckets: (src.baselineBuckets ?? []).map((b) => ({ ...b, line: 0 })) } : parsed;

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
      const wire = [['unit', row.unit, twin.unit], ['buckets', row.buckets, twin.buckets], ['tags', row.tags, twin.tags], ['codex versions', row.versions, twin.versions]] as const;
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
  // An upstream page may name fields docs/attributes.md does not know yet; they become open strings.
  const isField = (n: string) => attrs.general.has(n) || (upstream && FIELD_NAME.test(n) && !isMetric(n));
  const noteRows = [...byName.values()].filter((r) => r.fields === null);
  const resolved = new Map<number, ReturnType<typeof resolveNotes>>();
  for (const row of noteRows) {
    if (!resolved.has(row.table)) {
      const notes = doc.notes.filter((n) => n.table === row.table);
      // A note gives fields only to the "See note" metrics of its own table.
      const subjects = new Set(noteRows.filter((r) => r.table === row.table).map((r) => r.name));
      const result = resolveNotes(notes, { isSubject: (n) => subjects.has(n), isMetric, isField });
      if (result.problems.length && !upstream) {
        const p = result.problems[0];
        throw new CatalogError(file, p.line, p.reason);
      }
      for (const p of upstream ? result.problems : []) notices.push(`${file}:${p.line}: note not read (${p.reason})`);
      resolved.set(row.table, result);
    }
  }

  const codexVersions = doc.codexVersions;
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
        const reason = `\`${row.written}\` says "See note" but no paragraph under its table names it in backticks with its fields`;
        if (!upstream) throw new CatalogError(file, row.line, reason);
        notices.push(`${file}:${row.line}: ${reason}; it gets no fields, check the page by hand`);
      }
      required = [...(note?.required ?? [])];
      optional = [...(note?.optional ?? [])];
    } else {
      required = [...row.fields];
      optional = [];
    }
    const fields: Record<string, FieldSpec> = {};
    for (const f of [...required, ...optional]) {
      if (upstream && !attrs.general.has(f)) {
        if (!FIELD_NAME.test(f) || f === 'le') throw new CatalogError(file, row.line, `field \`${f}\` of \`${row.written}\` must match [a-z][a-z0-9_.]* (and not be \`le\`)`);
        fields[f] = { name: f, type: 'string', description: UPSTREAM_FIELD_NOTE };
        notices.push(`${file}:${row.line}: field \`${f}\` of \`${row.name}\` is not in ${attrs.file}; typed as an open string`);
        continue;
      }
      const spec = fieldSpec(attrs, file, row, f);
      fields[f] = upstream ? spec : withVersions(spec, row.name, attrs.versionRows, codexVersions, attrs.file);
    }
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
    const versions = row.versions ? parseVersionRange(row.versions, codexVersions, file, row.line, `\`${row.written}\``) : undefined;
    metrics.push({
      name: row.name,
      kind: row.kind,
      unit: row.unit,
      ...(bucketSpec ? { buckets: bucketSpec } : {}),
      tags: row.tags,
      ...(versions ? { versions } : {}),
      description: row.description,
      section: row.section,
      required,
      optional,
      fields,
    });
  }
  for (const spec of upstream ? [] : doc.buckets) {
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

  // An upstream page lacks the metrics observed only on the wire, which docs/attributes.md may scope fields to.
  for (const [metric, scoped] of upstream ? [] : attrs.scoped) {
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
  for (const row of upstream ? [] : attrs.versionRows) {
    const unknown = row.metrics.find((m) => !byName.has(m));
    if (unknown !== undefined) throw new CatalogError(attrs.file, row.line, `versions of \`${row.field}\` name \`${unknown}\`, which is not a metric in ${file}`);
    const carriers = metrics.filter((m) => (row.metrics.length === 0 || row.metrics.includes(m.name)) && Object.hasOwn(m.fields, row.field));
    if (carriers.length === 0) throw new CatalogError(attrs.file, row.line, `versions of \`${row.field}\` apply to no metric that has that field`);
  }
  const aliases = Object.fromEntries([...attrs.aliases].map(([field, map]) => [field, Object.fromEntries(map)]));
  const used = upstream ? [...buckets.values()].filter((b) => usedBuckets.has(b.name)) : [...buckets.values()];
  return { metrics, defaults, buckets: used, retired, aliases, codexVersions, format: upstream ? 'upstream' : 'package', notices };
}

/** The field's spec on `metric` with the Codex versions the attributes doc gives it (and its values) there. */
function withVersions(spec: FieldSpec, metric: string, rows: readonly VersionRow[], covered: readonly string[], file: string): FieldSpec {
  let versions: VersionRange | undefined;
  const valueVersions: Record<string, VersionRange> = {};
  for (const row of rows) {
    if (row.field !== spec.name || (row.metrics.length > 0 && !row.metrics.includes(metric))) continue;
    const what = `\`${row.field}\`${row.value !== undefined ? ` value \`${row.value}\`` : ''} of \`${metric}\``;
    const range = parseVersionRange(row.range, covered, file, row.line, what);
    if (row.value === undefined) {
      if (versions) throw new CatalogError(file, row.line, `${what} is dated twice`);
      versions = range;
      continue;
    }
    if (spec.values && !spec.values.includes(row.value)) throw new CatalogError(file, row.line, `${what} is not one of its values (${spec.values.join(' | ')})`);
    if (Object.hasOwn(valueVersions, row.value)) throw new CatalogError(file, row.line, `${what} is dated twice`);
    valueVersions[row.value] = range;
  }
  return { ...spec, ...(versions ? { versions } : {}), ...(Object.keys(valueVersions).length ? { valueVersions } : {}) };
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
