#!/usr/bin/env node
// Consumer check (run by .ci/run after `npm test`, or `npm run test:consumer`): the packed tarball
// installed into fresh consumer projects as docs/install.md tells a user to (`npm pack` here, then
// `npm install ./codex-otel-metrics-<version>.tgz`, no npm flags), on Node 20 and Node 22 (a Node 22
// binary comes from the `node` package on npm when this Node is not 22, and vice versa). Any npm
// warning that names this package fails it.
//
// 1. beside the newest @opentelemetry/sdk-node that declares support for that Node (resolved from the
//    registry at run time, so the next OpenTelemetry release is tested the day it is published) and
//    the newest @opentelemetry/api its peer range allows: no ERESOLVE, exactly one copy of
//    api/core/resources/sdk-metrics and of the OTLP exporter packages (a second copy is named with
//    its version and who pulled it in), then a recording end to end
//    (the quick start with startCodexMetrics, and createCodexMetrics on the NodeSDK's provider),
//    exported over OTLP/HTTP to a loopback receiver and checked on arrival;
// 2. alone (npm installs the peer api): the install size against the bare OpenTelemetry pieces;
// 3. cold import: which OpenTelemetry packages `import { createCodexMetrics }` and startCodexMetrics
//    load (checked), and how long the imports take (median of runs; printed, not asserted);
// 4. a TypeScript CommonJS project (`"module": "nodenext"`) importing the ESM package compiles
//    (TS1479 only under node16) and runs with require(esm);
// 5. bundlers (docs/bundlers.md): esbuild (ESM and CommonJS output, ESM and CommonJS sources) and
//    Rollup (ESM and CommonJS output) bundle a consumer of `codex-otel-metrics/start`; each bundle
//    is copied alone into an empty directory (no node_modules), run, and its export checked on
//    arrival; the root's startCodexMetrics in a bundle fails with the one-line error naming /start;
// 6. TypeScript 5 with `"moduleResolution": "node10"` finds the types of every subpath (typesVersions).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const HERE = dirname(fileURLToPath(import.meta.url));
const IMPORT_RUNS = Number(process.env.CONSUMER_IMPORT_RUNS ?? 9);
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'codex-consumer-'));
const failures = [];
let passed = 0;

