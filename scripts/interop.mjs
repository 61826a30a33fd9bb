#!/usr/bin/env node
// `npm run interop -- --codex 0.172.0`: installs that Codex CLI version beside the pinned one, runs
// the interop scenarios (test/interop/) against it offline, and prints what it adds or drops versus
// the docs. The step a maintainer runs when Codex releases (docs/codex-cli.md, "When Codex releases").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: npm run interop -- [--codex VERSION] [--capture] [--scenario NAME[,NAME...]]

Runs the interop scenarios against the real Codex CLI VERSION (default: the pinned one), installed
under .tmp/codex-VERSION/ on first use, and prints what it sends that the docs do not say it sends
(adds), what the docs say it sends that never arrived (drops), metrics whose documented range does
not include it yet (undated), and other differences. Exit 1 when anything differs.

  --codex VERSION    a released version, e.g. 0.172.0
  --capture          also write its exports to test/fixtures/codex-VERSION/ (replacing them)
  --scenario NAMES   run only these scenarios (comma-separated names from test/interop/scenarios.ts)
`;

let values;
try {
  ({ values } = parseArgs({ options: { codex: { type: 'string' }, capture: { type: 'boolean' }, scenario: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
} catch (err) {
  process.stderr.write(`interop: ${err.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const pinned = /PINNED_CODEX_VERSION = '([^']+)'/.exec(readFileSync(join(ROOT, 'test/interop/codex-cli.ts'), 'utf8'))?.[1];
const version = values.codex ?? pinned;
if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write(`interop: --codex ${version} is not a release version such as 0.171.0\n${USAGE}`);
  process.exit(2);
}

// The pinned version lives where `npm run interop:install` puts it; others beside it.
const dir = join(ROOT, '.tmp', version === pinned ? 'codex-cli' : `codex-${version}`);
const bin = join(dir, 'node_modules', '.bin', 'codex');
if (!existsSync(bin)) {
  process.stderr.write(`interop: installing @openai/codex@${version} into ${dir}\n`);
  mkdirSync(dir, { recursive: true });
  const install = spawnSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `@openai/codex@${version}`], { stdio: 'inherit' });
  if (install.status !== 0 || !existsSync(bin)) {
    process.stderr.write(`interop: could not install @openai/codex@${version}\n`);
    process.exit(1);
  }
}

const report = join(ROOT, '.tmp', `interop-${version}.json`);
const env = {
  ...process.env,
  CODEX_INTEROP_VERSION: version,
  CODEX_CLI_BIN: bin,
  CODEX_INTEROP_REPORT: report,
  CODEX_INTEROP_REQUIRED: '1',
  ...(values.capture ? { CODEX_INTEROP_CAPTURE: '1' } : {}),
  ...(values.scenario ? { CODEX_INTEROP_SCENARIOS: values.scenario } : {}),
};
process.stderr.write(`interop: running the scenarios against Codex ${version} (${bin})\n`);
const run = spawnSync('npx', ['vitest', 'run', 'test/interop/live.test.ts', '--reporter=dot'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] });
if (!existsSync(report)) {
  process.stderr.write(`interop: the scenarios wrote no report (vitest exited ${run.status})\n`);
  process.exit(1);
}

const r = JSON.parse(readFileSync(report, 'utf8'));
const out = [`\nCodex ${r.version} versus the docs (${r.covered ? 'a covered version' : 'not yet a covered version'}; ${r.scenarios.length} scenarios; report: ${report})`];
const section = (title, lines, hint) => {
  out.push('', `${title}: ${lines.length ? '' : 'none'}`);
  for (const l of lines) out.push(`  ${l}`);
  if (lines.length && hint) out.push(`  -> ${hint}`);
};
section('Adds (sent, not documented as sent by this version)', r.adds, 'document them in docs/metrics.md / docs/attributes.md, with their Codex versions');
section('Drops (documented for this version, never arrived)', r.drops, values.scenario ? 'only some scenarios ran: metrics of the others are listed too' : 'close their range (A..B) once a covered version no longer sends them');
section('Sampled metrics not seen (Codex sends 1% of them: not a difference)', r.sampledNotSeen);
section('Undated (arrived; the documented range does not include this version)', r.undated, 'extend the range in the Codex versions column');
section('Other differences', r.changed);
section('Scenarios that failed', Object.entries(r.failedScenarios ?? {}).map(([name, why]) => `${name}: ${why.replace(/\s+/g, ' ').slice(0, 300)}`));
process.stdout.write(`${out.join('\n')}\n`);
const differs = r.adds.length + r.drops.length + r.undated.length + r.changed.length + Object.keys(r.failedScenarios ?? {}).length > 0;
process.exit(differs ? 1 : 0);
