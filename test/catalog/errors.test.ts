// Malformed docs: every problem is a CatalogError pointing at the line a person must fix.
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../../src/catalog/build.js';
import { CatalogError } from '../../src/catalog/errors.js';
import { ATTRIBUTE_HEADER, build, columnOf, DEFAULT_TAG_ROWS, expectError, joinRow, lineContaining, METRIC_HEADER, metricRow as row, metricsDoc, metricsDocWith, miniAttributes, splitRow, summaryRow } from './helpers.js';

const M = 'metrics.md';
const A = 'attributes.md';

const run = (metrics: string, attributes = miniAttributes()) => () => build(metrics, attributes);

describe('metrics.md errors', () => {
  it('a metric table missing a column', () => {
    const text = ['# Metrics', '', '## Runtime', '', '| Metric | Type | Description |', '| --- | --- | --- |', '| `a` | counter | A. |', ''].join('\n');
    expectError(run(text), M, lineContaining(text, '| Metric | Type | Description |'), 'missing the "Fields" column');
  });

  it('a metric table missing the Type column (the Metric column alone makes it a metric table)', () => {
    const text = ['## S', '', '| Metric | Kind | Fields | Description |', '| --- | --- | --- | --- |', row('a', 'counter', '', 'A.'), ''].join('\n');
    expectError(run(text), M, 3, 'missing the "Type" column');
  });

  it('an unknown type', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '', 'A.'), row('b', 'gauge', '`status`', 'B.')]]);
    expectError(run(text), M, lineContaining(text, '| `b` | gauge'), '`b` has type "gauge"', 'expected counter or histogram');
  });

  it('an empty type cell', () => {
    const text = metricsDoc(['Runtime', [row('a', '', '', 'A.')]]);
    expectError(run(text), M, lineContaining(text, '| `a` |'), 'has type ""');
  });

  it('a catalog row duplicating another with a different type names both lines', () => {
    const text = metricsDoc(['One', [row('a', 'counter', '`status`', 'A.')]], ['Two', [row('b', 'counter', '', 'B.'), row('a', 'histogram', '`status`', 'A again.')]]);
    const first = lineContaining(text, '| `a` | counter');
    const second = lineContaining(text, '| `a` | histogram');
    expectError(run(text), M, second, '`a` duplicates `a`', `(line ${first})`, 'histogram vs counter');
  });

  it('a catalog row duplicating another with different fields names both lines', () => {
    const text = metricsDoc(['One', [row('a', 'counter', '`status`', 'A.'), row('a', 'counter', '`status`, `success`', 'A.')]]);
    const first = lineContaining(text, '| `status` | A. |');
    const second = lineContaining(text, '| `status`, `success` | A. |');
    expectError(run(text), M, second, '`a` duplicates `a`', `(line ${first})`, 'fields `status`, `success` vs `status`');
  });

  it('a prefixed row disagreeing with its catalog twin names both lines', () => {
    const text = metricsDocWith({ summary: [summaryRow('codex.a', 'counter', '`status`, `success`', 'A.')] }, ['Runtime', [row('a', 'counter', '`status`', 'A.')]]);
    const prefixed = lineContaining(text, '| `codex.a` |');
    const twin = lineContaining(text, '| `a` | counter');
    expect(prefixed).toBeLessThan(twin);
    expectError(run(text), M, prefixed, '`codex.a` disagrees with `a`', `(line ${twin})`, 'fields `status`, `success` vs `status`');
  });

  it('a prefixed row with a different type than its twin', () => {
    const text = metricsDocWith({ summary: [summaryRow('codex.a', 'histogram', '`status`', 'A.')] }, ['Runtime', [row('a', 'counter', '`status`', 'A.')]]);
    expectError(run(text), M, lineContaining(text, '| `codex.a` |'), 'disagrees with `a`', `(line ${lineContaining(text, '| `a` | counter')})`, 'type histogram vs counter');
  });

  it('a "See note" prefixed row against a listed-fields twin', () => {
    const text = metricsDocWith({ summary: [summaryRow('codex.a', 'counter', 'See note', 'A.')] }, ['Runtime', [row('a', 'counter', '`status`', 'A.')]]);
    expectError(run(text), M, lineContaining(text, '| `codex.a` |'), 'fields See note vs `status`');
  });

  it.each([
    ['Api_request', 'upper case'],
    ['api-request', 'a dash'],
    ['api request', 'a space'],
    ['api..request', 'an empty part'],
    ['.api', 'a leading dot'],
    ['api.', 'a trailing dot'],
    ['codex.', 'only the prefix'],
    ['ápi', 'a non-ASCII letter'],
  ])('a metric name with %s (%s)', (name) => {
    const text = metricsDoc(['Runtime', [row('ok', 'counter', '', 'Ok.'), row(name, 'counter', '', 'Bad.')]]);
    expectError(run(text), M, lineContaining(text, 'Bad.'), `metric name \`${name}\` must match [a-z0-9_.]`);
  });

  it('a row without a metric name', () => {
    const text = metricsDoc(['Runtime', [row('', 'counter', '', 'Nameless.')]]);
    expectError(run(text), M, lineContaining(text, 'Nameless.'), 'row has no metric name');
  });

  it('a field that is not in attributes.md', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`', 'A.'), row('b', 'counter', '`success`, `nope`', 'B.')]]);
    expectError(run(text), M, lineContaining(text, '| `b` |'), 'field `nope` of `b` is not in attributes.md');
  });

  it('a field listed twice in a row', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`, `status`', 'A.')]]);
    expectError(run(text), M, lineContaining(text, '| `a` |'), 'lists field `status` twice');
  });

  it('a "See note" row whose note does not name it', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', 'See note', 'A.'), row('b', 'counter', 'See note', 'B.')], ['The `a` metric includes `status`.']]);
    expectError(run(text), M, lineContaining(text, '| `b` |'), '`b` says "See note"', 'no paragraph under its table names it');
  });

  it('a "See note" row without any note paragraph', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`', 'A.'), row('b', 'histogram', 'See note', 'B.')]]);
    expectError(run(text), M, lineContaining(text, '| `b` |'), '`b` says "See note"');
  });

  it('a "See note" row whose note sits under another table', () => {
    const text = metricsDoc(['One', [row('a', 'counter', 'See note', 'A.')]], ['Two', [row('b', 'counter', '', 'B.')], ['The `a` metric includes `status`.']]);
    expectError(run(text), M, lineContaining(text, '| `a` |'), '`a` says "See note"');
  });

  it('a note naming an unknown backticked field points at the line of that field', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', 'See note', 'A.')], ['The `a` metric includes `status`\nand, on failures, `bogus_reason`.']]);
    expectError(run(text), M, lineContaining(text, '`bogus_reason`'), 'note about `a` names `bogus_reason`', 'neither a metric nor a field');
  });

  it('a row with too few cells', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`', 'A.'), '| `b` | counter |']]);
    expectError(run(text), M, lineContaining(text, '| `b` | counter |'), 'row has 2 cells; the table has 8 columns');
  });

  it('a line without pipes continuing a table is a row with too few cells', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`', 'A.'), 'stray text']]);
    expectError(run(text), M, lineContaining(text, 'stray text'), 'row has 1 cells');
  });

  it.each([
    ['`status` and `success`', 'and'],
    ['status, success', 'unquoted names'],
    ['`status` (HTTP)', 'a parenthesis'],
    ['**`status`**, `success` bold', 'emphasis'],
    ['[`status`](#status)x', 'link text'],
  ])('stray prose in the Fields column: %s (%s)', (fields) => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', fields, 'A.')]]);
    expectError(run(text), M, lineContaining(text, '| `a` |'), 'fields of `a` must be `field` names separated by commas, or "See note"');
  });

  it('a document without a metric table', () => {
    const text = '# Metrics\n\nNothing here.\n\n| Name | Value |\n| --- | --- |\n| a | b |\n';
    expectError(run(text), M, 1, 'no metric table');
  });
});

describe('wire cells: Unit, Buckets, Tags, Codex versions', () => {
  const one = (wire: Parameters<typeof row>[4], kind = 'counter') => metricsDoc(['Runtime', [row('ok', 'counter', '', 'Ok.'), row('a', kind, '', 'Bad.', wire)]]);

  it.each([
    ['`msec`', 'an unknown unit'],
    ['`{Token}`', 'an annotation with upper case'],
    ['`{}`', 'an empty annotation'],
    ['`ms/s`', 'a compound unit'],
    ['', 'an empty cell'],
  ])('unit %s (%s)', (unit) => {
    const text = one({ unit });
    expectError(run(text), M, lineContaining(text, 'Bad.'), '`a` has unit', 'expected `ms`, `s`, `By`, `1` or an annotation');
  });

  it.each(['`ms`', 'ms', '`s`', '`By`', '`1`', '`{token}`', '`{tool_call}`'])('unit %s is accepted', (unit) => {
    const text = one({ unit, buckets: '`duration`' }, 'histogram');
    expect(build(text, miniAttributes()).metrics.find((m) => m.name === 'a')?.unit).toBe(unit.replace(/`/g, ''));
  });

  it.each([
    ['all', 'a scope that does not exist'],
    ['Session', 'upper case'],
    ['', 'an empty cell'],
    ['session, originator', 'two scopes'],
  ])('tags "%s" (%s)', (tags) => {
    const text = one({ tags });
    expectError(run(text), M, lineContaining(text, 'Bad.'), `\`a\` has tags "${tags}"`, 'expected session, originator, none');
  });

  it.each(['session', 'originator', 'none', '`none`'])('tags %s are accepted', (tags) => {
    const text = one({ tags });
    expect(build(text, miniAttributes()).metrics.find((m) => m.name === 'a')?.tags).toBe(tags.replace(/`/g, ''));
  });

  it.each(['v0.171.0..', '0.171', '0.171.0', 'latest', '0.160.0, 0.171.0', '..0.171.0'])('"Codex versions" %s is not a range', (versions) => {
    const text = one({ versions });
    expectError(run(text), M, lineContaining(text, 'Bad.'), `has Codex versions "${versions}"`, 'expected `A..` (from A on) or `A..B`');
  });

  it.each([
    ['0.165.0..', '0.165.0 is not a covered version'],
    ['0.171.0..0.160.0', 'the range ends before it starts'],
    ['0.160.0..0.171.0', '0.171.0 is the newest covered version: write `0.160.0..`'],
  ])('"Codex versions" %s names covered versions in order', (versions, reason) => {
    const text = one({ versions });
    expectError(run(text), M, lineContaining(text, 'Bad.'), reason);
  });

  it('"Codex versions" is a range of covered versions or empty; the covered versions around it bound what is known', () => {
    const text = metricsDocWith({ codexVersions: ['0.150.0', '0.160.0', '0.165.0', '0.171.0'] }, ['Runtime', [row('a', 'counter', '', 'A.', { versions: '0.160.0..' }), row('b', 'counter', '', 'B.'), row('c', 'counter', '', 'C.', { versions: '0.150.0..0.160.0' })]]);
    const catalog = build(text, miniAttributes());
    const [a, b, c] = catalog.metrics;
    expect(catalog.codexVersions).toEqual(['0.150.0', '0.160.0', '0.165.0', '0.171.0']);
    expect(a.versions).toEqual({ since: '0.160.0', absentThrough: '0.150.0' });
    expect(b).not.toHaveProperty('versions');
    expect(c.versions).toEqual({ since: '0.150.0', until: '0.160.0', absentFrom: '0.165.0' });
  });

  it('the "Codex version" table lists release versions, oldest first, once', () => {
    for (const [versions, reason] of [
      [['0.171.0', '0.160.0'], 'must be listed oldest first, each once (0.160.0 after 0.171.0)'],
      [['0.160.0', '0.160.0'], 'oldest first, each once'],
      [['0.160'], 'Codex version "0.160" is not a release version'],
    ] as const) {
      const text = metricsDocWith({ codexVersions: versions }, ['Runtime', [row('a', 'counter', '', 'A.')]]);
      // The error is at the last row: header, delimiter, then one row per version.
      expectError(run(text), M, lineContaining(text, '| Codex version |') + 1 + versions.length, reason);
    }
  });

  it('a catalog table without wire columns beside tables with them: error at its first row (all four-column tables are the upstream format)', () => {
    const text = [metricsDoc(['Runtime', [row('b', 'counter', '', 'B.')]]), '## Upstream', '', '| Metric | Type | Fields | Description |', '| --- | --- | --- | --- |', '| `a` | counter | | A. |', ''].join('\n');
    expectError(run(text), M, lineContaining(text, '| `a` |'), '`a` is in a table without Unit, Buckets and Tags columns');
  });

  it.each([
    ['Unit', 'a counter'],
    ['Tags', 'a counter'],
    ['Buckets', 'a histogram'],
  ])('a catalog table without the %s column holding %s', (column, what) => {
    const drop = columnOf(splitRow(METRIC_HEADER[0]), column);
    const kind = what === 'a histogram' ? 'histogram' : 'counter';
    const table = [METRIC_HEADER[0], METRIC_HEADER[1], row('a', kind, '', 'A.')].map((l) => joinRow(splitRow(l).filter((_, i) => i !== drop)));
    const text = ['## Runtime', '', ...table, '', '## Histogram buckets', '', '| Buckets | Boundaries | Wide | Description |', '| --- | --- | --- | --- |', '| `duration` | 0, 5 | | D. |', ''].join('\n');
    expect(table[0]).not.toContain(`| ${column} |`);
    expectError(run(text), M, lineContaining(text, '| `a` |'), '`a` is in a table without Unit, Buckets and Tags columns');
  });

  it('a counter-only table may omit Buckets, and any table may omit Codex versions', () => {
    const text = ['## Runtime', '', '| Metric | Type | Unit | Tags | Fields | Description |', '| --- | --- | --- | --- | --- | --- |', '| `a` | counter | `1` | none | | A. |', ''].join('\n');
    expect(build(text, miniAttributes()).metrics).toEqual([{ name: 'a', kind: 'counter', unit: '1', tags: 'none', description: 'A.', section: 'Runtime', required: [], optional: [], fields: {} }]);
  });

  it('the prefixed summary table may carry wire columns; they must agree with the catalog row', () => {
    const summary = (unit: string) =>
      ['## OTel metrics emitted', '', ...METRIC_HEADER, row('codex.a', 'histogram', '`status`', 'A.', { unit })].join('\n') + '\n\n' + metricsDoc(['Runtime', [row('a', 'histogram', '`status`', 'A.')]]);
    expect(build(summary('`ms`'), miniAttributes()).metrics.map((m) => m.unit)).toEqual(['ms']);
    const text = summary('`1`');
    expectError(run(text), M, lineContaining(text, '| `codex.a` |'), '`codex.a` disagrees with `a`', `(line ${lineContaining(text, '| `a` | histogram')})`, 'unit `1` vs `ms`');
  });
});

describe('attributes.md errors', () => {
  const metrics = metricsDoc(['Runtime', [row('a', 'counter', '`status`, `success`', 'A.')]]);
  const attrs = (...rows: string[]) => ['# Attributes', '', ...ATTRIBUTE_HEADER, ...DEFAULT_TAG_ROWS, ...rows, ''].join('\n');
  const runA = (attributes: string) => () => build(metrics, attributes);

  it('an attribute table missing a column', () => {
    const text = ['# Attributes', '', 'Intro.', '', '| Field | Type | Metrics | Description |', '| --- | --- | --- | --- |', '| `status` | string | | S. |', ''].join('\n');
    expectError(runA(text), A, 5, 'attribute table is missing the "Values" column');
  });

  it('the reserved field name le', () => {
    const text = miniAttributes('| `le` | string | | | Bucket. |');
    expectError(runA(text), A, lineContaining(text, '| `le` |'), 'field name `le` is reserved');
  });

  it('a bad attribute type', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | float | | | Su. |');
    expectError(runA(text), A, lineContaining(text, '| `success` |'), 'field `success` has type "float"', 'expected string, boolean or int');
  });

  it('a scoped attribute row for an unknown metric', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | boolean | | | Su. |', '| `status` | int | | `a`, `ghost.metric` | Scoped. |');
    expectError(runA(text), A, lineContaining(text, 'Scoped.'), 'scoped to `ghost.metric`, which is not a metric in metrics.md');
  });

  it('a scoped row naming the metric with its `codex.` prefix is an unknown metric', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | boolean | | | Su. |', '| `status` | int | | `codex.a` | Scoped. |');
    expectError(runA(text), A, lineContaining(text, 'Scoped.'), 'scoped to `codex.a`');
  });

  it('a scoped row without an unscoped row of the same field', () => {
    const text = attrs('| `success` | boolean | | | Su. |', '| `status` | int | | `a` | Scoped. |');
    expectError(runA(text), A, lineContaining(text, 'Scoped.'), 'field `status` scoped to `a` has no unscoped row');
  });

  it('a field defined twice', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | boolean | | | Su. |', '| `status` | int | | | Again. |');
    expectError(runA(text), A, lineContaining(text, 'Again.'), `field \`status\` is already defined at line ${lineContaining(text, '| `status` | string')}`);
  });

  it('a field scoped twice to the same metric', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | boolean | | | Su. |', '| `status` | int | | `a` | One. |', '| `status` | string | | `a` | Two. |');
    expectError(runA(text), A, lineContaining(text, 'Two.'), 'field `status` for `a` is already defined at line');
  });

  it('a bad field name', () => {
    const text = attrs('| `Status` | string | | | S. |');
    expectError(runA(text), A, lineContaining(text, 'S. |'), 'field name `Status` must match');
  });

  it('values not written as inline code', () => {
    const text = attrs('| `status` | string | ok, failed | | S. |');
    expectError(runA(text), A, lineContaining(text, 'ok, failed'), 'values of `status` must be written as');
  });

  it('a value with characters the emitter rejects', () => {
    const text = attrs('| `status` | string | `ok` \\| `not ok` | | S. |');
    expectError(runA(text), A, lineContaining(text, '`not ok`'), 'value `not ok` of `status` must match');
  });

  it('a boolean with values', () => {
    const text = attrs('| `status` | string | | | S. |', '| `success` | boolean | `yes` \\| `no` | | Su. |');
    expectError(runA(text), A, lineContaining(text, '`yes`'), 'boolean field `success` cannot list values');
  });

  it('a Metrics cell not written as inline code', () => {
    const text = attrs('| `status` | string | | | S. |', '| `status` | int | | a | Scoped. |');
    expectError(runA(text), A, lineContaining(text, 'Scoped.'), 'metrics of `status` must be written as');
  });

  it('a missing default tag', () => {
    const text = ['# Attributes', '', ...ATTRIBUTE_HEADER, ...DEFAULT_TAG_ROWS.filter((r) => !r.includes('`model`')), '| `status` | string | | | S. |', '| `success` | boolean | | | Su. |', ''].join('\n');
    expectError(runA(text), A, 1, 'default tag `model` has no row');
  });

  it('a document without a table', () => {
    expectError(runA('# Attributes\n\nNone.\n'), A, 1, 'no attribute table');
  });
});