// A clean environment: no OTEL_* of the machine, no npm_* of an enclosing `npm run`.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('npm_')));
Object.assign(ENV, { npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false' });

const NPM_CLI = [process.env.npm_execpath, join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')].find(
  (p) => p && p.endsWith('npm-cli.js') && existsSync(p),
);
if (!NPM_CLI) throw new Error('cannot find npm-cli.js next to this Node');
// npm's own semver: engine and peer ranges are judged exactly as npm judges them.
const semver = createRequire(NPM_CLI)('semver');

function log(line) {
  process.stdout.write(`${line}\n`);
}

function check(ok, what) {
  log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (ok) passed++;
  else failures.push(what);
  return ok;
}

function run(bin, args, cwd, extraEnv = {}) {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8', env: { ...ENV, ...extraEnv }, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** npm run by the Node under test, so that its engine-aware resolution is that Node's. */
function npm(node, args, cwd) {
  return run(node, [NPM_CLI, ...args], cwd);
}

function project(name) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${name}`, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
  return dir;
}

/** Every installed package (name@version → paths), walking node_modules like Node resolves them. */
function installedPackages(dir) {
  const found = new Map();
  const walk = (nm) => {
    if (!existsSync(nm)) return;
    for (const entry of readdirSync(nm)) {
      if (entry.startsWith('.')) continue;
      const names = entry.startsWith('@') ? readdirSync(join(nm, entry)).map((n) => `${entry}/${n}`) : [entry];
      for (const name of names) {
        const path = join(nm, name);
        const pkg = join(path, 'package.json');
        if (!existsSync(pkg)) continue;
        const { version } = JSON.parse(readFileSync(pkg, 'utf8'));
        found.set(`${name}@${version}`, [...(found.get(`${name}@${version}`) ?? []), path]);
        walk(join(path, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

function bytes(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, entry) => sum + bytes(join(path, entry)), 0);
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function packTarball() {
  log('packing the package (npm pack runs the build)');
  const r = run(process.execPath, [NPM_CLI, 'pack', '--pack-destination', work, '--silent'], ROOT);
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.output}`);
  const file = r.stdout.trim().split('\n').at(-1);
  return join(work, file);
}

/** This Node if it has `major`, else a `node@major` binary installed from npm. */
function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const prefix = join(work, `node${major}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), '{"private":true}\n');
  const r = npm(process.execPath, ['install', `node@${major}`], prefix);
  const bin = join(prefix, 'node_modules', '.bin', 'node');
  if (r.code !== 0 || !existsSync(bin)) throw new Error(`could not install node@${major} from npm:\n${r.output}`);
  return bin;
}

/**
 * The documented install: the tarball copied into the project and installed by its relative path,
 * no flags. Fails on ERESOLVE and on any npm warning naming this package (npm 11 warns, for
 * instance, about a `prepare` script of a tarball). Warnings about other packages are not ours:
 * the host's own dependencies (protobufjs' postinstall, esbuild's) are for the host to approve.
 */
function installTarball(node, dir, tarball, what) {
  const file = basename(tarball);
  copyFileSync(tarball, join(dir, file));
  const r = npm(node, ['install', `./${file}`], dir);
  const ok = check(r.code === 0, `npm install ./${file}${what ? ` ${what}` : ''}, no flags (exit ${r.code})`);
  check(!/ERESOLVE/.test(r.output), 'no ERESOLVE (peer conflict) reported');
  const ours = r.output.split('\n').filter((l) => /^npm warn/i.test(l) && l.includes(PACKAGE.name));
  check(ours.length === 0, `no npm warning names ${PACKAGE.name}${ours.length ? `: ${ours.join(' | ')}` : ''}`);
  if (!ok || /ERESOLVE/.test(r.output)) log(r.output);
  return ok;
}

function scenario(node, dir, args) {
  copyFileSync(join(HERE, 'scenario.mjs'), join(dir, 'scenario.mjs'));
  const r = run(node, ['scenario.mjs', ...args], dir);
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { ...JSON.parse(line), code: r.code, stderr: r.stderr };
  } catch {
    return { ok: false, code: r.code, message: `no result line (exit ${r.code})`, stderr: r.output.slice(-2000) };
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Every published release of `name` (no pre-releases) with the fields asked for, from the registry now. */
function releases(name, fields) {
  const r = run(process.execPath, [NPM_CLI, 'view', `${name}@>=0.0.0`, 'version', ...fields, '--json'], work);
  if (r.code !== 0) throw new Error(`npm view ${name} failed:\n${r.output.slice(-1000)}`);
  const list = [].concat(JSON.parse(r.stdout));
  return list.filter((m) => semver.valid(m.version) && !semver.prerelease(m.version)).sort((a, b) => semver.rcompare(a.version, b.version));
}

/** The newest sdk-node whose `engines.node` admits this Node, and the newest api its peer range admits. */
function newestHost(nodeVersion) {
  const host = releases('@opentelemetry/sdk-node', ['engines', 'peerDependencies']).find(
    (m) => !m.engines?.node || semver.satisfies(nodeVersion, m.engines.node),
  );
  if (!host) throw new Error(`no @opentelemetry/sdk-node release supports Node ${nodeVersion}`);
  const peer = host.peerDependencies?.['@opentelemetry/api'] ?? '*';
  const api = releases('@opentelemetry/api', ['engines']).find((m) => semver.satisfies(m.version, peer));
  if (!api) throw new Error(`no @opentelemetry/api release satisfies ${peer} (peer of sdk-node ${host.version})`);
  return { sdkNode: host.version, api: api.version };
}

/** `npm ls name`: which package pulled in which copy (for a failure message that names them). */
function whoPulls(node, dir, name) {
  return npm(node, ['ls', name, '--all'], dir).stdout.split('\n').filter((l) => l.includes('@')).slice(1).join(' | ');
}

function beside(node, nodeVersion, label, tarball) {
  const want = newestHost(nodeVersion);
  log(`\n[${label}] fresh project with @opentelemetry/sdk-node@${want.sdkNode} (newest for Node ${nodeVersion}) + @opentelemetry/api@${want.api}, then the tarball`);
  const dir = project(`${label}-sdk-node`);
  const host = npm(node, ['install', `@opentelemetry/sdk-node@${want.sdkNode}`, `@opentelemetry/api@${want.api}`], dir);
  if (!check(host.code === 0, `npm install @opentelemetry/sdk-node@${want.sdkNode} @opentelemetry/api@${want.api} (exit ${host.code})`)) return log(host.output);
  const before = installedPackages(dir);
  const hostVersions = [...before.keys()].filter((k) => /^@opentelemetry\/(sdk-node|api|sdk-metrics)@/.test(k)).join(', ');
  log(`  host: ${hostVersions}`);
  installTarball(node, dir, tarball);
  const after = installedPackages(dir);
  // The SDK core, and the OTLP exporter packages sdk-node also depends on: a second copy of any of
  // them would load twice (and an exporter with its own SDK copy would export another SDK's data).
  for (const name of [
    '@opentelemetry/api',
    '@opentelemetry/core',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/exporter-metrics-otlp-http',
    '@opentelemetry/exporter-metrics-otlp-proto',
    '@opentelemetry/otlp-exporter-base',
    '@opentelemetry/otlp-transformer',
  ]) {
    const copies = [...after].filter(([k]) => k.startsWith(`${name}@`)).flatMap(([k, paths]) => paths.map(() => k));
    const detail = copies.length > 1 ? `; npm ls: ${whoPulls(node, dir, name)}` : '';
    check(copies.length === 1, `one copy of ${name} beside sdk-node@${want.sdkNode} (${copies.join(', ') || 'none'}${detail})`);
  }
  const added = [...after.keys()].filter((k) => !before.has(k));
  log(`  the package added ${added.length} package(s): ${added.join(', ')}`);
  for (const name of ['quickstart', 'nodesdk', 'nodesdk-producer']) {
    const r = scenario(node, dir, [name]);
    check(r.ok === true, `${name}: recorded, exported, ${r.ok ? `${r.points} points of ${r.metrics.length} metrics arrived` : `${r.message} ${JSON.stringify(r)}`}`);
  }
  return dir;
}

function alone(node, label, tarball) {
  log(`\n[${label}] install size: the package alone (npm adds the peer api) vs the bare OpenTelemetry pieces`);
  const dir = project(`${label}-alone`);
  if (!installTarball(node, dir, tarball, 'alone')) return;
  const bare = project(`${label}-bare`);
  const sdk = installedPackages(dir);
  const pick = (name) => [...sdk.keys()].find((k) => k.startsWith(`${name}@`));
  const pieces = ['@opentelemetry/api', '@opentelemetry/sdk-metrics', '@opentelemetry/resources', '@opentelemetry/exporter-metrics-otlp-proto', '@opentelemetry/exporter-metrics-otlp-http'].map(pick);
  const b = npm(node, ['install', ...pieces], bare);
  check(b.code === 0, `npm install ${pieces.join(' ')} (exit ${b.code})`);
  const ownCount = sdk.size;
  const bareCount = installedPackages(bare).size;
  log(`  with codex-otel-metrics: ${ownCount} packages, ${mb(bytes(join(dir, 'node_modules')))} (the package itself: ${mb(bytes(join(dir, 'node_modules', 'codex-otel-metrics')))})`);
  log(`  bare OpenTelemetry pieces: ${bareCount} packages, ${mb(bytes(join(bare, 'node_modules')))}`);
  check(ownCount <= bareCount + 5, `at most the OpenTelemetry set + 5 packages (${ownCount} vs ${bareCount})`);
  return dir;
}

function imports(node, label, dir) {
  log(`\n[${label}] cold import (fresh process each, median of ${IMPORT_RUNS}; measured, not asserted)`);
  // Interleaved (api, light, ..., api, light, ...) so that a load change on the machine hits every kind alike.
  const kinds = ['api', 'light', 'sdk-exporter', 'start-proto', 'start-json'];
  const runs = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let i = 0; i < IMPORT_RUNS; i++) for (const kind of kinds) runs[kind].push(scenario(node, dir, ['import', kind]));
  const results = {};
  for (const kind of kinds) {
    const bad = runs[kind].find((r) => !r.ok);
    if (!check(!bad, `import ${kind} runs`)) {
      log(JSON.stringify(bad));
      continue;
    }
    results[kind] = { ms: median(runs[kind].map((r) => r.ms)), cpuMs: median(runs[kind].map((r) => r.cpuMs)), otel: runs[kind][0].otel };
  }
  if (Object.keys(results).length < 5) return;
  const light = results.light.otel;
  check(light.length === 1 && light[0] === 'api', `import { createCodexMetrics } loads only @opentelemetry/api (${light.join(', ')})`);
  check(results['start-proto'].otel.includes('sdk-metrics') && results['start-proto'].otel.includes('exporter-metrics-otlp-proto'), 'startCodexMetrics (http/protobuf) loads sdk-metrics and the protobuf exporter');
  check(!results['start-json'].otel.includes('exporter-metrics-otlp-proto'), `startCodexMetrics (http/json) does not load the protobuf exporter (${results['start-json'].otel.join(', ')})`);
  const f = (k) => `${results[k].ms.toFixed(0).padStart(5)} ms wall ${results[k].cpuMs.toFixed(0).padStart(5)} ms CPU`;
  const ratio = (a, b) => `${(results[a].ms / results[b].ms).toFixed(2)}x wall, ${(results[a].cpuMs / results[b].cpuMs).toFixed(2)}x CPU`;
  log(`  @opentelemetry/api alone                      ${f('api')}`);
  log(`  import { createCodexMetrics }                 ${f('light')}  (${ratio('light', 'api')} of api; target 1.3x)`);
  log(`  sdk-metrics + exporter-metrics-otlp-proto     ${f('sdk-exporter')}`);
  log(`  import + startCodexMetrics (http/protobuf)    ${f('start-proto')}  (${ratio('start-proto', 'sdk-exporter')} of sdk-metrics + one exporter; target 1.2x)`);
  log(`  import + startCodexMetrics (http/json)        ${f('start-json')}`);
}

function typescriptCommonJs(node, label, dir) {
  log(`\n[${label}] TypeScript CommonJS project importing the ESM package`);
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  if (!check(existsSync(tsc), 'the repository\'s TypeScript compiler is installed (npm ci)')) return;
  const cjs = join(dir, 'cjs');
  mkdirSync(cjs, { recursive: true });
  writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(
    join(cjs, 'index.ts'),
    "import { createCodexMetrics, METRICS } from 'codex-otel-metrics';\nconst metrics = createCodexMetrics({});\nmetrics.add('api_request', { status: 200, success: true });\nconsole.log(`cjs-ok ${METRICS.length}`);\n",
  );
  const config = (module) => ({ compilerOptions: { module, moduleResolution: module, target: 'ES2022', strict: true, skipLibCheck: true, types: [], outDir: 'out' }, files: ['index.ts'] });
  writeFileSync(join(cjs, 'tsconfig.node16.json'), JSON.stringify(config('node16')));
  writeFileSync(join(cjs, 'tsconfig.json'), JSON.stringify(config('nodenext')));
  const old = run(tsc, ['-p', 'tsconfig.node16.json', '--noEmit'], cjs);
  check(old.code !== 0 && /TS1479/.test(old.output), '"module": "node16" reports TS1479 (the error users meet)');
  const fixed = run(tsc, ['-p', 'tsconfig.json'], cjs);
  check(fixed.code === 0, `"module": "nodenext" compiles without TS1479${fixed.code === 0 ? '' : `: ${fixed.output.slice(0, 500)}`}`);
  const ran = run(node, [join('out', 'index.js')], cjs);
  check(ran.code === 0 && ran.stdout.includes('cjs-ok'), `the CommonJS output runs (require() of ESM)${ran.code === 0 ? '' : `: ${ran.output.slice(0, 500)}`}`);
}

/** Like run(), but asynchronous: the loopback receiver of this process answers meanwhile. */
function runAsync(bin, args, cwd, extraEnv = {}) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd, env: { ...ENV, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Parses the last stdout line as JSON, or undefined. */
function lastJson(stdout) {
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1));
  } catch {
    return undefined;
  }
}

async function bundlers(node, label, tarball, receiver) {
  log(`\n[${label}] bundlers: esbuild and Rollup bundle a consumer of codex-otel-metrics/start; each bundle runs alone (no node_modules)`);
  const dir = project(`${label}-bundlers`);
  const tools = npm(node, ['install', 'esbuild', 'rollup', '@rollup/plugin-node-resolve', '@rollup/plugin-commonjs'], dir);
  if (!check(tools.code === 0, `npm install esbuild rollup @rollup/plugin-node-resolve @rollup/plugin-commonjs (exit ${tools.code})`)) return log(tools.output);
  if (!installTarball(node, dir, tarball, 'beside the bundlers')) return;
  for (const file of ['bundle-app.mjs', 'bundle-app.cjs', 'bundle-root.mjs', 'bundle-esbuild.mjs']) copyFileSync(join(HERE, file), join(dir, file));
  writeFileSync(
    join(dir, 'rollup.config.mjs'),
    `import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
export default {
  input: 'bundle-app.mjs',
  plugins: [nodeResolve({ exportConditions: ['node'], preferBuiltins: true }), commonjs()],
  output: [
    { file: 'out/rollup-esm.mjs', format: 'esm', inlineDynamicImports: true },
    { file: 'out/rollup-cjs.cjs', format: 'cjs', inlineDynamicImports: true },
  ],
};
`,
  );
  const esbuild = 'bundle-esbuild.mjs';
  const builds = [
    ['esbuild-esm.mjs', esbuild, ['bundle-app.mjs', 'esm', 'out/esbuild-esm.mjs']],
    ['esbuild-cjs.cjs', esbuild, ['bundle-app.mjs', 'cjs', 'out/esbuild-cjs.cjs']],
    ['esbuild-cjs-source.cjs', esbuild, ['bundle-app.cjs', 'cjs', 'out/esbuild-cjs-source.cjs']],
    ['rollup-esm.mjs + rollup-cjs.cjs', join(dir, 'node_modules', 'rollup', 'dist', 'bin', 'rollup'), ['-c', '--silent']],
    ['esbuild-root.mjs', esbuild, ['bundle-root.mjs', 'esm', 'out/esbuild-root.mjs']],
    ['esbuild-root.cjs', esbuild, ['bundle-root.mjs', 'cjs', 'out/esbuild-root.cjs']],
  ];
  for (const [name, bin, args] of builds) {
    const r = run(node, [bin, ...args], dir);
    if (!check(r.code === 0, `build ${name} (exit ${r.code})`)) log(r.output);
    // Warnings about our files fail (e.g. import.meta in a CommonJS bundle of /start); the root's
    // run-time loader has import.meta by design, and host packages' warnings are theirs.
    const ours = r.output.split('\n').filter((l) => /codex-otel-metrics[\\/]dist/.test(l));
    if (!name.includes('root')) check(ours.length === 0, `${name}: no bundler warning about codex-otel-metrics${ours.length ? `: ${ours.join(' | ')}` : ''}`);
  }
  for (const file of ['esbuild-esm.mjs', 'esbuild-cjs.cjs', 'esbuild-cjs-source.cjs', 'rollup-esm.mjs', 'rollup-cjs.cjs', 'esbuild-root.mjs', 'esbuild-root.cjs']) {
    if (!existsSync(join(dir, 'out', file))) continue;
    const shipped = join(work, `${label}-shipped-${file.replace(/\W/g, '-')}`);
    mkdirSync(shipped, { recursive: true });
    copyFileSync(join(dir, 'out', file), join(shipped, file));
    const model = `bundle.${label}.${file.replace(/[^A-Za-z0-9]/g, '-')}`;
    const r = await runAsync(node, [file], shipped, { CONSUMER_MODEL: model, CONSUMER_ENDPOINT: receiver.url });
    const result = lastJson(r.stdout);
    if (file.includes('root')) {
      check(
        r.code === 0 && typeof result?.error === 'string' && result.error.includes("'codex-otel-metrics/start'") && !result.error.includes('\n'),
        `${file} shipped alone: the root's startCodexMetrics says in one line to import from codex-otel-metrics/start (${result?.error ?? r.stderr.slice(-300)})`,
      );
      continue;
    }
    const points = receiver.points().filter((p) => p.attributes.model === model);
    const requests = points.find((p) => p.metric === 'codex.api_request')?.value;
    const duration = points.find((p) => p.metric === 'codex.api_request.duration_ms');
    check(
      r.code === 0 && result?.succeeded === 1 && requests === 3 && duration?.count === 1 && duration?.sum === 42,
      `${file} shipped alone: recorded and exported (${r.code === 0 ? `exportStats ${JSON.stringify(result)}, api_request ${requests}` : `exit ${r.code}: ${r.stderr.slice(-500)}`})`,
    );
  }
}

