// Histogram buckets: the "Histogram buckets" table of docs/metrics.md (named boundaries as Codex
// writes them, `A..B` ranges, the Wide alternative) and how each histogram names its buckets.
import { describe, expect, it } from 'vitest';
import { loadCatalogFiles } from '../../src/catalog/build.js';
import { MAX_BOUNDARIES, parseBoundaries } from '../../src/catalog/parse-buckets.js';
import {
  ATTRIBUTES_DOC,
  BUCKET_HEADER,
  bucketRow,
  build,
  columnOf,
  expectError,
  isTableLine,
  lineContaining,
  metricRow as row,
  metricsDocWith,
  METRICS_DOC,
  metricsText,
  miniAttributes,
  splitRow,
} from './helpers.js';

const M = 'metrics.md';
/** A histogram naming `buckets`, with the given rows as the bucket table. */
const withBuckets = (buckets: string[], name = '`b`') => metricsDocWith({ buckets }, ['Runtime', [row('h', 'histogram', '', 'H.', { buckets: name })]]);
const parse = (boundaries: string, wide = '') => build(withBuckets([bucketRow('b', boundaries, wide)]), miniAttributes()).metrics[0].buckets!;
const run = (text: string) => () => build(text, miniAttributes());

describe('boundaries', () => {
  it.each<[string, number[]]>([
    ['0, 5, 10', [0, 5, 10]],
    ['0..3', [0, 1, 2, 3]],
    ['-2..1, 5', [-2, -1, 0, 1, 5]],
    ['0, 2..4, 10..11', [0, 2, 3, 4, 10, 11]],
    ['7..7', [7]],
    ['0.5, .75, 1., 1e3, 2.5E3', [0.5, 0.75, 1, 1000, 2500]],
    ['  1 ,2,   3 ', [1, 2, 3]],
  ])('%s', (text, expected) => {
    expect(parse(text).boundaries).toEqual(expected);
  });

  it('decimals are exactly the doubles Codex writes (1.0234203467988563 round-trips)', () => {
    const written = ['0', '1', '1.0234203467988563', '1.0473892062418912', '128072.4976887341', '131072'];
    const got = parse(written.join(', ')).boundaries;
    expect(got.map(String)).toEqual(written);
  });

  it('Wide is parsed like Boundaries, and defaults to the same boundaries when empty', () => {
    expect(parse('0, 5', '1..3, 10')).toMatchObject({ boundaries: [0, 5], wide: [1, 2, 3, 10] });
    const same = parse('0, 5');
    expect(same.wide).toEqual(same.boundaries);
  });

  it(`at most MAX_BOUNDARIES (${MAX_BOUNDARIES}) boundaries, by range or by list`, () => {
    expect(parse(`1..${MAX_BOUNDARIES}`).boundaries).toHaveLength(MAX_BOUNDARIES);
    const range = withBuckets([bucketRow('b', `0..${MAX_BOUNDARIES}`)]);
    expectError(run(range), M, lineContaining(range, 'Test buckets.'), `range 0..${MAX_BOUNDARIES} must be ascending and give at most ${MAX_BOUNDARIES} boundaries`);
    const list = withBuckets([bucketRow('b', `1..${MAX_BOUNDARIES}, ${MAX_BOUNDARIES + 1}`)]);
    expectError(run(list), M, lineContaining(list, 'Test buckets.'), `list more than ${MAX_BOUNDARIES} boundaries`);
    const wide = withBuckets([bucketRow('b', '0, 1', `0..${MAX_BOUNDARIES * 2}`)]);
    expectError(run(wide), M, lineContaining(wide, 'Test buckets.'), `at most ${MAX_BOUNDARIES} boundaries`);
  });

  it('a range too large to expand is refused before it is expanded', () => {
    // A loop over 2^53 values would never end: the test would time out instead of failing.
    expect(() => parseBoundaries(`0..${Number.MAX_SAFE_INTEGER}`, M, 7, 'b')).toThrow(`${M}:7: buckets \`b\`: range 0..${Number.MAX_SAFE_INTEGER} must be ascending`);
  });

  it.each([
    ['0, 5, 5', 'must be strictly increasing (5 then 5)'],
    ['10, 5', 'must be strictly increasing (10 then 5)'],
    ['0..3, 3', 'must be strictly increasing (3 then 3)'],
    ['5..10, 0..2', 'must be strictly increasing (10 then 0)'],
    ['3..1', 'range 3..1 must be ascending'],
    ['abc', '"abc" is not a number or A..B range'],
    ['0x10', '"0x10" is not a number'],
    ['1e400', '"1e400" is not a number'],
    ['Infinity', '"Infinity" is not a number'],
    ['NaN', '"NaN" is not a number'],
    ['1 000', '"1 000" is not a number'],
    ['5ms', '"5ms" is not a number'],
    ['1.5..3', '"1.5..3" is not a number or A..B range'],
    ['0; 5', '"0; 5" is not a number'],
    ['', 'list no boundaries'],
    [', ,', 'list no boundaries'],
  ])('boundaries "%s": %s', (boundaries, fragment) => {
    const text = withBuckets([bucketRow('b', boundaries)]);
    expectError(run(text), M, lineContaining(text, 'Test buckets.'), `buckets \`b\``, fragment);
  });

  it('a Wide alternative that is not increasing', () => {
    const text = withBuckets([bucketRow('b', '0, 5', '5, 1')]);
    expectError(run(text), M, lineContaining(text, 'Test buckets.'), 'buckets `b` must be strictly increasing (5 then 1)');
  });
});

