// The upstream format as input: the four-column tables of Codex's own documentation are read again,
// units, buckets and tags inferred by the rules of docs/metrics.md ("Reading an upstream page"),
// and the result compared with docs/metrics.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog, loadCatalogFiles } from '../../src/catalog/build.js';
import { diffCatalogs, renderCatalogDiff } from '../../src/catalog/diff.js';
import { inferWire } from '../../src/catalog/upstream.js';
import { ATTRIBUTES_DOC, attributesText, METRICS_DOC, REFERENCE_FILE, REPO_ROOT } from './helpers.js';

const docs = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
const referenceText = readFileSync(REFERENCE_FILE, 'utf8');
const page = (text: string) => buildCatalog({ metricsText: text, metricsFile: 'page.md', attributesText, attributesFile: 'attributes.md', baselineBuckets: docs.buckets });
const reference = page(referenceText);
const metric = (name: string) => reference.metrics.find((m) => m.name === name)!;
const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin/codex-otel-metrics.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

/** An upstream-format page with one section. */
const upstreamPage = (...rows: string[]) => ['### Metrics', '', '| Metric | Type | Fields | Description |', '| --- | --- | --- | --- |', ...rows, ''].join('\n');

describe('inference rules', () => {
  it.each([
    ['api_request', 'counter', null, { unit: '1', buckets: '', tags: 'session' }],
    ['api_request.duration_ms', 'histogram', null, { unit: 'ms', buckets: 'duration', tags: 'session' }],
    ['memory.phase1.e2e_ms', 'histogram', null, { unit: 'ms', buckets: 'duration', tags: 'session' }],
    ['auth.selection.duration', 'histogram', null, { unit: 'ms', buckets: 'duration', tags: 'session' }],
    ['turn.token_usage', 'histogram', ['token_type'], { unit: '{token}', buckets: 'tokens', tags: 'session' }],
    ['rollout.size_bytes', 'histogram', null, { unit: '{byte}', buckets: 'sdk-default', tags: 'session' }],
    ['thread.skills.enabled_total', 'histogram', null, { unit: '1', buckets: 'sdk-default', tags: 'session' }],
    ['windows_sandbox.setup_success', 'counter', ['originator', 'mode'], { unit: '1', buckets: '', tags: 'none' }],
  ] as const)('%s (%s)', (name, kind, fields, expected) => {
    expect(inferWire({ name, kind, fields })).toEqual(expected);
  });
});

describe('the upstream reference page, read as input', () => {
  it('builds a registry: every row, with inferred wire properties and the docs\' bucket boundaries', () => {
    expect(reference.format).toBe('upstream');
    expect(docs.format).toBe('package');
    expect(reference.metrics).toHaveLength(96);
    expect(metric('api_request.duration_ms')).toMatchObject({ kind: 'histogram', unit: 'ms', tags: 'session', required: ['status', 'success'] });
    expect(metric('api_request.duration_ms').buckets).toEqual(docs.buckets.find((b) => b.name === 'duration'));
    expect(metric('windows_sandbox.setup_duration_ms')).toMatchObject({ unit: 'ms', tags: 'none' });
    expect(metric('cloud_requirements.fetch_attempt').required).toEqual(['trigger', 'attempt', 'outcome', 'status_code']);
    expect(reference.metrics.every((m) => m.versions === undefined)).toBe(true);
    expect(reference.codexVersions).toEqual([]);
    expect(reference.buckets.map((b) => b.name).sort()).toEqual(['duration', 'sdk-default', 'tokens']);
  });

  it('lists what it could not read for a person to check, instead of failing', () => {
    expect(reference.notices).toEqual([
      expect.stringMatching(/^page\.md:\d+: `windows_sandbox\.elevated_setup_failure` says "See note" but no paragraph .* gets no fields, check the page by hand$/),
      expect.stringMatching(/^page\.md:\d+: `windows_sandbox\.elevated_setup_canceled` says "See note"/),
    ]);
    expect(metric('windows_sandbox.elevated_setup_failure').fields).toEqual({});
  });

  it('differs from docs/metrics.md where the docs record the wire: retired names, fields and values Codex sends, metrics only seen on the wire', () => {
    const diff = diffCatalogs(docs, reference);
    expect(diff.added).toEqual([]);
    expect(diff.retired).toEqual(expect.arrayContaining(['cloud_requirements.load: retired in the docs (renamed, now cloud_config_bundle.load)', 'task.undo: retired in the docs (not sent)']));
    expect(diff.retired).toHaveLength(6);
    expect(diff.changed).toContain('task.compact: fields -manual; required -manual; description "Number of compactions per type (remote, remote_v2 or local), including manual and auto (manual says which)." -> "Number of compactions per type (remote or local), including manual and auto."');
    expect(diff.missing).toEqual(expect.arrayContaining(['websocket.connect (docs section "Codex 0.171.0: transport and start-up")', 'app_server.codex_home.size_bytes (docs section "Codex 0.160.0 to 0.171.0: app server and earlier releases")']));
    expect(diff.missing).toHaveLength(docs.metrics.length - (reference.metrics.length - 6));
    expect(diff.inferred).toContain('thread.skills.enabled_total: unit 1 (docs {skill}); buckets sdk-default (docs skills-total)');
    expect(diff.inferred).toContain('db.backfill: tags session (docs none)');
  });
});

