// Generator fuzz: random mutations of docs/metrics.md (cut rows, broken pipes, unknown types, units,
// tags and buckets, duplicate names, binary junk) always end in a file:line error or valid output,
// never a crash or a hang.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog, type Catalog } from '../../src/catalog/build.js';
import { CatalogError } from '../../src/catalog/errors.js';
import { renderCatalogModule, renderMetricNamesModule } from '../../src/catalog/generate.js';
import { MAX_BOUNDARIES } from '../../src/catalog/parse-buckets.js';
import { METRIC_NAME } from '../../src/catalog/parse-metrics.js';
import { DEFAULT_PREFIX, DEFAULT_TAG_KEYS, TAG_SCOPES, VALUE_PATTERN, type MetricSpec } from '../../src/catalog/spec.js';
import { formatRange } from '../../src/catalog/versions.js';
import { attributesText, isTableLine, joinRow, metricsText, splitRow } from './helpers.js';

const METRICS_FILE = 'docs/metrics.md';
const ATTRIBUTES_FILE = 'docs/attributes.md';
/** The unit syntax docs/metrics.md documents: `ms`, `s`, `By`, `1` or a `{annotation}`. */
const UNIT = /^(1|ms|s|By|\{[a-z_]+\})$/;
const FIELD_TYPES = new Set(['string', 'boolean', 'int']);
/** A mutated build slower than this many builds of the unmutated docs (measured first, same machine) is a hang. */
const SLOW_FACTOR = 25;
let slowMs = Infinity;
/**
 * A fixed number of runs (each a full buildCatalog, tens of ms on an idle machine, seconds on a busy
 * 2-core one), so both outcomes are always sampled; the test timeout is sized for the busy case.
 * `CATALOG_FUZZ_RUNS=5000 npx vitest run test/catalog/fuzz.test.ts` fuzzes longer.
 */
const LONG_RUNS = Number(process.env.CATALOG_FUZZ_RUNS ?? 0);
const budget = (numRuns: number): fc.Parameters<unknown> => ({ numRuns: LONG_RUNS > 0 ? LONG_RUNS : numRuns });
const TIMEOUT = LONG_RUNS > 0 ? 3_600_000 : 240_000;

// ---- mutations -------------------------------------------------------------------------------

const junk = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u0000', '\uFFFD', '\uFEFF', '\uD800', '\uDFFF', '\u2028', '\u202E', '\r', '\r\n', '\t', '\\', '`', '``', '|', '\\|', '<!--', '-->', '<br>', '***', '[x]:', '> ', '# ', '    ', '\n\n'),
  fc.constantFrom('é', 'ß', '中文', '😀', 'İ', 'ﬁ', '\u0301'),
);
const typeValue = fc.oneof(fc.constantFrom('gauge', '', 'Counter', 'HISTOGRAM', 'counter', 'histogram', 'up_down_counter', '`counter`', 'See note', 'counter histogram'), fc.string({ maxLength: 8 }));
const cellValue = fc.oneof(
  fc.constantFrom('', 'See note', 'see notes.', '`status`', '`status`, `success`', '`nope`', '`status` and `success`', '`codex.api_request`', '`a..b`', '`Api`', '``', '` `'),
  // Wire cells (Unit, Buckets, Tags, Observed in) and bucket boundaries, valid and not.
  fc.constantFrom('`ms`', '`1`', 'ms', '`{token}`', '`{Token}`', '`s`', '`msec`', '`duration`', '`tokens`', '`flag`', '`nope`', 'session', 'none', 'originator', 'all', '0.171.0', '0.1', 'v0.171.0'),
  fc.constantFrom('0, 5, 10', '0..3', '0, 5, 5', '10, 5', '1.0234203467988563, 2', '3..1', `0..${MAX_BOUNDARIES}`, `0..${Number.MAX_SAFE_INTEGER}`, '1e400', 'abc'),
  fc.string({ maxLength: 10 }).map((s) => `\`${s}\``),
  fc.string({ maxLength: 10 }),
);
const metricNameValue = fc.oneof(
  fc.constantFrom('api_request', 'codex.api_request', 'mcp.call', 'tool.call', 'shell_snapshot', 'codex.tool.call', 'codex.', 'x', 'a.b.c'),
  fc.stringMatching(/^[a-z0-9_.]{1,12}$/),
);

