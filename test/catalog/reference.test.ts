// docs/metrics.md against the upstream reference catalog (a verbatim copy of the upstream page).
// The docs describe what the Codex CLI really sends, so they may widen the reference but never lose
// any of it: every reference metric is in the registry (same kind, the reference's description
// words in order, at least its fields and values) or retired; every registry metric the reference
// lacks was observed on the wire; the upstream sections keep their metrics, in order.
import { existsSync, readFileSync } from 'node:fs';
import type { Heading } from 'mdast';
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../../src/catalog/build.js';
import { parseMarkdown, textOf } from '../../src/catalog/markdown.js';
import { resolveNotes } from '../../src/catalog/notes.js';
import { parseAttributes } from '../../src/catalog/parse-attributes.js';
import { parseMetricDocument, type MetricRow } from '../../src/catalog/parse-metrics.js';
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, type MetricSpec } from '../../src/catalog/spec.js';
import { ATTRIBUTES_DOC, attributesText, columnOf, isTableLine, METRICS_DOC, metricsText, REFERENCE_FILE, REFERENCE_FIXTURE, SHARED_REFERENCE, splitRow } from './helpers.js';

const referenceText = readFileSync(REFERENCE_FILE, 'utf8');
const reference = parseMetricDocument(referenceText, REFERENCE_FILE);
const docs = parseMetricDocument(metricsText, METRICS_DOC);
const catalog = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
const attributes = parseAttributes(attributesText, ATTRIBUTES_DOC);

const catalogRows = (rows: readonly MetricRow[]) => rows.filter((r) => !r.prefixed);
const prefixedRows = (rows: readonly MetricRow[]) => rows.filter((r) => r.prefixed);
const registry = new Map(catalog.metrics.map((m) => [m.name, m]));
const retired = new Map(catalog.retired.map((r) => [r.name, r]));
const referenced = new Set(reference.rows.map((r) => r.name));
const unique = <T,>(xs: readonly T[]) => [...new Set(xs)];

/** The registry metric that carries a reference metric now: itself, or the replacement of a renamed one. */
function carrier(name: string): MetricSpec | undefined {
  return registry.get(name) ?? registry.get(retired.get(name)?.replacement ?? '');
}

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

/** Every field the reference documents for a row: its listed fields, or those its notes give. */
function referenceFields(row: MetricRow): string[] {
  if (row.fields !== null) return [...row.fields];
  const note = SEE_NOTE_FIELDS[row.name];
  if (!note) throw new Error(`no hand-read note fields for ${row.name}`);
  return [...note.required, ...note.optional];
}

/** Words of a description: lower case, backticks and punctuation dropped. */
const words = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

/** True when every word of `sub` occurs in `text` in the same order, other words allowed between. */
function inOrder(sub: readonly string[], text: readonly string[]): boolean {
  let i = 0;
  for (const w of text) if (i < sub.length && w === sub[i]) i++;
  return i === sub.length;
}

/** Reference description words as they read after a rename (`cloud requirements` -> `cloud config bundle`). */
function renamedWords(description: string, from: string, to: string): string[] {
  const [a, b] = [words(from), words(to)];
  const removed = a.filter((w) => !b.includes(w));
  const added = b.filter((w) => !a.includes(w));
  return words(description).flatMap((w) => (w === removed[0] ? added : removed.includes(w) ? [] : [w]));
}

