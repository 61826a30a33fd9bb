// With the GenAI view off the export is exactly what it was before the view existed (the committed
// golden, captured before any GenAI code); with it on, the same plus only the gen_ai.* metrics.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENAI_METRICS } from '../../src/genai/conventions.js';
import { demoExport, type ExportSetup } from './demo-export.js';

const golden = (setup: ExportSetup): unknown[] =>
  readFileSync(new URL(`../fixtures/genai/demo-export.${setup}.json`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

interface Body {
  resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[];
}

/** The body without its gen_ai.* metrics, and those metrics' names. */
function split(bodies: unknown[]): { rest: unknown[]; genAi: string[] } {
  const genAi: string[] = [];
  const rest = (structuredClone(bodies) as Body[]).map((body) => {
    for (const rm of body.resourceMetrics) {
      for (const sm of rm.scopeMetrics) {
        genAi.push(...sm.metrics.filter((m) => m.name.startsWith('gen_ai.')).map((m) => m.name));
        sm.metrics = sm.metrics.filter((m) => !m.name.startsWith('gen_ai.'));
      }
    }
    return body;
  });
  return { rest, genAi };
}

describe.each(['producer', 'sdk'] as const)('demo export, %s set-up', (setup) => {
  it('genAi unset, false, and CODEX_OTEL_METRICS_GENAI=false: byte for byte the golden', async () => {
    const expected = golden(setup);
    expect(JSON.stringify(await demoExport(setup))).toBe(JSON.stringify(expected));
    expect(JSON.stringify(await demoExport(setup, { genAi: false }))).toBe(JSON.stringify(expected));
    expect(JSON.stringify(await demoExport(setup, { env: { CODEX_OTEL_METRICS_GENAI: 'false' } }))).toBe(JSON.stringify(expected));
  });

  it('genAi true (option or env): the golden plus only the three gen_ai.* metrics', async () => {
    for (const options of [{ genAi: true }, { env: { CODEX_OTEL_METRICS_GENAI: 'TRUE' } }]) {
      const { rest, genAi } = split(await demoExport(setup, options));
      expect(JSON.stringify(rest)).toBe(JSON.stringify(golden(setup)));
      expect(genAi.sort()).toEqual(GENAI_METRICS.map((m) => m.name).sort());
    }
  });
});
