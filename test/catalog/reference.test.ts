// docs/metrics.md against the upstream reference catalog: every row (name, type, listed fields,
// description, section) and every "See note" metric must match what the reference documents.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../../src/catalog/build.js';
import { CatalogError } from '../../src/catalog/errors.js';
import { resolveNotes } from '../../src/catalog/notes.js';
import { parseAttributes } from '../../src/catalog/parse-attributes.js';
import { parseMetricDocument, type MetricRow } from '../../src/catalog/parse-metrics.js';
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, SECTIONS } from '../../src/catalog/spec.js';
import { ATTRIBUTES_DOC, attributesText, build, lineContaining, METRICS_DOC, metricsText, REFERENCE_FILE, REFERENCE_FIXTURE, SHARED_REFERENCE } from './helpers.js';

const referenceText = readFileSync(REFERENCE_FILE, 'utf8');
const reference = parseMetricDocument(referenceText, REFERENCE_FILE);
const docs = parseMetricDocument(metricsText, METRICS_DOC);
const catalog = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
const attributes = parseAttributes(attributesText, ATTRIBUTES_DOC);

const catalogRows = (rows: readonly MetricRow[]) => rows.filter((r) => !r.prefixed);
const prefixedRows = (rows: readonly MetricRow[]) => rows.filter((r) => r.prefixed);
/** What a row documents, without where it sits in its file. */
const fact = (r: MetricRow) => ({ written: r.written, name: r.name, kind: r.kind, fields: r.fields, description: r.description, section: r.section });

/**
 * Fields of every "See note" metric, read by hand from the notes of the reference. Optional are the
 * fields in a clause that says "when", "on failures", "also" or "may".
 */
const SEE_NOTE_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  'cloud_requirements.fetch_attempt': { required: ['trigger', 'attempt', 'outcome', 'status_code'], optional: [] },
  'cloud_requirements.fetch_final': { required: ['trigger', 'outcome', 'reason', 'attempt_count', 'status_code'], optional: [] },
  'mcp.call': { required: ['status'], optional: ['tool', 'connector_id', 'connector_name'] },
  'mcp.call.duration_ms': { required: ['status'], optional: ['tool', 'connector_id', 'connector_name'] },
  shell_snapshot: { required: ['success'], optional: ['failure_reason'] },
  'external_agent_config.detect': { required: ['migration_type'], optional: ['skills_count'] },
  'external_agent_config.import': { required: ['migration_type'], optional: ['skills_count'] },
  // "The elevated setup failure metrics include `code` and `message` when ... available, and may include `originator` ..."
  'windows_sandbox.elevated_setup_failure': { required: [], optional: ['code', 'message', 'originator'] },
  'windows_sandbox.elevated_setup_canceled': { required: [], optional: ['code', 'message', 'originator'] },
  // "... includes `originator` when emitted from the shared setup path, but ... may not include any fields."
  'windows_sandbox.legacy_setup_preflight_failed': { required: [], optional: ['originator'] },
};
/** The reference names these two only as "The elevated setup failure metrics". */
const UNNAMED_IN_REFERENCE_NOTES = ['windows_sandbox.elevated_setup_failure', 'windows_sandbox.elevated_setup_canceled'];