function typescriptNode10(node, label, dir) {
  log(`\n[${label}] TypeScript 5 with "moduleResolution": "node10" finds every subpath's types (typesVersions)`);
  const tsDir = join(dir, 'ts-node10');
  mkdirSync(tsDir, { recursive: true });
  const ts = npm(node, ['install', '--prefix', tsDir, 'typescript@5'], tsDir);
  if (!check(ts.code === 0, `npm install typescript@5 (exit ${ts.code})`)) return log(ts.output);
  const subpaths = Object.keys(PACKAGE.exports).filter((p) => p !== './package.json');
  const lines = subpaths.map((p, i) => `import * as m${i} from '${PACKAGE.name}${p.slice(1)}';`);
  lines.push(`export const modules = [${subpaths.map((_, i) => `m${i}`).join(', ')}];`);
  lines.push(`import { startCodexMetrics } from '${PACKAGE.name}/start';\nexport const start: typeof m0.startCodexMetrics = startCodexMetrics;`);
  writeFileSync(join(dir, 'node10.ts'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'tsconfig.node10.json'),
    JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node10', target: 'ES2022', strict: true, skipLibCheck: true, types: [], noEmit: true }, files: ['node10.ts'] }),
  );
  const r = run(node, [join(tsDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.node10.json'], dir);
  check(r.code === 0, `tsc 5 node10 resolves ${subpaths.map((p) => `${PACKAGE.name}${p.slice(1)}`).join(', ')}${r.code === 0 ? '' : `: ${r.output.slice(0, 800)}`}`);
}

try {
  const tarball = packTarball();
  log(`tarball: ${tarball} (${mb(statSync(tarball).size)})`);
  for (const major of [20, 22]) {
    const node = nodeBinary(major);
    const version = run(node, ['--version'], work).stdout.trim();
    const label = `node${major}`;
    log(`\n=== Node ${version} ===`);
    const dir = beside(node, version.replace(/^v/, ''), label, tarball);
    alone(node, label, tarball);
    if (dir) imports(node, label, dir);
    if (dir) typescriptCommonJs(node, label, dir);
    if (dir) typescriptNode10(node, label, dir);
    const { startOtlpReceiver } = await import(pathToFileURL(join(ROOT, 'dist', 'verify', 'index.js')).href);
    const receiver = await startOtlpReceiver();
    try {
      await bundlers(node, label, tarball, receiver);
    } finally {
      await receiver.close();
    }
  }
} catch (err) {
  failures.push(err instanceof Error ? err.message : String(err));
  log(`FAIL ${failures.at(-1)}`);
} finally {
  if (keep) log(`\nkept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

for (const f of failures) log(`failed: ${f}`);
log(`\nconsumer: ${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
