// Build step after `tsc` (which writes the declarations): bundles src/ into a few files per public
// entry point, with source maps.
//
// - The tooling libraries (Markdown parser, Grafana foundation SDK, protobufjs, yaml) are
//   devDependencies: they are bundled here, into the chunks of the CLI, `/verify`, `/dashboard` and `/rules`
//   only, so a runtime user neither installs nor loads them.
// - `import 'codex-otel-metrics'` reads one small file plus a shared chunk instead of ~25 modules:
//   module count is most of its cold-import cost next to @opentelemetry/api.
// - OpenTelemetry packages and Node built-ins stay external: runtime dependencies shared with the
//   host (the root loads the SDK on first use, `/start` imports it: see src/export/sdk-modules.ts).
// - Source maps carry the TypeScript sources (sourcesContent), since src/ does not ship: a stack
//   trace under `node --enable-source-maps` names src/…ts lines. Only the package's own sources:
//   the bundled tooling libraries' are dropped (they would triple the installed size; their
//   mappings and file names stay, so a trace still names the library file and line).
// - Minified but with its line breaks kept: Node prints the source line of an uncaught error, which
//   must stay one short line (not a 30 KB dump), while compressing and short local names keep the
//   root's cold import near @opentelemetry/api's (the runtime chunk: 271 KB readable, 177 KB so).
// Entry files keep their paths (package.json "exports" and "bin" point at them); code shared by
// several entries and the CLI's lazily loaded commands go to dist/chunks/.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const staging = join(root, 'dist.bundle');
/** package.json "exports" and "bin" targets. */
const ENTRIES = ['index', 'start', 'testing/index', 'verify/index', 'dashboard/index', 'rules/index', 'cli/main'];

/**
 * The modules of the package root's import graph (src/index.ts): runtime, export, the registry.
 * Not the two SDK sources: the root's run-time loader uses import.meta, which a CommonJS bundle of
 * `/start` (sharing this chunk) must not meet, and `/start`'s static imports load the whole SDK.
 */
const RUNTIME_MODULES = /[\\/]src[\\/](runtime[\\/]|export[\\/](?!node-sdk-modules|static-sdk-modules)|generated[\\/]|genai[\\/]|catalog[\\/]spec\.ts$|version\.ts$|public-api\.ts$)/;

const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || id.startsWith('@opentelemetry/');

rmSync(staging, { recursive: true, force: true });
await build({
  input: Object.fromEntries(ENTRIES.map((name) => [name, join(root, 'src', `${name}.ts`)])),
  tsconfig: join(root, 'tsconfig.build.json'),
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
    sourcemap: true,
    // ASCII only (other characters escaped): V8 keeps an all-Latin-1 source as one byte per character.
    charset: 'ascii',
    minify: { compress: true, mangle: { toplevel: false }, codegen: { removeWhitespace: false } },
    // JSDoc is for editors, and they read it from the .d.ts files tsc writes: in the bundle it is
    // text Node scans on every cold import (the metric-name constants alone carry ~50 KB of it).
    comments: { legal: true, annotation: true, jsdoc: false },
  },
});

for (const name of ENTRIES) {
  renameSync(join(staging, `${name}.js`), join(dist, `${name}.js`));
  // An entry that only re-exports has no map.
  if (existsSync(join(staging, `${name}.js.map`))) renameSync(join(staging, `${name}.js.map`), join(dist, `${name}.js.map`));
}
if (existsSync(join(staging, 'chunks'))) renameSync(join(staging, 'chunks'), join(dist, 'chunks'));
rmSync(staging, { recursive: true, force: true });

// The bundled libraries' sources out of every map (see the header).
for (const dir of [dist, join(dist, 'chunks')]) {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    if (!Array.isArray(map.sourcesContent)) continue;
    map.sourcesContent = map.sourcesContent.map((content, i) => (/[\\/]node_modules[\\/]/.test(map.sources[i] ?? '') ? null : content));
    writeFileSync(join(dir, file), JSON.stringify(map));
  }
}