type Mutation =
  | { op: 'delete'; at: number; table: boolean }
  | { op: 'duplicate'; at: number; table: boolean }
  | { op: 'swap'; at: number; to: number }
  | { op: 'type'; at: number; value: string }
  | { op: 'cell'; at: number; col: number; value: string }
  | { op: 'rename'; at: number; value: string }
  | { op: 'copyRow'; at: number; to: number; kind: string }
  | { op: 'deletePipe'; at: number; nth: number }
  | { op: 'insertPipe'; at: number; pos: number }
  | { op: 'junk'; at: number; pos: number; text: string }
  | { op: 'truncate'; pos: number }
  // Benign edits: the result must still build, to the same metrics.
  | { op: 'describe'; at: number; text: string }
  | { op: 'swapRows'; at: number; to: number }
  | { op: 'pad'; at: number; spaces: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at, table: fc.boolean() }),
  fc.record({ op: fc.constant('duplicate' as const), at, table: fc.boolean() }),
  fc.record({ op: fc.constant('swap' as const), at, to: at }),
  fc.record({ op: fc.constant('type' as const), at, value: typeValue }),
  fc.record({ op: fc.constant('cell' as const), at, col: fc.nat({ max: 7 }), value: cellValue }),
  fc.record({ op: fc.constant('rename' as const), at, value: metricNameValue }),
  fc.record({ op: fc.constant('copyRow' as const), at, to: at, kind: fc.constantFrom('counter', 'histogram') }),
  fc.record({ op: fc.constant('deletePipe' as const), at, nth: fc.nat({ max: 6 }) }),
  fc.record({ op: fc.constant('insertPipe' as const), at, pos: fc.nat() }),
  fc.record({ op: fc.constant('junk' as const), at, pos: fc.nat(), text: junk }),
  fc.record({ op: fc.constant('truncate' as const), pos: fc.nat() }),
  // Weighted so that about one run in five mutates only benignly and must end in a catalog.
  { arbitrary: fc.record({ op: fc.constant('describe' as const), at, text: fc.stringMatching(/^[A-Za-z0-9 ,()-]{1,30}$/) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('swapRows' as const), at, to: at }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('pad' as const), at, spaces: fc.integer({ min: 1, max: 4 }) }), weight: 4 },
);

/** Line indexes of the body rows of the table that holds line `i` (none when `i` is not in a table). */
function bodyOf(lines: string[], i: number): number[] {
  if (!isTableLine(lines[i])) return [];
  let start = i;
  while (start > 0 && isTableLine(lines[start - 1])) start--;
  const out: number[] = [];
  for (let k = start + 2; k < lines.length && isTableLine(lines[k]); k++) out.push(k);
  return out;
}

/** Index of a line, biased to table body rows when `table` (where most mistakes happen). */
function pick(lines: string[], n: number, table = true): number {
  const rows = lines.map((l, i) => (isTableLine(l) && !/^\|\s*-/.test(l) ? i : -1)).filter((i) => i >= 0);
  if (table && rows.length) return rows[n % rows.length];
  return n % lines.length;
}

function editCells(line: string, edit: (cells: string[]) => void): string {
  const cells = splitRow(line);
  edit(cells);
  return joinRow(cells);
}

