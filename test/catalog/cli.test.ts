// The built CLI as a user runs it: `node bin/codex-otel-metrics.js <command>` (needs `npm run build`).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GENERATED_HEADER } from '../../src/catalog/generate.js';
import { METRICS } from '../../src/generated/catalog.js';
import { attributesText, editMetricRow, lineContaining, metricRow, metricsDoc, metricsText, miniAttributes, REPO_ROOT, withTempDir } from './helpers.js';

const COUNT = METRICS.length;

// Every CLI run parses the docs in a fresh process (seconds on a busy 2-core machine); a test runs up to three.
vi.setConfig({ testTimeout: 90_000 });

function cli(args: string[], root = REPO_ROOT) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'codex-otel-metrics.js'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One line, `file:line: reason`, and nothing that looks like a stack trace. */
function expectOneLineError(stderr: string, file: string, line: number, fragment: string) {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr.startsWith(`${file}:${line}: `)).toBe(true);
  expect(stderr).toContain(fragment);
}

/** The docs with one catalog row added right after `tool.unified_exec`. */
const ADDED_ROW = metricRow('tool.extra_probe', 'counter', '`tool`', 'Probe metric added by a test.');
const withAddedRow = metricsText.replace(/^(\| `tool\.unified_exec` .*)$/m, `$1\n${ADDED_ROW}`);

beforeAll(() => {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js')) || !existsSync(join(REPO_ROOT, 'bin', 'codex-otel-metrics.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});

describe('list', () => {
  it('--json gives every registry entry with its unprefixed name', () => {
    const { code, stdout, stderr } = cli(['list', '--json']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const rows = JSON.parse(stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(COUNT);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['description', 'fields', 'kind', 'name', 'section', 'unit']);
      expect(Object.keys(row.fields as object).sort()).toEqual(['optional', 'required']);
      expect(row.name as string).not.toMatch(/^codex\./);
    }
    expect(rows).toEqual(
      METRICS.map((m) => ({ name: m.name, kind: m.kind, unit: m.unit, section: m.section, description: m.description, fields: { required: m.required, optional: m.optional } })),
    );
    expect(rows.find((r) => r.name === 'mcp.call')).toMatchObject({ kind: 'counter', unit: '1', fields: { required: ['status'], optional: ['tool', 'server', 'connector_id', 'connector_name'] } });
  });

  it('prints a table with a count by default', () => {
    const { code, stdout } = cli(['list']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^api_request\s+counter\s+1\s+status, success$/m);
    expect(stdout).toMatch(/^mcp\.call\s+counter\s+1\s+status, tool\?, server\?, connector_id\?, connector_name\?$/m);
    expect(stdout.trimEnd().split('\n')).toHaveLength(COUNT + 1);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`${COUNT} metrics`);
  });

  it('--docs parses the given file instead of the registry', () => {
    withTempDir((dir) => {
      const docs = join(dir, 'metrics.md');
      writeFileSync(docs, withAddedRow);
      const { code, stdout } = cli(['list', '--docs', docs, '--json']);
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as { name: string; section: string }[];
      expect(rows).toHaveLength(COUNT + 1);
      expect(withAddedRow).not.toBe(metricsText);
      expect(rows.find((r) => r.name === 'tool.extra_probe')).toMatchObject({ section: 'Turn and tool activity' });

      const small = join(dir, 'small.md');
      const attrs = join(dir, 'attributes.md');
      writeFileSync(small, metricsDoc(['Probes', [metricRow('probe.one', 'counter', '`status`', 'One.'), metricRow('probe.two_ms', 'histogram', '', 'Two.')]]));
      writeFileSync(attrs, miniAttributes());
      const listed = cli(['list', '--docs', small, '--attributes', attrs]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^probe\.one\s+counter\s+1\s+status$/m);
      expect(listed.stdout).toMatch(/^probe\.two_ms\s+histogram\s+ms\s*$/m);
      expect(listed.stdout.trimEnd().split('\n').at(-1)).toBe('2 metrics');
    });
  });
});

