// The shipped Collector recipe uses only keys and OTTL functions checked against the component
// documentation (collector-keys.ts lists them with their source), and the model runs it whole.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fromCollectorConfig } from '../e2e/collector-model.js';
import { SESSION_SOURCE_FOLD_PATTERN, SESSION_SOURCE_FOLDED } from '../../src/runtime/session-source.js';
import { collectorKeyProblems, OTTL_PATHS } from './collector-keys.js';

const TEXT = readFileSync('examples/otel-collector.yaml', 'utf8');
const recipe = parse(TEXT) as Record<string, any>;

describe('examples/otel-collector.yaml', () => {
  it('uses only documented keys and OTTL functions', () => {
    expect(collectorKeyProblems(recipe)).toEqual([]);
    // The check itself catches what it should.
    expect(collectorKeyProblems({ processors: { deltatocumulative: { max_age: '5m' } } })).toEqual([expect.stringContaining('deltatocumulative.max_age')]);
    expect(collectorKeyProblems({ processors: { 'transform/x': { metric_statements: [{ context: 'datapoint', statements: ['fold(attributes)'] }] } } })).toEqual([expect.stringContaining('fold')]);
  });

  it('uses only the OTTL paths and enums listed as checked', () => {
    const statements: string[] = recipe.processors['transform/codex'].metric_statements.flatMap((g: { statements: string[] }) => g.statements);
    for (const s of statements) {
      const paths = [...s.replace(/"(?:[^"\\]|\\.)*"/g, '""').matchAll(/\b([a-z_]+(?:\.[a-z_]+)*|[A-Z_]{5,})\b(?!\()/g)].map((m) => m[1]);
      for (const p of paths) expect(OTTL_PATHS.concat(['where']), `${p} in ${s}`).toContain(p);
    }
  });

  it('folds session_source with the rule the package applies to its own data', () => {
    const fold = recipe.processors['transform/codex'].metric_statements[0].statements[0] as string;
    expect(fold).toBe(`replace_pattern(attributes["session_source"], "^${SESSION_SOURCE_FOLD_PATTERN}$", "${SESSION_SOURCE_FOLDED}")`);
  });

  it('runs whole through the Collector model', () => {
    expect(() => fromCollectorConfig(TEXT)).not.toThrow();
  });
});
