// Shared fixtures for the catalog tests: repo paths, the real docs, and small Markdown builders.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { buildCatalog, type Catalog } from '../../src/catalog/build.js';
import { CatalogError } from '../../src/catalog/errors.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const METRICS_DOC = join(REPO_ROOT, 'docs', 'metrics.md');
export const ATTRIBUTES_DOC = join(REPO_ROOT, 'docs', 'attributes.md');
export const REGISTRY_FILE = join(REPO_ROOT, 'src', 'generated', 'catalog.ts');
export const NAMES_FILE = join(REPO_ROOT, 'src', 'generated', 'metric-names.ts');

/** The upstream reference as shared with the team; a verbatim copy is kept next to the tests. */
export const SHARED_REFERENCE = '/work/shared/reference/codex-metrics-catalog.md';
export const REFERENCE_FIXTURE = fileURLToPath(new URL('./fixtures/codex-metrics-catalog.md', import.meta.url));
export const REFERENCE_FILE = existsSync(SHARED_REFERENCE) ? SHARED_REFERENCE : REFERENCE_FIXTURE;

export const metricsText = readFileSync(METRICS_DOC, 'utf8');
export const attributesText = readFileSync(ATTRIBUTES_DOC, 'utf8');

/** Builds from in-memory Markdown; the attributes default to the real docs/attributes.md. */
export function build(metrics: string, attributes: string = attributesText, files = { metrics: 'metrics.md', attributes: 'attributes.md' }): Catalog {
  return buildCatalog({ metricsText: metrics, metricsFile: files.metrics, attributesText: attributes, attributesFile: files.attributes });
}

/** The CatalogError `fn` throws (fails the test when it returns). */
export function caught(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    return err as CatalogError;
  }
  throw new Error('expected a CatalogError, but the docs were accepted');
}

/** Asserts the error is at exactly `file:line` and its reason contains every fragment. */
export function expectError(fn: () => unknown, file: string, line: number, ...fragments: string[]): CatalogError {
  const err = caught(fn);
  expect({ file: err.file, line: err.line, reason: err.reason }).toMatchObject({ file, line });
  expect(err.message).toBe(`${file}:${line}: ${err.reason}`);
  for (const f of fragments) expect(err.reason).toContain(f);
  return err;
}

/** 1-based line of the first line of `text` that contains `needle` (throws when absent, so tests fail loudly). */
export function lineContaining(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`no line contains ${JSON.stringify(needle)}`);
}

