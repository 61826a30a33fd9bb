// Build step after `tsc`: the tooling libraries (Markdown parser, Grafana foundation SDK,
// protobufjs, yaml) are devDependencies, so they are bundled into dist/ here and cost a runtime
// user nothing unless a tooling module (CLI, `/verify`, `/dashboard`) is loaded.
//
// Every compiled module stays its own file at its own path (each one is an entry), so the public
// entries, `import.meta.url` paths and the CLI's lazy per-command loading are unchanged; only the
// third-party code those modules import lands in dist/vendor/. OpenTelemetry packages and Node
// built-ins stay external: they are runtime dependencies shared with the host.
import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const staging = join(root, 'dist.bundle');

function jsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'vendor' ? [] : jsFiles(path);
    return name.endsWith('.js') ? [path] : [];
  });
}

const input = Object.fromEntries(jsFiles(dist).map((file) => [relative(dist, file).slice(0, -3).split(sep).join('/'), file]));
const builtins = new Set(builtinModules);
const external = (id) => id.startsWith('node:') || builtins.has(id) || id === '@opentelemetry' || id.startsWith('@opentelemetry/');

rmSync(staging, { recursive: true, force: true });
await build({
  input,
  external,
  platform: 'node',
  logLevel: 'warn',
  output: {
    dir: staging,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: 'vendor/[name]-[hash].js',
    sourcemap: false,
  },
});

// Replace the compiled modules by their bundled form (declarations stay as tsc wrote them).
rmSync(join(dist, 'vendor'), { recursive: true, force: true });
for (const file of jsFiles(staging)) renameSync(file, join(dist, relative(staging, file)));
renameSync(join(staging, 'vendor'), join(dist, 'vendor'));
rmSync(staging, { recursive: true, force: true });
