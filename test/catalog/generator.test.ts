// The generated registry: drift against the docs, units, required/optional fields, field types, and
// how tolerant the parser is to formatting that does not change meaning.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles, type Catalog } from '../../src/catalog/build.js';
import { GENERATED_HEADER, renderCatalogModule, renderMetricNamesModule } from '../../src/catalog/generate.js';
import type { MetricSpec } from '../../src/catalog/spec.js';
import { DEFAULT_TAGS, HISTOGRAM_BUCKETS, METRICS, RETIRED_METRICS, VALUE_ALIASES } from '../../src/generated/catalog.js';
import {
  ALIAS_HEADER,
  ATTRIBUTE_HEADER,
  ATTRIBUTES_DOC,
  attributesText,
  BUCKET_HEADER,
  build,
  columnOf,
  EXPECTED_SEE_NOTE_FIELDS,
  isTableLine,
  joinRow,
  mapTables,
  METRIC_HEADER,
  METRICS_DOC,
  metricsText,
  NAMES_FILE,
  REGISTRY_FILE,
  RETIRED_HEADER,
  splitRow,
  SUMMARY_HEADER,
} from './helpers.js';

const catalog = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
const metric = (name: string, from: Catalog = catalog): MetricSpec => {
  const m = from.metrics.find((x) => x.name === name);
  if (!m) throw new Error(`no metric ${name}`);
  return m;
};
const byName = (metrics: readonly MetricSpec[]) => [...metrics].sort((a, b) => a.name.localeCompare(b.name));

describe('test builders', () => {
  it('write the table headers docs/metrics.md and docs/attributes.md use', () => {
    for (const header of [METRIC_HEADER, SUMMARY_HEADER, BUCKET_HEADER, RETIRED_HEADER]) expect(metricsText).toContain(header.join('\n'));
    for (const header of [ATTRIBUTE_HEADER, ALIAS_HEADER]) expect(attributesText).toContain(header.join('\n'));
  });
});

describe('drift', () => {
  it('the committed registry is exactly what the docs render to', () => {
    const rendered = renderCatalogModule(catalog);
    expect(rendered.startsWith(GENERATED_HEADER)).toBe(true);
    expect(readFileSync(REGISTRY_FILE, 'utf8')).toBe(rendered);
  });

  it('the committed metric-name constants are exactly what the docs render to', () => {
    const rendered = renderMetricNamesModule(catalog);
    expect(rendered.startsWith(GENERATED_HEADER)).toBe(true);
    expect(readFileSync(NAMES_FILE, 'utf8')).toBe(rendered);
  });

  it('the registry module exports the same specs, default tags, buckets, retired metrics and aliases the docs build', () => {
    expect(METRICS).toEqual(catalog.metrics);
    expect(DEFAULT_TAGS).toEqual(catalog.defaults);
    expect(HISTOGRAM_BUCKETS).toEqual(Object.fromEntries(catalog.buckets.map((b) => [b.name, b])));
    expect(RETIRED_METRICS).toEqual(catalog.retired);
    expect(VALUE_ALIASES).toEqual(catalog.aliases);
  });

  it('every histogram of the registry shares the one BucketSpec object of HISTOGRAM_BUCKETS it names', () => {
    for (const m of METRICS) {
      if (m.kind === 'histogram') expect(m.buckets === HISTOGRAM_BUCKETS[m.buckets!.name], m.name).toBe(true);
      else expect(m.buckets, m.name).toBeUndefined();
    }
  });

  it('equal field definitions are one shared object, and a bucket without a wide alternative reuses its boundaries', () => {
    const seen = new Map<string, object>();
    for (const m of METRICS) {
      for (const spec of Object.values(m.fields)) {
        const key = JSON.stringify(spec);
        expect(seen.get(key) ?? spec, `${m.name}.${spec.name}`).toBe(spec);
        seen.set(key, spec);
      }
    }
    expect(seen.size).toBeLessThan(METRICS.reduce((n, m) => n + Object.keys(m.fields).length, 0));
    for (const b of catalog.buckets) expect(HISTOGRAM_BUCKETS[b.name].wide === HISTOGRAM_BUCKETS[b.name].boundaries, b.name).toBe(b.wide === b.boundaries);
  });

  it('renders deterministically', () => {
    const again = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
    expect(renderCatalogModule(again)).toBe(renderCatalogModule(catalog));
    expect(renderMetricNamesModule(again)).toBe(renderMetricNamesModule(catalog));
  });
});