/** A catalog table of docs/metrics.md: the wire columns (Unit, Buckets, Tags, Codex versions) are required there. */
export const METRIC_HEADER = [
  '| Metric | Type | Unit | Buckets | Tags | Fields | Description | Codex versions |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
/** The prefixed summary table ("OTel metrics emitted"), which may omit the wire columns. */
export const SUMMARY_HEADER = ['| Metric | Type | Fields | Description |', '| --- | --- | --- | --- |'];
export const BUCKET_HEADER = ['| Buckets | Boundaries | Wide | Description |', '| --- | --- | --- | --- |'];
export const RETIRED_HEADER = ['| Metric | Type | Status | Replacement |', '| --- | --- | --- | --- |'];
export const CODEX_VERSIONS_HEADER = ['| Codex version | Checked by | What changed |', '| --- | --- | --- |'];
export const VERSIONS_HEADER = ['| Field | Value | Metrics | Codex versions |', '| --- | --- | --- | --- |'];
export const ALIAS_HEADER = ['| Field | Alias | Sent as |', '| --- | --- | --- |'];
export const ATTRIBUTE_HEADER = ['| Field | Type | Values | Metrics | Description |', '| --- | --- | --- | --- | --- |'];

/** Cells of a catalog row besides name, type, fields and description (written as they go in the cell). */
export interface WireCells {
  readonly unit?: string;
  readonly buckets?: string;
  readonly tags?: string;
  /** The Codex versions cell, e.g. `0.171.0..`. */
  readonly versions?: string;
}

/**
 * One catalog-table row. The wire cells default to the common case: a histogram in `ms` with the
 * `duration` buckets, a counter in `1` without buckets, session tags, not observed.
 */
export function metricRow(name: string, type: string, fields: string, description: string, wire: WireCells = {}): string {
  const histogram = type.trim().toLowerCase() === 'histogram';
  return joinRow([
    name === '' ? '' : `\`${name}\``,
    type,
    wire.unit ?? (histogram ? '`ms`' : '`1`'),
    wire.buckets ?? (histogram ? '`duration`' : ''),
    wire.tags ?? 'session',
    fields,
    description,
    wire.versions ?? '',
  ]);
}

/** One row of the prefixed summary table (no wire columns). */
export function summaryRow(name: string, type: string, fields: string, description: string): string {
  return joinRow([`\`${name}\``, type, fields, description]);
}

/** One row of the "Histogram buckets" table. */
export function bucketRow(name: string, boundaries: string, wide = '', description = 'Test buckets.'): string {
  return joinRow([`\`${name}\``, boundaries, wide, description]);
}

const BUCKETS_COLUMN = columnOf(splitRow(METRIC_HEADER[0]), 'Buckets');

/** Bucket names the catalog rows of `rows` refer to, in first-use order. */
function bucketsUsed(rows: readonly string[]): string[] {
  const names = rows.map((r) => splitRow(r)[BUCKETS_COLUMN] ?? '').map((c) => /^`([^`]+)`$/.exec(c)?.[1]).filter((n): n is string => n !== undefined);
  return [...new Set(names)];
}

/** [heading, table rows, note paragraphs]: one section of a metrics document. */
export type Section = readonly [heading: string, rows: readonly string[], notes?: readonly string[]];

export interface DocExtras {
  /** Rows of an "OTel metrics emitted" summary table (SUMMARY_HEADER), put before the sections. */
  readonly summary?: readonly string[];
  /** Rows of the "Histogram buckets" table; by default one row (`0, 5, 10`) per bucket name the rows use. */
  readonly buckets?: readonly string[];
  /** Rows of a "Retired metrics" table (none by default). */
  readonly retired?: readonly string[];
  /** The covered Codex versions (a "Codex versions" table); by default 0.160.0 and 0.171.0 when a row dates itself. */
  readonly codexVersions?: readonly string[];
}

/** A metrics document: one catalog table per section, then the bucket (and retired) tables. */
export function metricsDoc(...sections: Section[]): string {
  return metricsDocWith({}, ...sections);
}

export function metricsDocWith(extras: DocExtras, ...sections: Section[]): string {
  const out = ['# Metrics', '', 'Intro paragraph.', ''];
  if (extras.summary) out.push('## OTel metrics emitted', '', ...SUMMARY_HEADER, ...extras.summary, '');
  for (const [heading, rows, notes = []] of sections) {
    out.push(`## ${heading}`, '', ...METRIC_HEADER, ...rows, '');
    for (const n of notes) out.push(n, '');
  }
  if (extras.retired) out.push('## Retired metrics', '', ...RETIRED_HEADER, ...extras.retired, '');
  const buckets = extras.buckets ?? bucketsUsed(sections.flatMap(([, rows]) => rows)).map((n) => bucketRow(n, '0, 5, 10'));
  if (buckets.length) out.push('## Histogram buckets', '', ...BUCKET_HEADER, ...buckets, '');
  const dated = sections.some(([, rows]) => rows.some((r) => /\d\.\.(\d[\d.]*)? \|$/.test(r)));
  const versions = extras.codexVersions ?? (dated ? ['0.160.0', '0.171.0'] : []);
  if (versions.length) out.push('## Codex versions', '', ...CODEX_VERSIONS_HEADER, ...versions.map((v) => `| \`${v}\` | fixtures | |`), '');
  return out.join('\n');
}

/** The five default tags: the least an attributes table must have for buildCatalog to succeed. */
export const DEFAULT_TAG_ROWS = [
  '| `auth_mode` | string | `api` \\| `unknown` | | Auth mode. |',
  '| `originator` | string | | | Originator. |',
  '| `session_source` | string | | | Session source. |',
  '| `model` | string | | | Model. |',
  '| `app.version` | string | | | Version. |',
];

/** A small attributes document: default tags plus `extra` rows. */
export function miniAttributes(...extra: string[]): string {
  return ['# Attributes', '', ...ATTRIBUTE_HEADER, ...DEFAULT_TAG_ROWS, '| `status` | string | | | Status. |', '| `success` | boolean | | | Success. |', ...extra, ''].join('\n');
}

/** miniAttributes followed by a "Value aliases" table with these rows. */
export function miniAttributesWithAliases(aliasRows: readonly string[], ...extra: string[]): string {
  return [miniAttributes(...extra), '## Value aliases', '', ...ALIAS_HEADER, ...aliasRows, ''].join('\n');
}

