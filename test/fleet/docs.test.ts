// Every code block of docs/fleet.md is valid: YAML parses, a Prometheus configuration passes
// `promtool check config`, a Collector fragment uses only keys the component docs list
// (collector-keys.ts), TypeScript compiles against the package (its built dist/, as a user imports it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorKeyProblems } from './collector-keys.js';

const DOC = 'docs/fleet.md';
const blocks = [...readFileSync(DOC, 'utf8').matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], text: m[2] }));
const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'codex-fleet-docs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(`${DOC} code blocks`, () => {
  it('has only the kinds of block this test checks', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(['yaml', 'ts'], b.text.slice(0, 60)).toContain(b.lang);
  });

  it.each(blocks.filter((b) => b.lang === 'yaml').map((b, i) => [i, b.text] as const))('YAML block %i parses; Prometheus and Collector parts are valid', (_, text) => {
    const doc = parse(text) as Record<string, unknown>;
    expect(doc).toBeTypeOf('object');
    if ('scrape_configs' in doc) {
      if (!promtool && process.env.CI) throw new Error('`promtool` is not on PATH');
      if (promtool) {
        const file = join(scratch, 'prometheus.yml');
        writeFileSync(file, text);
        const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
        expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      }
    }
    if ('processors' in doc || 'exporters' in doc || 'receivers' in doc) expect(collectorKeyProblems(doc)).toEqual([]);
  });

  it('TypeScript blocks compile against the package', () => {
    const ts = blocks.filter((b) => b.lang === 'ts');
    expect(ts.length).toBeGreaterThan(0);
    // Inside the package directory, so `codex-otel-metrics` resolves to this package (its exports → dist/).
    const dir = resolve('.tmp/docs-fleet');
    mkdirSync(dir, { recursive: true });
    const files = ts.map((b, i) => {
      const file = join(dir, `block-${i}.ts`);
      writeFileSync(file, b.text);
      return file;
    });
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, rootDir: '../..' }, include: files.map((f) => f.slice(dir.length + 1)) }));
    const r = spawnSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });
});