describe('loadCatalogFiles', () => {
  it('a missing file is a CatalogError at line 0 of that file', () => {
    expectError(() => loadCatalogFiles('/nonexistent/metrics.md', '/nonexistent/attributes.md'), '/nonexistent/metrics.md', 0, 'cannot read: ENOENT');
  });
});

// Regressions: cases the generator once accepted silently.
describe('silent acceptance regressions', () => {
  it('an unprefixed row in the "OTel metrics emitted" table is reported, not taken as the catalog row', () => {
    const text = metricsDocWith({ summary: [summaryRow('a', 'counter', '`status`', 'A.')] }, ['Runtime', [row('a', 'counter', '`status`', 'A.')]]);
    let section: string | undefined;
    try {
      section = build(text, miniAttributes()).metrics.find((m) => m.name === 'a')?.section;
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return;
    }
    expect(section).toBe('Runtime');
  });

  it('a metric table with a misspelled Metric header is reported, not skipped with all its rows', () => {
    const text = metricsDoc(['Runtime', [row('a', 'counter', '`status`', 'A.')]], ['Windows', [row('b', 'counter', '', 'B.')]]).replace(
      /(## Windows\n\n)\| Metric \|/,
      '$1| Metrics |',
    );
    expect(text).toContain('| Metrics | Type | Unit |');
    let names: string[] = [];
    try {
      names = build(text, miniAttributes()).metrics.map((m) => m.name);
    } catch (err) {
      expect(err).toBeInstanceOf(CatalogError);
      return;
    }
    expect(names).toEqual(['a', 'b']);
  });
});