describe('a new upstream page', () => {
  const next = upstreamPage(
    '| `api_request` | counter | `status`, `success`, `region` | API request count by HTTP status, success/failure and region. |',
    '| `turn.patch.size_bytes` | histogram | `tool` | Size of the patches applied in a turn. |',
  );

  it('gives a registry and a diff: new metrics, new fields typed as open strings, everything else missing', () => {
    const catalog = page(next);
    const size = catalog.metrics.find((m) => m.name === 'turn.patch.size_bytes')!;
    expect(size).toMatchObject({ unit: '{byte}', tags: 'session', required: ['tool'] });
    expect(catalog.metrics[0].fields.region).toEqual({ name: 'region', type: 'string', description: expect.stringContaining('not in docs/attributes.md') });
    expect(catalog.notices).toEqual(['page.md:5: field `region` of `api_request` is not in attributes.md; typed as an open string']);
    const diff = diffCatalogs(docs, catalog);
    expect(diff.added).toEqual(['turn.patch.size_bytes (histogram, tool): Size of the patches applied in a turn.']);
    expect(diff.changed).toEqual(['api_request: fields +region; required +region; description "API request count by HTTP status and success/failure." -> "API request count by HTTP status, success/failure and region."']);
    const lines = renderCatalogDiff(diff, catalog, 'page.md', 'docs/metrics.md');
    expect(lines.slice(0, 5)).toEqual([
      'page.md (upstream format, 2 metrics) versus docs/metrics.md:',
      'on the page, not in the docs: 1',
      '  + turn.patch.size_bytes (histogram, tool): Size of the patches applied in a turn.',
      'changed on the page: 1',
      expect.stringMatching(/^ {2}~ api_request: fields \+region/),
    ]);
    expect(lines).toContain('to check by hand: 1');
  });

  it.each(['`Bad Field`', '`le`'])('a field named %s is an error at its row, not a type', (field) => {
    const text = upstreamPage(`| \`a\` | counter | ${field} | A. |`);
    expect(() => page(text)).toThrow(`page.md:5: field ${field} of \`a\` must match [a-z][a-z0-9_.]*`);
  });

  it('through the CLI: `list --docs` prints the registry on stdout and the diff on stderr; `generate --docs` writes it only with --out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'upstream-'));
    try {
      const file = join(dir, 'page.md');
      writeFileSync(file, next);
      const list = cli('list', '--docs', file);
      expect(list.status).toBe(0);
      expect(list.stdout).toMatch(/^turn\.patch\.size_bytes +histogram +\{byte\} +tool$/m);
      expect(list.stdout).toContain('2 metrics\n');
      expect(list.stderr).toContain('on the page, not in the docs: 1\n  + turn.patch.size_bytes');
      const json = cli('list', '--json', '--docs', file);
      expect(JSON.parse(json.stdout)).toHaveLength(2);

      const refused = cli('generate', '--docs', file);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('is in the upstream format; write its registry elsewhere with --out FILE');
      const out = join(dir, 'catalog.ts');
      const generated = cli('generate', '--docs', file, '--out', out);
      expect(generated.status).toBe(0);
      expect(generated.stderr).toContain('changed on the page: 1');
      const module = readFileSync(out, 'utf8');
      expect(module).toContain('export const CODEX_VERSIONS: readonly string[] = [];');
      expect(module).toContain("'turn.patch.size_bytes': { tool: string }");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the docs\' own command on the reference page', () => {
    const list = cli('list', '--docs', REFERENCE_FILE);
    expect(list.status).toBe(0);
    expect(list.stdout).toContain('96 metrics\n');
    expect(list.stderr).toContain('on the page, retired in the docs: 6');
  });
});
