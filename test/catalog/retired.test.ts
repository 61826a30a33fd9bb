// The "Retired metrics" table: metrics documented upstream that the Codex CLI no longer sends,
// with the registry metric that replaces a renamed one.
import { describe, expect, it } from 'vitest';
import { build, expectError, lineContaining, metricRow as row, metricsDocWith, miniAttributes } from './helpers.js';

const M = 'metrics.md';
const CATALOG = ['Runtime', [row('new.name', 'counter', '`status`', 'Renamed.'), row('other', 'histogram', '', 'Other.')]] as const;
const doc = (...retired: string[]) => metricsDocWith({ retired }, CATALOG);
const run = (text: string) => () => build(text, miniAttributes());

describe('retired metrics', () => {
  it('are read with their kind, status and replacement (none when not renamed); they are not metrics', () => {
    const catalog = build(doc('| `old.name` | counter | renamed | `new.name` |', '| `gone` | histogram | not sent | |'), miniAttributes());
    expect(catalog.retired).toEqual([
      { name: 'old.name', kind: 'counter', status: 'renamed', replacement: 'new.name' },
      { name: 'gone', kind: 'histogram', status: 'not sent' },
    ]);
    expect(catalog.metrics.map((m) => m.name)).toEqual(['new.name', 'other']);
  });

  it('a document without the table has none', () => {
    expect(build(metricsDocWith({}, CATALOG), miniAttributes()).retired).toEqual([]);
  });

  // Each row alone in the retired table; the error is at that row.
  it.each([
    ['a replacement that is not a metric of the catalog', '| `old.name` | counter | renamed | `newer.name` |', 'replacement `newer.name` of retired `old.name` is not a metric of the catalog'],
    ['a metric both retired and in the catalog', '| `other` | histogram | not sent | |', '`other` is both retired and in the catalog'],
    ['an unknown type', '| `gone` | gauge | not sent | |', 'retired `gone` has type "gauge"; expected counter or histogram'],
    ['no type', '| `gone` | | not sent | |', 'retired `gone` has type ""'],
    ['no status', '| `gone` | counter | | |', 'retired `gone` needs a status'],
    ['a name not in backticks', '| gone | counter | not sent | |', 'retired row has no `metric` name'],
    ['no name', '| | counter | not sent | |', 'retired row has no `metric` name'],
  ])('%s', (_what, line, fragment) => {
    const text = doc(line);
    expectError(run(text), M, lineContaining(text, line), fragment);
  });

  it('a replacement that is itself retired', () => {
    const text = doc('| `gone` | counter | not sent | |', '| `old.name` | counter | renamed | `gone` |');
    expectError(run(text), M, lineContaining(text, '| `old.name` |'), 'replacement `gone` of retired `old.name` is not a metric of the catalog');
  });

  it('a metric retired twice', () => {
    const text = doc('| `gone` | counter | not sent | |', '| `gone` | counter | renamed | `new.name` |');
    const first = lineContaining(text, '| `gone` | counter | not sent');
    expectError(run(text), M, lineContaining(text, '| `gone` | counter | renamed'), `\`gone\` is already retired at line ${first}`);
  });

  it('a retired table without the Type column', () => {
    const text = [metricsDocWith({}, CATALOG), '## Retired', '', '| Metric | Status | Replacement |', '| --- | --- | --- |', '| `gone` | not sent | |', ''].join('\n');
    expectError(run(text), M, lineContaining(text, '| `gone` |'), 'retired-metrics table is missing the "type" column');
  });
});