/** name -> the Unit cell of its catalog row, read from the raw docs text (not through the parser). */
function declaredUnits(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let header: string[] | undefined;
  for (const line of text.split('\n')) {
    if (!isTableLine(line)) {
      header = undefined;
      continue;
    }
    const cells = splitRow(line);
    if (!header) {
      header = cells;
      continue;
    }
    const unit = columnOf(header, 'Unit');
    const name = /^`([^`]+)`$/.exec(cells[0])?.[1];
    if (unit >= 0 && name && !name.startsWith('codex.')) out.set(name, cells[unit].replace(/`/g, ''));
  }
  return out;
}

describe('units', () => {
  it('each metric has the unit its row declares in docs/metrics.md', () => {
    const declared = declaredUnits(metricsText);
    expect([...declared.keys()].sort()).toEqual(catalog.metrics.map((m) => m.name).sort());
    for (const m of catalog.metrics) expect(m.unit, m.name).toBe(declared.get(m.name));
  });

  it('`ms` for every *_ms name, `1` for every counter, and only histograms in `ms`', () => {
    const msNames = catalog.metrics.filter((m) => m.name.endsWith('_ms'));
    expect(msNames.length).toBeGreaterThan(0);
    for (const m of msNames) expect(m.unit, m.name).toBe('ms');
    for (const m of catalog.metrics.filter((x) => x.kind === 'counter')) expect(m.unit, m.name).toBe('1');
    for (const m of catalog.metrics.filter((x) => x.unit === 'ms')) expect(m.kind, m.name).toBe('histogram');
  });

  it.each([
    ['api_request.duration_ms', 'ms'],
    ['startup_prewarm.age_at_first_turn_ms', 'ms'],
    ['turn.e2e_duration_ms', 'ms'],
    ['memory.phase1.e2e_ms', 'ms'],
    ['windows_sandbox.setup_duration_ms', 'ms'],
    ['auth.selection.duration', 'ms'],
    ['auth_storage.duration', 'ms'],
    ['turn.token_usage', '{token}'],
    ['memory.phase2.token_usage', '{token}'],
    ['guardian.review.token_usage', '{token}'],
    ['turn.tool.call', '{call}'],
    ['thread.skills.enabled_total', '{skill}'],
    ['thread.skills.truncated', '1'],
    ['rollout.size_bytes', '{byte}'],
    ['tools.registered', '{tool}'],
    ['guardian.context.section_cost', '1'],
    ['tool.call', '1'],
    ['api_request', '1'],
  ])('%s -> %s', (name, unit) => {
    expect(metric(name).unit).toBe(unit);
  });
});

describe('required and optional fields of "See note" metrics', () => {
  const SEE_NOTE = EXPECTED_SEE_NOTE_FIELDS;

  it.each(SEE_NOTE)('%s: required %j, optional %j', (name, required, optional) => {
    const m = metric(name);
    expect({ required: m.required, optional: m.optional }).toEqual({ required, optional });
    expect(Object.keys(m.fields).sort()).toEqual([...required, ...optional].sort());
  });

  it('renders optional fields with `?` in the generated types', () => {
    const text = renderCatalogModule(catalog);
    expect(text).toContain("  'mcp.call': { status: string; tool?: string; server?: string; connector_id?: string; connector_name?: string };");
    expect(text).toContain('  shell_snapshot: { success: boolean; version: string; failure_reason?: string };');
    expect(text).toContain("  'external_agent_config.import': { migration_type: string; skills_count?: number };");
    expect(text).toContain("  'windows_sandbox.elevated_setup_canceled': { code?: string; message?: string; originator?: string };");
    expect(text).toContain("  'windows_sandbox.legacy_setup_preflight_failed': { originator?: string };");
    expect(text).toContain("  'cloud_config_bundle.fetch_final': { trigger: string; outcome: string; reason: string; attempt_count: number; status_code: number | 'none' };");
    expect(text).toContain("  'db.backfill.duration_ms': { status?: 'success' | 'failed' | 'partial_failure' };");
    expect(text).toContain('  status_line: NoFields;');
  });

  it('no metric has a field both required and optional, or a field without a type', () => {
    for (const m of catalog.metrics) {
      expect(m.required.filter((f) => m.optional.includes(f)), m.name).toEqual([]);
      expect(Object.keys(m.fields).sort(), m.name).toEqual([...m.required, ...m.optional].sort());
    }
  });
});