/** Backticked values in the Description cell of a reference row (read from the raw line, not the parser). */
function descriptionCodes(row: MetricRow): string[] {
  const lines = referenceText.split('\n');
  const header = splitRow(lines[row.table - 1]);
  const cell = splitRow(lines[row.line - 1])[columnOf(header, 'Description')];
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

/** Headings (depth 4) under the depth-3 heading of docs/metrics.md whose text starts with `title`. */
function subsectionsOf(title: string): string[] {
  const headings = parseMarkdown(metricsText, METRICS_DOC).children.filter((n): n is Heading => n.type === 'heading');
  const start = headings.findIndex((h) => h.depth === 3 && textOf(h).startsWith(title));
  if (start < 0) return [];
  const end = headings.findIndex((h, i) => i > start && h.depth <= 3);
  return headings.slice(start + 1, end < 0 ? undefined : end).filter((h) => h.depth === 4).map(textOf);
}
const OBSERVED_SECTIONS = subsectionsOf('Observed on the wire');
const REFERENCE_SECTIONS = unique(catalogRows(reference.rows).map((r) => r.section));

describe('the reference file', () => {
  it('is the shared upstream reference (the fixture copy is verbatim)', () => {
    if (existsSync(SHARED_REFERENCE)) expect(readFileSync(REFERENCE_FIXTURE, 'utf8')).toBe(readFileSync(SHARED_REFERENCE, 'utf8'));
    expect(referenceText).toContain('| Metric | Type | Fields | Description |');
  });

  it('parses to one row per table line that names a metric, each name documented once in the catalog', () => {
    const tableRows = referenceText.split('\n').filter((l) => isTableLine(l) && /^\|\s*`/.test(l));
    expect(reference.rows).toHaveLength(tableRows.length);
    expect(reference.rows.map((r) => r.written)).toEqual(tableRows.map((l) => splitRow(l)[0].replace(/`/g, '')));
    expect(new Set(catalogRows(reference.rows).map((r) => r.name)).size).toBe(catalogRows(reference.rows).length);
    for (const r of prefixedRows(reference.rows)) expect(referenced.has(r.name) && catalogRows(reference.rows).some((c) => c.name === r.name), r.written).toBe(true);
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

  it('puts prefixed rows under "OTel metrics emitted" and catalog rows under the sections of the docs, in order', () => {
    expect(unique(prefixedRows(reference.rows).map((r) => r.section))).toEqual(['OTel metrics emitted']);
    expect(REFERENCE_SECTIONS.length).toBeGreaterThan(0);
    expect(unique(catalog.metrics.map((m) => m.section)).slice(0, REFERENCE_SECTIONS.length)).toEqual(REFERENCE_SECTIONS);
  });

  it('names the same default tags as DEFAULT_TAG_KEYS', () => {
    const line = referenceText.split('\n').find((l) => l.includes('default metadata tags'));
    expect(line).toBeDefined();
    expect([...line!.matchAll(/`([^`]+)`/g)].map((m) => m[1])).toEqual([...DEFAULT_TAG_KEYS]);
  });
});

describe('every reference metric is in the registry or retired', () => {
  it('exactly one of the two', () => {
    const neither = [...referenced].filter((n) => !registry.has(n) && !retired.has(n));
    const both = [...referenced].filter((n) => registry.has(n) && retired.has(n));
    expect({ neither, both }).toEqual({ neither: [], both: [] });
  });

  it('a retired metric is a reference metric of the same kind; a renamed one names a replacement of that kind', () => {
    expect(catalog.retired.length).toBeGreaterThan(0);
    const kinds = new Map(catalogRows(reference.rows).map((r) => [r.name, r.kind]));
    for (const r of catalog.retired) {
      expect(kinds.get(r.name), r.name).toBe(r.kind);
      expect(r.replacement !== undefined, `${r.name} (${r.status})`).toBe(r.status === 'renamed');
      if (r.replacement) expect(registry.get(r.replacement)?.kind, r.name).toBe(r.kind);
    }
  });

  it('a replacement is not itself a reference metric, and says in its description which metric it replaces', () => {
    for (const r of catalog.retired.filter((x) => x.replacement)) {
      expect(referenced.has(r.replacement!), r.replacement).toBe(false);
      expect(registry.get(r.replacement!)!.description, r.replacement).toContain(r.name);
    }
  });

  it('its carrier has the same kind, and the catalog section of its reference row', () => {
    for (const row of reference.rows) {
      const m = carrier(row.name);
      if (!m) {
        expect(retired.get(row.name)?.replacement, row.written).toBeUndefined();
        continue;
      }
      expect(m.kind, row.written).toBe(row.kind);
      if (!row.prefixed) expect(m.section, row.written).toBe(row.section);
    }
  });

  it("its carrier's description keeps the reference's words in order (wider is fine)", () => {
    for (const row of reference.rows) {
      const m = carrier(row.name);
      if (!m) continue;
      const expected = m.name === row.name ? words(row.description) : renamedWords(row.description, row.name, m.name);
      expect(inOrder(expected, words(m.description)), `${row.written}: "${row.description}" vs "${m.description}"`).toBe(true);
    }
  });

  it('its carrier has at least the fields the reference gives it (rows and notes)', () => {
    for (const row of reference.rows) {
      const m = carrier(row.name);
      if (!m) continue;
      const missing = referenceFields(row).filter((f) => !(f in m.fields));
      expect(missing, row.written).toEqual([]);
    }
  });

  it('values the reference names in a description stay in the closed sets of the carrier (wider is fine)', () => {
    let checked = 0;
    for (const row of reference.rows) {
      const m = carrier(row.name);
      if (!m) continue;
      const closed = Object.values(m.fields).filter((f) => f.values);
      if (closed.length === 0) continue;
      const accepted = new Set(closed.flatMap((f) => [...f.values!, ...Object.keys(catalog.aliases[f.name] ?? {})]));
      const codes = descriptionCodes(row);
      checked += codes.length;
      expect(codes.filter((v) => !accepted.has(v)), row.written).toEqual([]);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it("auth_mode accepts every spelling the reference's default context lists, as a value or an alias", () => {
    const line = referenceText.split('\n').find((l) => l.startsWith('- `auth_mode`'));
    const spellings = [...line!.matchAll(/`([^`]+)`/g)].map((m) => m[1]).slice(1);
    expect(spellings.length).toBeGreaterThan(0);
    const accepted = [...(catalog.defaults.auth_mode.values ?? []), ...Object.keys(catalog.aliases.auth_mode ?? {})];
    expect(spellings.filter((s) => !accepted.includes(s))).toEqual([]);
  });

  it('the metrics the reference says carry the default tags are recorded with session tags', () => {
    for (const row of prefixedRows(reference.rows)) expect(carrier(row.name)?.tags, row.written).toBe('session');
  });

  it('docs/metrics.md repeats every prefixed reference row in its summary table', () => {
    const summary = new Map(prefixedRows(docs.rows).map((r) => [r.written, r]));
    for (const row of prefixedRows(reference.rows)) {
      const mine = summary.get(row.written);
      expect(mine?.kind, row.written).toBe(row.kind);
      expect(inOrder(words(row.description), words(mine!.description)), row.written).toBe(true);
    }
  });
});

describe('every registry metric the reference lacks', () => {
  const added = catalog.metrics.filter((m) => !referenced.has(m.name));
  const replacements = new Map(catalog.retired.filter((r) => r.replacement).map((r) => [r.replacement!, r]));

  it('is a replacement of a retired metric, or documented in an "Observed on the wire" section', () => {
    expect(OBSERVED_SECTIONS.length).toBeGreaterThan(0);
    expect(added.length).toBeGreaterThan(0);
    const unexplained = added.filter((m) => !replacements.has(m.name) && !OBSERVED_SECTIONS.includes(m.section)).map((m) => `${m.name} (${m.section})`);
    expect(unexplained).toEqual([]);
  });

  it('has the Codex versions that sent it when it comes from the wire', () => {
    for (const m of added.filter((x) => !replacements.has(x.name))) expect(m.versions?.since, m.name).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('"Observed on the wire" sections hold only such metrics, and follow the upstream sections', () => {
    for (const m of catalog.metrics.filter((x) => OBSERVED_SECTIONS.includes(x.section))) expect(referenced.has(m.name), m.name).toBe(false);
    const sections = unique(catalog.metrics.map((m) => m.section));
    expect(sections).toEqual([...REFERENCE_SECTIONS, ...OBSERVED_SECTIONS]);
  });
});

describe('the upstream sections', () => {
  it.each(REFERENCE_SECTIONS.map((s) => [s]))('%s keeps its reference metrics in order (renamed ones under their new name)', (section) => {
    const expected = catalogRows(reference.rows)
      .filter((r) => r.section === section)
      .map((r) => carrier(r.name)?.name)
      .filter((n): n is string => n !== undefined);
    expect(expected.length).toBeGreaterThan(0);
    expect(catalog.metrics.filter((m) => m.section === section).map((m) => m.name)).toEqual(expected);
  });
});

describe('the reference notes, resolved on their own', () => {
  const names = new Set(reference.rows.map((r) => r.name));
  const isMetric = (n: string) => names.has(n);
  const isField = (n: string) => attributes.general.has(n);

  it('give the hand-read fields for every "See note" metric they name, and name no unknown field', () => {
    const seeNote = catalogRows(reference.rows).filter((r) => r.fields === null);
    expect(seeNote.map((r) => r.name).sort()).toEqual(Object.keys(SEE_NOTE_FIELDS).sort());
    const resolved = new Map<string, { required: string[]; optional: string[] }>();
    for (const table of unique(seeNote.map((r) => r.table))) {
      const subjects = new Set(seeNote.filter((r) => r.table === table).map((r) => r.name));
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

  it('leave no reference field required in the registry that the reference makes optional', () => {
    for (const [name, { optional }] of Object.entries(SEE_NOTE_FIELDS)) {
      const m = carrier(name)!;
      expect(optional.filter((f) => m.required.includes(f)), name).toEqual([]);
    }
  });
});
