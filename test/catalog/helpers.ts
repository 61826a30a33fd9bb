// Shared fixtures for the catalog tests: repo paths, the real docs, and small Markdown builders.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCatalog, type Catalog } from '../../src/catalog/build.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const METRICS_DOC = join(REPO_ROOT, 'docs', 'metrics.md');
export const ATTRIBUTES_DOC = join(REPO_ROOT, 'docs', 'attributes.md');
export const REGISTRY_FILE = join(REPO_ROOT, 'src', 'generated', 'catalog.ts');

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

/** 1-based line of the first line of `text` that contains `needle` (throws when absent, so tests fail loudly). */
export function lineContaining(text: string, needle: string, from = 1): number {
  const lines = text.split('\n');
  for (let i = from - 1; i < lines.length; i++) if (lines[i].includes(needle)) return i + 1;
  throw new Error(`no line contains ${JSON.stringify(needle)}`);
}

export const METRIC_HEADER = ['| Metric | Type | Fields | Description |', '| --- | --- | --- | --- |'];
export const ATTRIBUTE_HEADER = ['| Field | Type | Values | Metrics | Description |', '| --- | --- | --- | --- | --- |'];

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

export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'codex-catalog-test-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the notes of docs/metrics.md resolve to, read by hand from the reference notes: [metric, required, optional]. */
export const EXPECTED_SEE_NOTE_FIELDS: [string, string[], string[]][] = [
    ['mcp.call', ['status'], ['tool', 'connector_id', 'connector_name']],
    ['mcp.call.duration_ms', ['status'], ['tool', 'connector_id', 'connector_name']],
    ['shell_snapshot', ['success'], ['failure_reason']],
    ['external_agent_config.detect', ['migration_type'], ['skills_count']],
    ['external_agent_config.import', ['migration_type'], ['skills_count']],
    ['windows_sandbox.elevated_setup_failure', [], ['code', 'message', 'originator']],
    ['windows_sandbox.elevated_setup_canceled', [], ['code', 'message', 'originator']],
    ['windows_sandbox.legacy_setup_preflight_failed', [], ['originator']],
    ['cloud_requirements.fetch_attempt', ['trigger', 'attempt', 'outcome', 'status_code'], []],
    ['cloud_requirements.fetch_final', ['trigger', 'outcome', 'reason', 'attempt_count', 'status_code'], []],
];
