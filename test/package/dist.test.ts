// What ships in dist/ (built by `npm test` first): source maps that carry their sources, an
// uncaught configuration error that prints a short readable line (not a minified chunk), a
// manifest whose subpaths all have types for every moduleResolution, and one version everywhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../../src/version.js';

const ROOT = resolve('.');
const DIST = join(ROOT, 'dist');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions: Record<string, Record<string, string[]>>;
};
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('CODEX_OTEL_')));

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

function node(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...CLEAN_ENV, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(join(DIST, 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does) before this suite');
});

describe('source maps', () => {
  it('every bundled file with code has a map that carries the package own sources (src/ does not ship), not those of the bundled libraries', () => {
    const files = jsFiles(DIST);
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const ref = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text);
      // The bundler's own helpers (CommonJS interop for the bundled tooling) have no source to map.
      if (/[\\/]rolldown-runtime-[^/\\]+\.js$/.test(file)) continue;
      // An entry that only re-exports a chunk has no code of its own to map.
      if (!ref) {
        expect(text.split('\n').filter((l) => l.trim() && !/^(export|import) /.test(l) && !l.startsWith('//'))).toEqual([]);
        continue;
      }
      const map = JSON.parse(readFileSync(join(file, '..', ref[1]), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      // The package's own sources are inside; the bundled tooling libraries' are left out (size).
      map.sources.forEach((source, i) => {
        const content = map.sourcesContent?.[i];
        const own = !/[\\/]node_modules[\\/]/.test(source);
        const ok = own ? typeof content === 'string' && content.length > 0 : content === null;
        expect(ok, `${file}: ${source}`).toBe(true);
      });
    }
  });

  it('with --enable-source-maps a stack trace names the TypeScript source', () => {
    const r = node(['--enable-source-maps', '--input-type=module', '-e', `import { startCodexMetrics } from '${pathToFileURL(join(DIST, 'index.js')).href}'; startCodexMetrics();`], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/src\/export\/config\.ts:\d+/);
  });
});

describe('a bad endpoint (OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318)', () => {
  it('is a short, documented ExportConfigError: one message line that says what to fix, no minified dump', () => {
    const r = node(['--input-type=module', '-e', `import { startCodexMetrics } from '${pathToFileURL(join(DIST, 'index.js')).href}'; startCodexMetrics();`], {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318',
    });
    expect(r.code).toBe(1);
    const message = r.stderr.split('\n').filter((l) => l.startsWith('ExportConfigError'));
    expect(message).toEqual([
      'ExportConfigError: invalid_endpoint: OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (OTLP/HTTP), e.g. http://collector:4318 (it has no scheme: put http:// in front)',
    ]);
    // Node prints the throwing source line: readable code, not a whole bundle on one line.
    expect(r.stderr.length).toBeLessThan(2_500);
    for (const line of r.stderr.split('\n')) expect(line.length).toBeLessThan(400);
  });
});

describe('package.json', () => {
  it('typesVersions maps every subpath of "exports" to the same declarations (moduleResolution node10)', () => {
    const subpaths = Object.entries(PKG.exports).filter(([path, target]) => path !== '.' && typeof target === 'object');
    expect(subpaths.length).toBeGreaterThanOrEqual(5);
    const map = PKG.typesVersions['*'];
    for (const [path, target] of subpaths) {
      const types = (target as { types: string }).types;
      expect(map[path.slice(2)], path).toEqual([types]);
      expect(existsSync(join(ROOT, types)), types).toBe(true);
    }
    expect(Object.keys(map).sort()).toEqual(subpaths.map(([p]) => p.slice(2)).sort());
  });

  it('no install script: npm 11 warns about (and skips) prepare/install scripts of a tarball; npm pack builds through prepack', () => {
    for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) expect(PKG.scripts[script], script).toBeUndefined();
    expect(PKG.scripts.prepack).toContain('npm run build');
  });

  it('one version: package.json, the instrumentation scope version, `--version`', () => {
    expect(PACKAGE_VERSION).toBe(PKG.version);
    for (const flag of ['--version', '-v']) {
      const r = node([join(ROOT, 'bin', 'codex-otel-metrics.js'), flag]);
      expect(r).toMatchObject({ code: 0, stdout: `${PKG.version}\n`, stderr: '' });
    }
    expect(node([join(ROOT, 'bin', 'codex-otel-metrics.js'), '--help']).stdout).toContain('codex-otel-metrics --version');
  });
});
