// Measurements recorded on the global provider before the host starts its SDK (createCodexMetrics()
// before NodeSDK.start()) are dropped: said once per process on stderr when the host has no diag
// logger (through diag when it has one), and counted in stats(). Run in a child process against
// dist/ (built by `npm test` first), as a host would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const DIST = resolve('dist/index.js');

const HOST = (diagLogger: boolean) => `
import { diag, DiagLogLevel, metrics as api } from '@opentelemetry/api';
import * as sdk from '@opentelemetry/sdk-metrics';
const { MeterProvider, MetricReader } = sdk.default ?? sdk; // CommonJS (2.x) or ESM (3.x)
class ManualReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const { createCodexMetrics } = await import(${JSON.stringify(pathToFileURL(DIST).href)});
${diagLogger ? "diag.setLogger({ error() {}, warn: (m) => process.stdout.write('diag: ' + m + '\\n'), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);" : ''}
const a = createCodexMetrics({});
const b = createCodexMetrics({});
a.add('thread.rename');
a.add('thread.rename');
b.record('turn.e2e_duration_ms', 5);
const reader = new ManualReader();
api.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
a.add('thread.rename');
const { resourceMetrics } = await reader.collect();
const points = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m.dataPoints[0].value]);
process.stdout.write(JSON.stringify({ a: a.stats().dropped, b: b.stats().dropped, points }) + '\\n');
`;

function host(diagLogger: boolean) {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` (npm test does) before this suite`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('CODEX_OTEL_')));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', HOST(diagLogger)], { cwd: resolve('.'), encoding: 'utf8', timeout: 30_000, env });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  return { result: JSON.parse(lines.at(-1)!), diag: lines.slice(0, -1), stderr: r.stderr };
}

const LINE = /^codex-otel-metrics: no global MeterProvider is registered yet; measurements are dropped until one is, counted in stats\(\)\.dropped\.no_meter_provider \(start the SDK first/;

it('one stderr line per process when the host has no diag logger; counted; recorded once a provider is registered', () => {
  const { result, diag, stderr } = host(false);
  expect(diag).toEqual([]);
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(LINE);
  expect(result.a).toEqual({ no_meter_provider: 2 });
  expect(result.b).toEqual({ no_meter_provider: 1 });
  expect(result.points).toEqual([['codex.thread.rename', 1]]);
});

it('through the host diag logger instead when it has one, still once', () => {
  const { diag, stderr } = host(true);
  expect(stderr).toBe('');
  expect(diag).toHaveLength(1);
  expect(diag[0].replace(/^diag: /, '')).toMatch(LINE);
});