describe('field types', () => {
  it('api_request status is an int that may also be `none`; elsewhere status is a string', () => {
    for (const name of ['api_request', 'api_request.duration_ms']) {
      expect(metric(name).fields.status).toMatchObject({ name: 'status', type: 'int', values: ['none'] });
    }
    for (const name of ['startup_prewarm.duration_ms', 'memory.phase1', 'hooks.run', 'mcp.call', 'skill.injected']) {
      expect(metric(name).fields.status.type, name).toBe('string');
      expect(metric(name).fields.status.values, name).toBeUndefined();
    }
    expect(renderCatalogModule(catalog)).toContain("  api_request: { status: number | 'none'; success: boolean };");
  });

  it('closed value sets: token_type, approved, type, db.backfill status (scoped rows override the general row)', () => {
    const tokenTypes = ['total', 'input', 'cached_input', 'cache_write_input', 'output', 'reasoning_output'];
    for (const name of ['turn.token_usage', 'memory.phase1.token_usage', 'memory.phase2.token_usage']) {
      expect(metric(name).fields.token_type).toMatchObject({ type: 'string', values: tokenTypes });
    }
    expect(metric('guardian.review.token_usage').fields.token_type.values).toEqual(['total', 'input', 'cached_input', 'cache_write_input', 'non_cached_input', 'output', 'reasoning_output']);
    expect(metric('approval.requested').fields.approved).toMatchObject({
      type: 'string',
      values: ['approved', 'approved_with_amendment', 'approved_for_session', 'approved_with_network_policy_allow', 'denied', 'denied_with_network_policy_deny', 'abort', 'timed_out'],
    });
    expect(metric('task.compact').fields.type).toMatchObject({ type: 'string', values: ['remote', 'remote_v2', 'local'] });
    expect(metric('db.backfill').fields.status).toMatchObject({ type: 'string', values: ['upserted', 'failed'] });
    expect(metric('db.backfill.duration_ms').fields.status).toMatchObject({ type: 'string', values: ['success', 'failed', 'partial_failure'] });
    for (const name of ['cloud_config_bundle.fetch_attempt', 'cloud_config_bundle.fetch_final']) {
      expect(metric(name).fields.status_code).toMatchObject({ type: 'int', values: ['none'] });
    }
  });

  it('booleans and ints', () => {
    expect(metric('api_request').fields.success.type).toBe('boolean');
    expect(metric('turn.memory').fields).toMatchObject({
      read_allowed: { type: 'boolean' },
      feature_enabled: { type: 'boolean' },
      config_use_memories: { type: 'boolean' },
      has_citations: { type: 'boolean' },
    });
    expect(metric('cloud_config_bundle.fetch_attempt').fields).toMatchObject({ attempt: { type: 'int' }, status_code: { type: 'int' } });
    expect(metric('windows_sandbox.createprocessasuserw_failed').fields.error_code.type).toBe('int');
    expect(metric('external_agent_config.detect').fields.skills_count.type).toBe('int');
  });

  it('default tags come from the first five attribute rows; auth_mode is spelled as the Rust emitter sends it', () => {
    expect(Object.keys(catalog.defaults)).toEqual(['auth_mode', 'originator', 'session_source', 'model', 'app.version']);
    expect(catalog.defaults.auth_mode).toMatchObject({ type: 'string', values: ['ApiKey', 'Chatgpt', 'unknown'] });
    expect(catalog.aliases.auth_mode).toEqual({ api: 'ApiKey', api_key: 'ApiKey', apikey: 'ApiKey', swic: 'Chatgpt', chatgpt: 'Chatgpt' });
    expect(renderCatalogModule(catalog)).toContain("  auth_mode?: 'ApiKey' | 'Chatgpt' | 'unknown' | 'api' | 'api_key' | 'apikey' | 'swic' | 'chatgpt';");
  });
});

/** Edits cells by column name in the body rows of the metric tables (those with a Fields column). */
function onMetricTables(edits: Record<string, (cell: string) => string>) {
  return (rows: string[][]): string[] =>
    rows.map((r, i) => (i < 2 || !rows[0].includes('Fields') ? joinRow(r) : joinRow(r.map((c, j) => edits[rows[0][j]]?.(c) ?? c))));
}