describe('the bucket table', () => {
  it('gives each histogram the BucketSpec it names, in table order, whatever the table position', () => {
    const rows = [bucketRow('first', '1, 2', '', 'First.'), bucketRow('second', '0..2', '0, 10', 'Second.')];
    const sections = [['Runtime', [row('x', 'histogram', '', 'X.', { buckets: '`second`' }), row('y', 'histogram', '', 'Y.', { buckets: '`first`' })]]] as const;
    const after = build(metricsDocWith({ buckets: rows }, ...sections), miniAttributes());
    expect(after.buckets).toEqual([
      { name: 'first', boundaries: [1, 2], wide: [1, 2], description: 'First.' },
      { name: 'second', boundaries: [0, 1, 2], wide: [0, 10], description: 'Second.' },
    ]);
    expect(after.metrics.map((m) => m.buckets?.name)).toEqual(['second', 'first']);
    expect(after.metrics[0].buckets).toBe(after.buckets[1]);
    // The same table before the metric tables.
    const before = ['## Histogram buckets', '', ...BUCKET_HEADER, ...rows, '', metricsDocWith({ buckets: [] }, ...sections)].join('\n');
    expect(build(before, miniAttributes())).toEqual(after);
  });

  it.each([
    ['Duration', 'upper case'],
    ['1ms', 'a leading digit'],
    ['dur_ation', 'an underscore'],
    ['', 'no name'],
  ])('a bucket name "%s" (%s)', (name) => {
    const text = withBuckets([`| ${name ? `\`${name}\`` : ''} | 0, 5 | | Bad. |`]);
    expectError(run(text), M, lineContaining(text, 'Bad.'), `bucket name \`${name}\` must match [a-z][a-z0-9-]*`);
  });

  it('buckets defined twice', () => {
    const text = withBuckets([bucketRow('b', '0, 5', '', 'One.'), bucketRow('b', '0, 6', '', 'Two.')]);
    expectError(run(text), M, lineContaining(text, 'Two.'), 'buckets `b` are defined twice');
  });

  it.each(['Wide', 'Description', 'Boundaries'])('a bucket table without the %s column', (column) => {
    const keep = (line: string) => splitRow(line).filter((_, i) => i !== columnOf(splitRow(BUCKET_HEADER[0]), column));
    const lines = [...BUCKET_HEADER, bucketRow('b', '0, 5')].map((l) => `| ${keep(l).join(' | ')} |`);
    const text = [metricsDocWith({ buckets: [] }, ['Runtime', [row('h', 'histogram', '', 'H.', { buckets: '`b`' })]]), '## Buckets', '', ...lines, ''].join('\n');
    if (column === 'Boundaries') {
      // Without Boundaries it is not recognised as a bucket table; its Description column makes it
      // a malformed metric table, which is reported rather than skipped.
      expectError(run(text), M, lineContaining(text, '| Buckets | Wide |'), 'metric table is missing the "Metric" column');
    } else {
      expectError(run(text), M, lineContaining(text, '| `b` | 0, 5'), `bucket table is missing the "${column.toLowerCase()}" column`);
    }
  });
});

