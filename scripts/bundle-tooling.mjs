// Build step after `tsc`: bundles dist/ into a few files per public entry point.
//
// - The tooling libraries (Markdown parser, Grafana foundation SDK, protobufjs, yaml) are
//   devDependencies: they are bundled here, into the chunks of the CLI, `/verify`, `/dashboard` and `/rules`
//   only, so a runtime user neither installs nor loads them.
// - `import 'codex-otel-metrics'` reads one small file plus a shared chunk instead of ~25 modules:
//   module count is most of its cold-import cost next to @opentelemetry/api.
// - OpenTelemetry packages and Node built-ins stay external: runtime dependencies shared with the
//   host (and the SDK is loaded on first use, see src/export/sdk-modules.ts).
// Entry files keep their paths (package.json "exports" and "bin" point at them); code shared by
// several entries and the CLI's lazily loaded commands go to dist/chunks/. Declarations stay as tsc
// wrote them; tsc's other .js files are removed.
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const staging = join(root, 'dist.bundle');
/** package.json "exports" and "bin" targets. */
const ENTRIES = ['index', 'testing/index', 'verify/index', 'dashboard/index', 'rules/index', 'cli/main'];

function files(dir, suffix) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, suffix);
    return name.endsWith(suffix) ? [path] : [];
  });
}

/** The modules of the package root's import graph (src/index.ts): runtime, export, the registry. */
const RUNTIME_MODULES = /[\\/]dist[\\/](runtime[\\/]|export[\\/]|generated[\\/]|catalog[\\/]spec\.js$|version\.js$)/;

const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || id.startsWith('@opentelemetry/');

rmSync(staging, { recursive: true, force: true });
await build({
  input: Object.fromEntries(ENTRIES.map((name) => [name, join(dist, `${name}.js`)])),
  external,
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: staging,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'chunks/[name]-[hash].js',
    // Everything `import 'codex-otel-metrics'` loads goes to one chunk, whichever other entries share
    // parts of it: each extra module costs Node a resolve, a read and a link on the cold import.
    codeSplitting: { groups: [{ name: 'runtime', test: RUNTIME_MODULES }] },
    sourcemap: false,
    // ASCII only (other characters escaped): V8 keeps an all-Latin-1 source as one byte per character.
    charset: 'ascii',
    // Whitespace only: names and code stay as written (readable stack traces); less to read and parse.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  },
});

for (const file of files(dist, '.js')) rmSync(file); // tsc's modules; their declarations stay
for (const name of ENTRIES) renameSync(join(staging, `${name}.js`), join(dist, `${name}.js`));
if (existsSync(join(staging, 'chunks'))) renameSync(join(staging, 'chunks'), join(dist, 'chunks'));
rmSync(staging, { recursive: true, force: true });