describe('the reference file', () => {
  it('is the shared upstream reference (the fixture copy is verbatim)', () => {
    if (existsSync(SHARED_REFERENCE)) expect(readFileSync(REFERENCE_FIXTURE, 'utf8')).toBe(readFileSync(SHARED_REFERENCE, 'utf8'));
    expect(referenceText).toContain('| Metric | Type | Fields | Description |');
  });

  it('has 106 rows: 10 `codex.`-prefixed and 96 catalog rows naming 96 distinct metrics', () => {
    expect(reference.rows).toHaveLength(106);
    expect(prefixedRows(reference.rows)).toHaveLength(10);
    expect(catalogRows(reference.rows)).toHaveLength(96);
    expect(new Set(catalogRows(reference.rows).map((r) => r.name)).size).toBe(96);
    expect(new Set(reference.rows.map((r) => r.name)).size).toBe(96);
  });

  it('prefixed rows equal their catalog twins (type, fields, description)', () => {
    const byName = new Map(catalogRows(reference.rows).map((r) => [r.name, r]));
    for (const row of prefixedRows(reference.rows)) {
      expect(row.written).toBe(DEFAULT_PREFIX + row.name);
      const twin = byName.get(row.name);
      expect(twin, row.written).toBeDefined();
      expect({ kind: row.kind, fields: row.fields, description: row.description }, row.written).toEqual({ kind: twin!.kind, fields: twin!.fields, description: twin!.description });
    }
  });

  it('puts prefixed rows under "OTel metrics emitted" and catalog rows under the five sections, in order', () => {
    expect(new Set(prefixedRows(reference.rows).map((r) => r.section))).toEqual(new Set(['OTel metrics emitted']));
    const sections = [...new Set(catalogRows(reference.rows).map((r) => r.section))];
    expect(sections).toEqual([...SECTIONS]);
  });

  it('names the same default tags as DEFAULT_TAG_KEYS', () => {
    const line = referenceText.split('\n').find((l) => l.includes('default metadata tags'));
    expect(line).toBeDefined();
    expect([...line!.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual([...DEFAULT_TAG_KEYS]);
  });
});

describe('docs/metrics.md against the reference', () => {
  it('has the same rows, one for one and in the same order', () => {
    expect(docs.rows.map(fact)).toEqual(reference.rows.map(fact));
  });

  it('misses no reference metric and adds none', () => {
    const documented = new Set(catalog.metrics.map((m) => m.name));
    const referenced = new Set(reference.rows.map((r) => r.name));
    expect([...referenced].filter((n) => !documented.has(n))).toEqual([]);
    expect([...documented].filter((n) => !referenced.has(n))).toEqual([]);
    expect(catalog.metrics).toHaveLength(96);
  });

  it('builds each listed-field metric exactly as its reference row says', () => {
    const byName = new Map(catalog.metrics.map((m) => [m.name, m]));
    for (const row of catalogRows(reference.rows)) {
      const m = byName.get(row.name)!;
      expect({ kind: m.kind, section: m.section, description: m.description }, row.name).toEqual({ kind: row.kind, section: row.section, description: row.description });
      if (row.fields !== null) expect({ required: m.required, optional: m.optional }, row.name).toEqual({ required: row.fields, optional: [] });
    }
    expect(catalog.metrics.map((m) => m.name)).toEqual(catalogRows(reference.rows).map((r) => r.name));
  });

  it('resolves every "See note" metric to the fields the reference notes give', () => {
    const seeNote = catalogRows(reference.rows).filter((r) => r.fields === null).map((r) => r.name);
    expect(seeNote.sort()).toEqual(Object.keys(SEE_NOTE_FIELDS).sort());
    for (const name of seeNote) {
      const m = catalog.metrics.find((x) => x.name === name)!;
      expect({ required: m.required, optional: m.optional }, name).toEqual(SEE_NOTE_FIELDS[name]);
    }
  });

  it('differs from the reference only where the reference leaves the elevated setup metrics unnamed', () => {
    const docLines = metricsText.split('\n');
    const refLines = referenceText.split('\n');
    // Same tail from the first heading on, except one note sentence.
    const from = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('### OTel metrics emitted')));
    const a = from(docLines);
    const b = from(refLines);
    expect(a).toHaveLength(b.length);
    const differing = a.map((l, i) => (l === b[i] ? -1 : i)).filter((i) => i >= 0);
    expect(differing).toHaveLength(1);
    expect(b[differing[0]]).toMatch(/^The elevated setup failure metrics include/);
    expect(a[differing[0]]).toMatch(/^The `windows_sandbox\.elevated_setup_failure` and `windows_sandbox\.elevated_setup_canceled` metrics include/);
  });
});

describe('the reference notes, resolved on their own', () => {
  const names = new Set(reference.rows.map((r) => r.name));
  const isMetric = (n: string) => names.has(n);
  const isField = (n: string) => attributes.general.has(n);

  it('give the expected fields for every "See note" metric they name, and name no unknown field', () => {
    const tables = [...new Set(reference.rows.filter((r) => r.fields === null).map((r) => r.table))];
    const resolved = new Map<string, { required: string[]; optional: string[] }>();
    for (const table of tables) {
      const subjects = new Set(reference.rows.filter((r) => r.table === table && r.fields === null).map((r) => r.name));
      const { fields, problems } = resolveNotes(
        reference.notes.filter((n) => n.table === table),
        { isSubject: (n) => subjects.has(n), isMetric, isField },
      );
      expect(problems).toEqual([]);
      for (const [metric, f] of fields) resolved.set(metric, { required: [...f.required], optional: [...f.optional] });
    }
    for (const [name, expected] of Object.entries(SEE_NOTE_FIELDS)) {
      if (UNNAMED_IN_REFERENCE_NOTES.includes(name)) expect(resolved.has(name), name).toBe(false);
      else expect(resolved.get(name), name).toEqual(expected);
    }
  });

  it('make buildCatalog stop at the first elevated setup row, naming metric and line', () => {
    const line = lineContaining(referenceText, '| `windows_sandbox.elevated_setup_failure` |');
    let error: unknown;
    try {
      build(referenceText, attributesText, { metrics: 'reference.md', attributes: 'attributes.md' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CatalogError);
    expect((error as CatalogError).message).toMatch(new RegExp(`^reference\\.md:${line}: \`windows_sandbox\\.elevated_setup_failure\` says "See note"`));
  });

  it('build the same catalog as docs/metrics.md once that sentence names its metrics', () => {
    const named = referenceText.replace(
      'The elevated setup failure metrics include',
      'The `windows_sandbox.elevated_setup_failure` and `windows_sandbox.elevated_setup_canceled` metrics include',
    );
    expect(named).not.toBe(referenceText);
    expect(build(named)).toEqual(catalog);
  });
});