describe('histograms and their buckets', () => {
  it('a histogram naming buckets the table does not define: error at the metric row', () => {
    const text = withBuckets([bucketRow('b', '0, 5')], '`nope`');
    expectError(run(text), M, lineContaining(text, '| `h` |'), '`h` names buckets `nope`, which the Histogram buckets table does not define');
  });

  it('a histogram without buckets (empty cell): error at the metric row', () => {
    const text = metricsDocWith({ buckets: [bucketRow('b', '0, 5')] }, ['Runtime', [row('h', 'histogram', '', 'H.', { buckets: '`b`' }), row('g', 'histogram', '', 'G.', { buckets: '' })]]);
    expectError(run(text), M, lineContaining(text, '| `g` |'), '`g` names buckets ``');
  });

  it('a counter with buckets: error at the metric row', () => {
    const text = metricsDocWith({ buckets: [bucketRow('b', '0, 5')] }, ['Runtime', [row('h', 'histogram', '', 'H.', { buckets: '`b`' }), row('c', 'counter', '', 'C.', { buckets: '`b`' })]]);
    expectError(run(text), M, lineContaining(text, '| `c` |'), 'counter `c` cannot have buckets');
  });

  it('buckets no histogram uses: error at their row', () => {
    const text = withBuckets([bucketRow('b', '0, 5'), bucketRow('spare', '1, 2', '', 'Spare.')]);
    expectError(run(text), M, lineContaining(text, 'Spare.'), 'buckets `spare` are defined but no histogram uses them');
  });
});

/** The bucket table of docs/metrics.md read without the parser: name -> [boundaries text, wide text]. */
function bucketCells(text: string): Map<string, [string, string]> {
  const lines = text.split('\n');
  const header = lineContaining(text, '| Buckets | Boundaries |');
  const cols = splitRow(lines[header - 1]);
  const out = new Map<string, [string, string]>();
  for (let i = header + 1; i < lines.length && isTableLine(lines[i]); i++) {
    const cells = splitRow(lines[i]);
    out.set(cells[columnOf(cols, 'Buckets')].replace(/`/g, ''), [cells[columnOf(cols, 'Boundaries')], cells[columnOf(cols, 'Wide')]]);
  }
  return out;
}

/** An independent reading of a boundaries cell: each part a number as written, or every integer of A..B. */
function expand(cell: string): number[] {
  return cell.split(',').map((p) => p.trim()).filter(Boolean).flatMap((p) => {
    const range = /^(\d+)\.\.(\d+)$/.exec(p);
    return range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, k) => Number(range[1]) + k) : [Number(p)];
  });
}

describe('the buckets of docs/metrics.md', () => {
  const catalog = loadCatalogFiles(METRICS_DOC, ATTRIBUTES_DOC);
  const cells = bucketCells(metricsText);

  it('are the boundaries the table writes, decimals exactly as written', () => {
    expect(catalog.buckets.map((b) => b.name)).toEqual([...cells.keys()]);
    for (const b of catalog.buckets) {
      const [boundaries, wide] = cells.get(b.name)!;
      expect(b.boundaries, b.name).toEqual(expand(boundaries));
      expect(b.wide, b.name).toEqual(wide === '' ? b.boundaries : expand(wide));
      // Plain numbers round-trip to the text Codex wrote (no precision lost on the way).
      const plain = boundaries.split(',').map((p) => p.trim()).filter((p) => !p.includes('..'));
      expect(plain.every((p) => b.boundaries.map(String).includes(p)), b.name).toBe(true);
    }
  });

  it('are finite, strictly increasing and within MAX_BOUNDARIES', () => {
    for (const b of catalog.buckets) {
      for (const list of [b.boundaries, b.wide]) {
        expect(list.length, b.name).toBeGreaterThan(0);
        expect(list.length, b.name).toBeLessThanOrEqual(MAX_BOUNDARIES);
        expect(list.every(Number.isFinite), b.name).toBe(true);
        expect(list.every((v, i) => i === 0 || v > list[i - 1]), b.name).toBe(true);
      }
    }
  });

  it('every histogram names defined buckets, every counter none, and every definition is used', () => {
    const defined = new Set(catalog.buckets.map((b) => b.name));
    const used = new Set<string>();
    for (const m of catalog.metrics) {
      if (m.kind === 'counter') {
        expect(m.buckets, m.name).toBeUndefined();
        continue;
      }
      expect(defined.has(m.buckets?.name ?? ''), m.name).toBe(true);
      used.add(m.buckets!.name);
    }
    expect([...defined].filter((n) => !used.has(n))).toEqual([]);
  });
});
