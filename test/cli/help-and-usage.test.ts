// CLI conventions, as a user runs the built CLI (needs `npm run build`): every command answers
// --help on stdout with exit 0; an unknown option exits 2 with the usage on stderr; `generate` in
// an installed copy refuses to rewrite files inside node_modules and says what to do.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');
const COMMANDS = ['generate', 'check', 'list', 'demo', 'dashboard', 'rules', 'verify', 'registry'];
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));

function cli(args: string[], root = ROOT, cwd = root) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'codex-otel-metrics.js'), ...args], { cwd, encoding: 'utf8', timeout: 15_000, env: CLEAN_ENV });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('--help and usage errors, for every command', () => {
  for (const command of COMMANDS) {
    it(`${command} --help / -h: usage on stdout, exit 0`, () => {
      for (const flag of ['--help', '-h']) {
        const r = cli([command, flag]);
        expect(r, flag).toMatchObject({ code: 0, stderr: '' });
        expect(r.stdout).toMatch(new RegExp(`^usage: codex-otel-metrics ${command}\\b`));
      }
    });

    it(`${command} --no-such-option: exit 2, the usage on stderr, nothing on stdout`, () => {
      const r = cli([command, '--no-such-option']);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--no-such-option');
      expect(r.stderr).toContain(`usage: codex-otel-metrics ${command}`);
      expect(r.stderr).not.toMatch(/^\s+at /m); // no stack trace
    });
  }

  it('a bad option value is a usage error too (demo --protocol grpc)', () => {
    const r = cli(['demo', '--protocol', 'grpc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--protocol must be http/protobuf or http/json');
    expect(r.stderr).toContain('usage: codex-otel-metrics demo');
  });

  it('no command: usage on stderr, exit 2; help: stdout, exit 0; unknown command: exit 2', () => {
    expect(cli([])).toMatchObject({ code: 2, stdout: '' });
    expect(cli(['help'])).toMatchObject({ code: 0, stderr: '' });
    expect(cli(['frobnicate'])).toMatchObject({ code: 2, stdout: '' });
  });
});

describe('generate in an installed copy (under node_modules)', () => {
  let project: string;
  let installed: string;

  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'codex-consumer-'));
    installed = join(project, 'node_modules', 'codex-otel-metrics');
    mkdirSync(installed, { recursive: true });
    for (const part of ['bin', 'dist', 'docs', 'dashboards', 'package.json']) cpSync(join(ROOT, part), join(installed, part), { recursive: true });
    cpSync(join(ROOT, 'src', 'generated'), join(installed, 'src', 'generated'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', '@opentelemetry'), join(project, 'node_modules', '@opentelemetry'));
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('refuses to rewrite its own files, says why and what to do, exit 1; the files are untouched', () => {
    const registry = join(installed, 'src', 'generated', 'catalog.ts');
    const before = readFileSync(registry, 'utf8');
    const r = cli(['generate'], installed, project);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`installed under ${join(project, 'node_modules')}`);
    expect(r.stderr).toContain('--out');
    expect(readFileSync(registry, 'utf8')).toBe(before);
  });

  it('writes where --out says', () => {
    const out = join(project, 'src', 'codex-catalog.ts');
    const r = cli(['generate', '--out', out], installed, project);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(join(installed, 'src', 'generated', 'catalog.ts'), 'utf8'));
  });
});