/** Splits a Markdown table line into its cells (without the outer pipes), keeping `\|` escapes inside cells. */
export function splitRow(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

export function joinRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

export const isTableLine = (line: string): boolean => line.trimStart().startsWith('|');

/** Applies `edit` to every table of a Markdown text (a table: consecutive lines starting with `|`). */
export function mapTables(text: string, edit: (rows: string[][]) => string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!isTableLine(lines[i])) {
      out.push(lines[i++]);
      continue;
    }
    const rows: string[][] = [];
    while (i < lines.length && isTableLine(lines[i])) rows.push(splitRow(lines[i++]));
    out.push(...edit(rows));
  }
  return out.join('\n');
}

/** Index of a column in a header row split by splitRow (case-insensitive), -1 when absent. */
export function columnOf(header: readonly string[], name: string): number {
  return header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
}

/**
 * Edits the cells of the catalog row of `metric` (the table line whose first cell is `` `metric` ``);
 * `edit` gets the cells and the header of its table. Throws when there is no such row.
 */
export function editMetricRow(text: string, metric: string, edit: (cells: string[], header: readonly string[]) => string[]): string {
  let found = false;
  const out = mapTables(text, (rows) =>
    rows.map((r, i) => {
      if (i < 2 || r[0] !== `\`${metric}\`` || found) return joinRow(r);
      found = true;
      return joinRow(edit([...r], rows[0]));
    }),
  );
  if (!found) throw new Error(`no table row for ${metric}`);
  return out;
}

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'codex-catalog-test-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fields the note under the review table gives all six `guardian.review*` "See note" metrics. */
const GUARDIAN_REVIEW = [
  'action', 'approval_request_source', 'context_mode', 'decision', 'failure_reason', 'guardian_model', 'guardian_reasoning_effort',
  'had_prior_review_context', 'outcome', 'reviewed_action_truncated', 'risk_level', 'session_kind', 'terminal_status', 'user_authorization',
];

/**
 * What the notes of docs/metrics.md resolve to, read by hand with the rules of its intro:
 * [metric, required, optional]. A clause with "when", "may", "also"… makes its fields optional,
 * so "includes `version` and also `success` when …" (one clause) makes both optional.
 */
export const EXPECTED_SEE_NOTE_FIELDS: [string, string[], string[]][] = [
  ['cloud_config_bundle.fetch_attempt', ['trigger', 'attempt', 'outcome', 'status_code'], []],
  ['cloud_config_bundle.fetch_final', ['trigger', 'outcome', 'reason', 'attempt_count', 'status_code'], []],
  ['tool.call', ['tool', 'success'], ['command_category', 'sandbox', 'sandbox_policy', 'shell_snapshot_mode']],
  ['tool.call.duration_ms', ['tool', 'success'], ['command_category', 'sandbox', 'sandbox_policy', 'shell_snapshot_mode']],
  ['mcp.call', ['status'], ['tool', 'server', 'connector_id', 'connector_name']],
  ['mcp.call.duration_ms', ['status'], ['tool', 'server', 'connector_id', 'connector_name']],
  ['shell_snapshot', ['success', 'version'], ['failure_reason']],
  ['shell_snapshot.duration_ms', ['version'], ['success']],
  ['external_agent_config.detect', ['migration_type'], ['skills_count']],
  ['external_agent_config.import', ['migration_type'], ['skills_count']],
  ['db.backfill.duration_ms', [], ['status']],
  ['windows_sandbox.elevated_setup_failure', [], ['code', 'message', 'originator']],
  ['windows_sandbox.elevated_setup_canceled', [], ['code', 'message', 'originator']],
  ['windows_sandbox.legacy_setup_preflight_failed', [], ['originator']],
  ['startup.phase.duration_ms', ['phase'], ['status']],
  ['guardian.review', [...GUARDIAN_REVIEW, 'context_changed'], []],
  ['guardian.review.duration_ms', GUARDIAN_REVIEW, []],
  ['guardian.review.ttft.duration_ms', GUARDIAN_REVIEW, []],
  ['guardian.review.attempt_count', GUARDIAN_REVIEW, []],
  ['guardian.review.token_usage', [...GUARDIAN_REVIEW, 'token_type'], []],
  ['guardian.review.retry_outcome', [...GUARDIAN_REVIEW, 'retried'], []],
];