function mutate(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    if (lines.length === 0) lines = [''];
    switch (m.op) {
      case 'delete':
        lines.splice(pick(lines, m.at, m.table), 1);
        break;
      case 'duplicate': {
        const i = pick(lines, m.at, m.table);
        lines.splice(i, 0, lines[i]);
        break;
      }
      case 'swap': {
        const i = pick(lines, m.at);
        const j = pick(lines, m.to, false);
        [lines[i], lines[j]] = [lines[j], lines[i]];
        break;
      }
      case 'type': {
        const i = pick(lines, m.at);
        lines[i] = editCells(lines[i], (c) => void (c[1] = m.value));
        break;
      }
      case 'cell': {
        const i = pick(lines, m.at);
        lines[i] = editCells(lines[i], (c) => void (c[m.col] = m.value));
        break;
      }
      case 'rename': {
        const i = pick(lines, m.at);
        lines[i] = editCells(lines[i], (c) => void (c[0] = `\`${m.value}\``));
        break;
      }
      case 'copyRow': {
        // A duplicate name, usually conflicting: same name in another place with another type.
        const i = pick(lines, m.at);
        const j = pick(lines, m.to);
        lines.splice(j, 0, editCells(lines[i], (c) => void (c[1] = m.kind)));
        break;
      }
      case 'deletePipe': {
        const i = pick(lines, m.at);
        const pipes = [...lines[i].matchAll(/\|/g)].map((x) => x.index);
        if (pipes.length) {
          const p = pipes[m.nth % pipes.length];
          lines[i] = lines[i].slice(0, p) + lines[i].slice(p + 1);
        }
        break;
      }
      case 'insertPipe': {
        const i = pick(lines, m.at);
        const p = m.pos % (lines[i].length + 1);
        lines[i] = `${lines[i].slice(0, p)}|${lines[i].slice(p)}`;
        break;
      }
      case 'junk': {
        const i = pick(lines, m.at, m.pos % 2 === 0);
        const p = m.pos % (lines[i].length + 1);
        lines[i] = lines[i].slice(0, p) + m.text + lines[i].slice(p);
        break;
      }
      case 'truncate': {
        const joined = lines.join('\n');
        lines = joined.slice(0, m.pos % (joined.length + 1)).split('\n');
        break;
      }
      case 'describe': {
        // The Description cell: last but one in a catalog row, last elsewhere (the retired table has none).
        const i = pick(lines, m.at);
        const cells = splitRow(lines[i]);
        const d = cells.length === 8 ? 6 : cells.length - 1;
        // Prose, not a name in backticks (the retired table's last cell) nor an empty cell.
        if (/^[^`|]+$/.test(cells[d] ?? '')) {
          cells[d] = m.text;
          lines[i] = joinRow(cells);
        }
        break;
      }
      case 'swapRows': {
        const body = bodyOf(lines, pick(lines, m.at));
        if (body.length > 1) {
          const [i, j] = [body[m.at % body.length], body[m.to % body.length]];
          [lines[i], lines[j]] = [lines[j], lines[i]];
        }
        break;
      }
      case 'pad': {
        const i = pick(lines, m.at);
        const pad = ' '.repeat(m.spaces);
        lines[i] = `|${splitRow(lines[i]).map((c) => `${pad}${c}${pad}`).join('|')}|`;
        break;
      }
    }
  }
  return lines.join('\n');
}

// ---- oracle --------------------------------------------------------------------------------

/** Plain checks, not `expect`: the oracle runs on ~100 metrics per fuzz run and must stay cheap. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invalid output: ${what}`);
}

const DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
/** A cell as plain text: no backticks, no whitespace. */
const plain = (cell: string | undefined) => (cell ?? '').replace(/[`\s]/g, '');

/**
 * The table rows of a (mutated) document that name each metric, with the header of their table,
 * read without the Markdown parser. Generous on purpose: a row under a delimiter row's header, up to
 * the next blank line, whatever GFM makes of it; the `codex.` prefix is dropped.
 */
function rowsByMetric(text: string): Map<string, { header: string[]; cells: string[] }[]> {
  const out = new Map<string, { header: string[]; cells: string[] }[]>();
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    if (!DELIMITER.test(lines[i])) continue;
    const header = splitRow(lines[i - 1]).map((h) => plain(h).toLowerCase());
    for (let j = i + 1; j < lines.length && lines[j].trim() !== ''; j++) {
      const cells = splitRow(lines[j]);
      const name = plain(cells[0]);
      const key = name.startsWith(DEFAULT_PREFIX) ? name.slice(DEFAULT_PREFIX.length) : name;
      out.set(key, [...(out.get(key) ?? []), { header, cells }]);
    }
  }
  return out;
}

/** The wire values of a metric come from a row of its own: each is in that row's cell of its column. */
function expectDeclaredWire(m: MetricSpec, rows: { header: string[]; cells: string[] }[] | undefined): void {
  check(rows !== undefined, `${m.name}: no table row names it`);
  const wire: [string, string | undefined][] = [['unit', m.unit], ['tags', m.tags], ['buckets', m.buckets?.name], ['codexversions', m.versions ? formatRange(m.versions) : undefined]];
  for (const [column, value] of wire) {
    if (value === undefined) continue;
    const declared = rows!.some(({ header, cells }) => header.includes(column) && plain(cells[header.indexOf(column)]).includes(value));
    check(declared, `${m.name}: ${column} ${JSON.stringify(value)} is not in the ${column} cell of its row`);
  }
}

const increasing = (xs: readonly number[]) => xs.length > 0 && xs.length <= MAX_BOUNDARIES && xs.every((x, i) => Number.isFinite(x) && (i === 0 || x > xs[i - 1]));

function expectValidCatalog(catalog: Catalog, metricsDoc: string): void {
  const names = new Set<string>();
  const rows = rowsByMetric(metricsDoc);
  for (const b of catalog.buckets) check(increasing(b.boundaries) && increasing(b.wide), `buckets ${b.name}: ${b.boundaries.length} boundaries, ${b.wide.length} wide`);
  for (const m of catalog.metrics) {
    check(METRIC_NAME.test(m.name) && m.name.split('.').every((p) => p !== ''), `metric name ${JSON.stringify(m.name)}`);
    check(!names.has(m.name), `duplicate metric ${m.name}`);
    names.add(m.name);
    check(m.kind === 'counter' || m.kind === 'histogram', `${m.name}: kind ${m.kind}`);
    check(UNIT.test(m.unit), `${m.name}: unit ${m.unit}`);
    check(TAG_SCOPES.includes(m.tags), `${m.name}: tags ${m.tags}`);
    check(m.versions === undefined || (catalog.codexVersions.includes(m.versions.since) && (m.versions.until === undefined || catalog.codexVersions.includes(m.versions.until))), `${m.name}: versions ${JSON.stringify(m.versions)}`);
    check(m.kind === 'histogram' ? m.buckets !== undefined && catalog.buckets.includes(m.buckets) : m.buckets === undefined, `${m.name}: buckets ${m.buckets?.name}`);
    expectDeclaredWire(m, rows.get(m.name));
    check(typeof m.section === 'string' && typeof m.description === 'string', `${m.name}: section/description`);
    const all = [...m.required, ...m.optional];
    check(new Set(all).size === all.length, `${m.name}: a field listed twice in ${all.join(',')}`);
    check(Object.keys(m.fields).sort().join() === [...all].sort().join(), `${m.name}: fields ${Object.keys(m.fields).join(',')} vs ${all.join(',')}`);
    for (const f of all) {
      const spec = m.fields[f];
      check(spec.name === f && FIELD_TYPES.has(spec.type), `${m.name}.${f}: ${JSON.stringify(spec)}`);
      check((spec.values ?? []).every((v) => VALUE_PATTERN.test(v)), `${m.name}.${f}: values ${JSON.stringify(spec.values)}`);
      check(spec.type !== 'boolean' || spec.values === undefined, `${m.name}.${f}: boolean with values`);
    }
  }
  for (const r of catalog.retired) check(!names.has(r.name) && (r.replacement === undefined || names.has(r.replacement)), `retired ${r.name} -> ${r.replacement}`);
  check(Object.keys(catalog.defaults).join() === DEFAULT_TAG_KEYS.join(), `defaults ${Object.keys(catalog.defaults).join(',')}`);
  for (const key of DEFAULT_TAG_KEYS) {
    for (const [alias, value] of Object.entries(catalog.aliases[key] ?? {})) {
      check(catalog.defaults[key].values?.includes(value) === true && !catalog.defaults[key].values!.includes(alias), `alias ${key}.${alias} -> ${value}`);
    }
  }
  check(renderCatalogModule(catalog).startsWith('// GENERATED FILE'), 'rendered module');
  check(renderMetricNamesModule(catalog).split('\nexport const ').length === catalog.metrics.length + 1, 'metric-names module');
}

function expectLocatedError(err: unknown, files: Record<string, string>): void {
  if (!(err instanceof CatalogError)) throw new Error(`not a CatalogError: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  check(/^.+:\d+: .+/.test(err.message), `message ${JSON.stringify(err.message)}`);
  check(err.file in files, `file ${err.file}`);
  const lineCount = files[err.file].split(/\r\n|\r|\n/).length;
  // Line 1 is where whole-file problems are reported; otherwise the line must exist.
  check(err.line >= 1 && err.line <= lineCount, `line ${err.line} of ${lineCount} in ${JSON.stringify(err.message)}`);
}

function buildOrError(metrics: string, attributes: string): 'catalog' | 'error' {
  const files = { [METRICS_FILE]: metrics, [ATTRIBUTES_FILE]: attributes };
  const started = performance.now();
  let catalog: Catalog | undefined;
  let error: unknown;
  try {
    catalog = buildCatalog({ metricsText: metrics, metricsFile: METRICS_FILE, attributesText: attributes, attributesFile: ATTRIBUTES_FILE });
  } catch (err) {
    error = err;
  }
  const took = performance.now() - started;
  check(took < slowMs, `buildCatalog took ${Math.round(took)} ms, over ${SLOW_FACTOR} times the unmutated docs`);
  if (catalog) {
    expectValidCatalog(catalog, metrics);
    return 'catalog';
  }
  expectLocatedError(error, files);
  return 'error';
}

// ---- properties ------------------------------------------------------------------------------

describe('generator fuzz', () => {
  beforeAll(() => {
    // The yardstick for "a hang": the slowest of three builds of the unmutated docs, first (cold) one included.
    const times = [0, 1, 2].map(() => {
      const started = performance.now();
      buildCatalog({ metricsText, metricsFile: METRICS_FILE, attributesText, attributesFile: ATTRIBUTES_FILE });
      return performance.now() - started;
    });
    slowMs = Math.max(...times) * SLOW_FACTOR;
  }, TIMEOUT);

  it('the oracle accepts the real docs and catches wire values that no row declares (sanity)', () => {
    const catalog = buildCatalog({ metricsText, metricsFile: METRICS_FILE, attributesText, attributesFile: ATTRIBUTES_FILE });
    expect(() => expectValidCatalog(catalog, metricsText)).not.toThrow();
    const [first, ...rest] = catalog.metrics;
    const wrong = (m: Partial<MetricSpec>) => ({ ...catalog, metrics: [{ ...first, ...m }, ...rest] });
    expect(() => expectValidCatalog(wrong({ unit: first.unit === 'ms' ? '1' : 'ms' }), metricsText)).toThrow(`${first.name}: unit`);
    expect(() => expectValidCatalog(wrong({ tags: first.tags === 'none' ? 'session' : 'none' }), metricsText)).toThrow(`${first.name}: tags`);
    expect(() => expectValidCatalog(wrong({ versions: { since: '9.9.9' } }), metricsText)).toThrow(`${first.name}: versions`);
    expect(() => expectValidCatalog(wrong({ unit: '{Token}' }), metricsText)).toThrow('unit {Token}');
  });

  it('the mutator really mutates (sanity)', () => {
    expect(mutate(metricsText, [{ op: 'type', at: 0, value: 'gauge' }])).toContain('| gauge |');
    expect(mutate(metricsText, [{ op: 'truncate', pos: 10 }])).toBe(metricsText.slice(0, 10));
    expect(() => buildOrError(mutate(metricsText, [{ op: 'type', at: 3, value: 'gauge' }]), attributesText)).not.toThrow();
  });

  it('mutations of docs/metrics.md end in a valid catalog or a file:line CatalogError', () => {
    let errors = 0;
    let catalogs = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
        if (buildOrError(mutate(metricsText, mutations), attributesText) === 'catalog') catalogs++;
        else errors++;
      }),
      budget(40),
    );
    // Both outcomes must actually occur, or the mutations are too tame / too destructive.
    expect(errors).toBeGreaterThan(0);
    expect(catalogs).toBeGreaterThan(0);
  }, TIMEOUT);

  it('mutations of docs/attributes.md end the same way', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        buildOrError(metricsText, mutate(attributesText, mutations));
      }),
      budget(12),
    );
  }, TIMEOUT);
});
