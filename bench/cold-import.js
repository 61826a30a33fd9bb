// Cold import: fresh processes (bench/cold-child.js), interleaved across scenarios.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rotate, stat } from './measure.js';

const CHILD = fileURLToPath(new URL('./cold-child.js', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const COLD_SCENARIOS = [
  { id: 'node', label: 'Node alone, nothing imported (lower bound)' },
  { id: 'api', label: '`@opentelemetry/api` alone, one counter on the global (no-op) provider' },
  { id: 'sdk_exporter', label: '`@opentelemetry/sdk-metrics` + `exporter-metrics-otlp-proto`: MeterProvider, periodic reader, one counter' },
  { id: 'prom', label: '`prom-client`: a registry with default labels, one counter' },
  { id: 'create', label: "`import('codex-otel-metrics')`, `createCodexMetrics({ defaults })` only" },
  { id: 'start', label: "`import('codex-otel-metrics')`, `startCodexMetrics({ defaults, endpoint })`" },
];

/** Targets of issue #12: the package's cold start against the OpenTelemetry pieces it replaces. */
export const COLD_TARGETS = [
  { id: 'create', baseline: 'api', bound: 1.3 },
  { id: 'start', baseline: 'sdk_exporter', bound: 1.2 },
];

function child(scenario) {
  // The machine's OTEL_* variables must not change what is measured.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const out = execFileSync(process.execPath, [CHILD, scenario], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1));
}

export function runColdImport(config, log) {
  const samples = Object.fromEntries(COLD_SCENARIOS.map((s) => [s.id, []]));
  for (let r = 0; r < config.coldRounds; r++) {
    for (const s of rotate(COLD_SCENARIOS, r)) samples[s.id].push(child(s.id));
  }
  const scenarios = COLD_SCENARIOS.map((s) => ({
    ...s,
    setupCpuMs: stat(samples[s.id].map((x) => x.setupCpuMs)),
    processCpuMs: stat(samples[s.id].map((x) => x.processCpuMs)),
    setupWallMs: stat(samples[s.id].map((x) => x.setupWallMs)),
    heapMiB: stat(samples[s.id].map((x) => x.heapMiB)),
  }));
  // Per round, so that a busy stretch of the machine hits both sides of a ratio.
  const ratios = COLD_TARGETS.map((t) => ({
    ...t,
    ratio: stat(samples[t.id].map((x, r) => x.setupCpuMs / samples[t.baseline][r].setupCpuMs)),
  }));
  for (const s of scenarios) log(`  ${s.id.padEnd(13)} setup ${s.setupCpuMs.median.toFixed(1)} ms CPU, process ${s.processCpuMs.median.toFixed(1)} ms CPU`);
  for (const t of ratios) log(`  ${t.id} / ${t.baseline}: ${t.ratio.median.toFixed(2)}× (${t.ratio.min.toFixed(2)}–${t.ratio.max.toFixed(2)}), target ≤ ${t.bound}×`);
  return { rounds: config.coldRounds, scenarios, ratios };
}