describe('formatting that must not change the result', () => {
  const same = (metrics: string, attributes = attributesText) => expect(build(metrics, attributes)).toEqual(catalog);

  it('padded columns and aligned delimiter rows', () => {
    const pad = (rows: string[][]) => {
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)) + 2);
      return rows.map((r, ri) =>
        ri === 1 ? `|${widths.map((w, i) => (i % 2 ? `:${'-'.repeat(w)}:` : ` ${'-'.repeat(w)} `)).join('|')}|` : `|   ${r.map((c, i) => c.padEnd(widths[i])).join(' |   ')}   |`,
      );
    };
    const padded = mapTables(metricsText, pad);
    expect(padded).not.toBe(metricsText);
    same(padded, mapTables(attributesText, pad));
  });

  it('tables without outer pipes', () => {
    // Without a closing pipe an empty last cell needs one (`a | b | |`), or the row loses a cell.
    same(mapTables(metricsText, (rows) => rows.map((r) => r.join(' | ') + (r.at(-1) === '' ? ' |' : ''))));
  });

  it('escaped pipes in cells (description text and inline code)', () => {
    const escaped = mapTables(metricsText, onMetricTables({ Description: (d) => d.replace('success/failure', 'success \\| failure').replace(/\.$/, ' (`a\\|b`).') }));
    const got = build(escaped);
    expect(got.metrics.map((m) => ({ ...m, description: m.description.replace('success | failure', 'success/failure').replace(/ \(a\|b\)\.$/, '.') }))).toEqual(catalog.metrics);
    expect(metric('api_request', got).description).toBe('API request count by HTTP status and success | failure (a|b).');
    // The attribute values are themselves separated by escaped pipes.
    expect(catalog.defaults.auth_mode.values).toEqual(['ApiKey', 'Chatgpt', 'unknown']);
  });

  it('reordered columns (every table of both documents)', () => {
    const rotate = (k: number) => (rows: string[][]) => rows.map((r) => joinRow([...r.slice(k), ...r.slice(0, k)]));
    const reverse = (rows: string[][]) => rows.map((r) => joinRow([...r].reverse()));
    same(mapTables(metricsText, rotate(2)), mapTables(attributesText, rotate(1)));
    same(mapTables(metricsText, reverse), mapTables(attributesText, reverse));
  });

  it('reordered sections (prefixed table last, catalog sections reversed)', () => {
    const blocks: string[][] = [];
    for (const line of metricsText.split('\n')) {
      if (/^#{1,4} /.test(line) || blocks.length === 0) blocks.push([]);
      blocks[blocks.length - 1].push(line);
    }
    const title = (b: string[]) => b[0].replace(/^#+ /, '');
    const catalogSections = catalog.metrics.map((m) => m.section).filter((s, i, a) => a.indexOf(s) === i);
    const isCatalogSection = (b: string[]) => catalogSections.includes(title(b));
    const reordered = [
      ...blocks.filter((b) => !isCatalogSection(b) && title(b) !== 'OTel metrics emitted'),
      ...blocks.filter(isCatalogSection).reverse(),
      ...blocks.filter((b) => title(b) === 'OTel metrics emitted'),
    ];
    expect(reordered).toHaveLength(blocks.length);
    const text = reordered.map((b) => b.join('\n')).join('\n');
    const got = build(text);
    expect(byName(got.metrics)).toEqual(byName(catalog.metrics));
    expect([...new Set(got.metrics.map((m) => m.section))]).toEqual([...catalogSections].reverse());
  });

  it('inline code: plain metric names, backticked types, prefixed names in notes', () => {
    const plain = mapTables(metricsText, onMetricTables({ Metric: (m) => m.replace(/`/g, ''), Type: (t) => `\`${t}\`` }));
    expect(plain).toContain('| api_request | `counter` |');
    expect(plain).toContain('| codex.api_request | `counter` |');
    same(plain);
    same(metricsText.replace('The `shell_snapshot` metric includes', 'The `codex.shell_snapshot` metric includes'));
  });

  it('upper-case types and "See notes." spelling', () => {
    const edited = mapTables(metricsText, onMetricTables({ Type: (t) => t.toUpperCase(), Fields: (f) => (f === 'See note' ? 'see notes.' : f) }));
    expect(edited).toContain('| HISTOGRAM |');
    expect(edited).toContain('| see notes. |');
    same(edited);
  });

  it('CRLF line endings', () => {
    same(metricsText.replace(/\n/g, '\r\n'), attributesText.replace(/\n/g, '\r\n'));
  });
});

/** Every block comment of a module closes at the end of its own line (a stray `*\/` would close it early). */
function expectClosedDocComments(text: string): void {
  const comments = [...text.matchAll(/\/\*\*[\s\S]*?\*\//g)];
  expect(comments.length).toBeGreaterThan(0);
  for (const c of comments) {
    const end = c.index + c[0].length;
    expect(text[end] === '\n' || end === text.length, c[0]).toBe(true);
  }
}

describe('rendered modules', () => {
  it('escape `*/` in metric descriptions so the JSDoc stays closed (registry and metric names)', () => {
    const edited = build(metricsText.replace('Thread renamed.', 'Thread renamed */ here.'));
    for (const text of [renderCatalogModule(edited), renderMetricNamesModule(edited)]) {
      expect(text).toContain(' * Thread renamed *\\/ here.');
      expectClosedDocComments(text);
    }
  });

  it('escape `*/` in default-tag descriptions too', () => {
    const text = renderCatalogModule(build(metricsText, attributesText.replace('Name of the model used (default tag).', 'Model name */ as sent (default tag).')));
    expect(text).toContain('Model name *\\/ as sent');
    expectClosedDocComments(text);
  });

  it('escape `*/` in section titles', () => {
    const edited = build(metricsText.replace('#### Windows sandbox', '#### Windows */ sandbox'));
    for (const text of [renderCatalogModule(edited), renderMetricNamesModule(edited)]) expectClosedDocComments(text);
  });
});