describe('check', () => {
  it('exits 0 on the repository', () => {
    const { code, stdout, stderr } = cli(['check']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`ok: generated files match the docs (${COUNT} metrics)`);
  });

  it('exits 1 and names the metric a modified copy of the docs adds', () => {
    withTempDir((dir) => {
      const docs = join(dir, 'metrics.md');
      writeFileSync(docs, withAddedRow);
      const { code, stdout, stderr } = cli(['check', '--docs', docs]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^src[\\/]generated[\\/]catalog\.ts is out of date with the docs: line \d+ differs/m);
      expect(stderr).toMatch(/^src[\\/]generated[\\/]metric-names\.ts is out of date with the docs: line \d+ differs/m);
      expect(stderr).toContain('added in docs: tool.extra_probe');
      expect(stderr).toContain('run `npm run generate`');
      expect(stderr).not.toMatch(/^\s+at /m);
    });
  });

  it('names removed and changed metrics too', () => {
    withTempDir((dir) => {
      const docs = join(dir, 'metrics.md');
      const removed = metricsText.replace(/^\| `task\.review` .*\n/m, '');
      const modified = editMetricRow(removed, 'thread.rename', (cells, header) => cells.map((c, i) => (header[i] === 'Fields' ? '`source`' : c)));
      expect(removed).not.toBe(metricsText);
      expect(modified).toContain('| `thread.rename` | counter | `1` |  | session | `source` |');
      writeFileSync(docs, modified);
      const { code, stderr } = cli(['check', '--docs', docs]);
      expect(code).toBe(1);
      expect(stderr).toContain('removed from docs: task.review');
      expect(stderr).toContain('changed in docs: thread.rename');
    });
  });

  it('a malformed --docs exits 1 with one `file:line: reason` line and no stack trace', () => {
    withTempDir((dir) => {
      const docs = join(dir, 'metrics.md');
      const broken = metricsText.replace('| `tool.unified_exec` | counter |', '| `tool.unified_exec` | gauge |');
      writeFileSync(docs, broken);
      const { code, stdout, stderr } = cli(['check', '--docs', docs]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expectOneLineError(stderr, docs, lineContaining(broken, '| `tool.unified_exec` | gauge |'), '`tool.unified_exec` has type "gauge"');
    });
  });
});

describe('malformed docs on every command', () => {
  it.each([['list'], ['list', '--json'], ['check'], ['generate']])('%s exits 1 with a one-line error', (...command) => {
    withTempDir((dir) => {
      const docs = join(dir, 'metrics.md');
      // The Fields cell of `mcp.call` dropped: 7 cells in an 8-column table.
      const broken = editMetricRow(metricsText, 'mcp.call', (cells, header) => cells.filter((_, i) => header[i] !== 'Fields'));
      writeFileSync(docs, broken);
      const out = join(dir, 'out.ts');
      const { code, stderr } = cli([...command, '--docs', docs, ...(command[0] === 'generate' ? ['--out', out] : [])]);
      expect(code).toBe(1);
      expectOneLineError(stderr, docs, lineContaining(broken, '| `mcp.call` | counter |'), 'row has 7 cells; the table has 8 columns');
      expect(existsSync(out)).toBe(false);
    });
  });

  it('a malformed --attributes names the attributes file and line', () => {
    withTempDir((dir) => {
      const attrs = join(dir, 'attributes.md');
      const broken = attributesText.replace('| `tty` | boolean |', '| `tty` | bool |');
      writeFileSync(attrs, broken);
      const { code, stderr } = cli(['list', '--attributes', attrs]);
      expect(code).toBe(1);
      expectOneLineError(stderr, attrs, lineContaining(broken, '| `tty` | bool |'), 'field `tty` has type "bool"');
    });
  });

  it('a missing --docs file is a one-line error too', () => {
    const { code, stderr } = cli(['list', '--docs', '/nonexistent/metrics.md']);
    expect(code).toBe(1);
    expectOneLineError(stderr, '/nonexistent/metrics.md', 0, 'cannot read: ENOENT');
  });

  it('an unknown option is a usage error naming the command (exit 2, then the usage)', () => {
    const { code, stderr } = cli(['list', '--bogus']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(/^codex-otel-metrics list: .*--bogus/);
    expect(stderr.split('\n')[1]).toMatch(/^usage: codex-otel-metrics list/);
  });
});

describe('generate', () => {
  // `generate` also rewrites the dashboard under the package root; run it from a private copy of
  // the package so the test never touches the shared work tree.
  let pkg: string;
  beforeAll(() => {
    pkg = mkdtempSync(join(tmpdir(), 'codex-catalog-cli-'));
    for (const entry of ['bin', 'dist', 'docs', 'package.json']) cpSync(join(REPO_ROOT, entry), join(pkg, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    mkdirSync(join(pkg, 'src', 'generated'), { recursive: true });
  });
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('--out writes the registry with the GENERATED header, equal to the committed one', () => {
    const out = join(pkg, 'out', 'nested', 'catalog.ts');
    const { code, stdout, stderr } = cli(['generate', '--out', out], pkg);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`${COUNT} metrics)`);
    expect(stdout).not.toContain('dashboard'); // --out writes only the registry
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith(`${GENERATED_HEADER}\n`)).toBe(true);
    expect(text).toBe(readFileSync(join(REPO_ROOT, 'src', 'generated', 'catalog.ts'), 'utf8'));
  });

  it('--docs with an added metric writes it into the registry', () => {
    const docs = join(pkg, 'added.md');
    writeFileSync(docs, withAddedRow);
    const out = join(pkg, 'added.ts');
    const { code } = cli(['generate', '--docs', docs, '--out', out], pkg);
    expect(code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(`'{"name":"tool.extra_probe",`);
    expect(text).toContain("  'tool.extra_probe': { tool: string };");
  });
});

describe('check against the committed generated files', () => {
  // A private copy of the package with its generated files, so they can be edited safely.
  let pkg: string;
  let names: string;
  let committed: string;
  beforeAll(() => {
    pkg = mkdtempSync(join(tmpdir(), 'codex-catalog-check-'));
    for (const entry of ['bin', 'dist', 'docs', 'dashboards', 'rules', 'package.json', join('src', 'generated')]) cpSync(join(REPO_ROOT, entry), join(pkg, entry), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    names = join(pkg, 'src', 'generated', 'metric-names.ts');
    committed = readFileSync(names, 'utf8');
  });
  afterAll(() => rmSync(pkg, { recursive: true, force: true }));

  it('passes on an unmodified copy', () => {
    const { code, stdout, stderr } = cli(['check'], pkg);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain(`(${COUNT} metrics)`);
  });

  it('fails when only metric-names.ts drifts, naming that file and the line', () => {
    const m = METRICS[Math.floor(METRICS.length / 2)];
    const declaration = `= 'codex.${m.name}';`;
    const edited = committed.replace(declaration, "= 'codex.hand_edited';");
    expect(edited).not.toBe(committed);
    writeFileSync(names, edited);
    try {
      const { code, stdout, stderr } = cli(['check'], pkg);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toMatch(new RegExp(`^src[\\\\/]generated[\\\\/]metric-names\\.ts is out of date with the docs: line ${lineContaining(edited, 'codex.hand_edited')} differs`, 'm'));
      expect(stderr).not.toContain('catalog.ts');
      expect(stderr).toContain('run `npm run generate`');
    } finally {
      writeFileSync(names, committed);
    }
  });

  it('fails when metric-names.ts is missing; `generate` writes it back as committed', () => {
    rmSync(names);
    const missing = cli(['check'], pkg);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^src[\\/]generated[\\/]metric-names\.ts is out of date with the docs: file is missing or empty$/m);
    const generated = cli(['generate'], pkg);
    expect({ code: generated.code, stderr: generated.stderr }).toEqual({ code: 0, stderr: '' });
    expect(generated.stdout).toContain(`(metric names, ${COUNT} metrics)`);
    expect(readFileSync(names, 'utf8')).toBe(committed);
    expect(cli(['check'], pkg).code).toBe(0);
  });
});
