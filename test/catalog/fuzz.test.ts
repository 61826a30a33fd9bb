// Generator fuzz: random mutations of docs/metrics.md (cut rows, broken pipes, unknown types,
// duplicate names, binary junk) always end in a file:line error or valid output, never a crash or
// a hang.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCatalog, type Catalog } from '../../src/catalog/build.js';
import { CatalogError } from '../../src/catalog/errors.js';
import { renderCatalogModule } from '../../src/catalog/generate.js';
import { VALUE_PATTERN } from '../../src/catalog/spec.js';
import { METRIC_NAME } from '../../src/catalog/parse-metrics.js';
import { DEFAULT_TAG_KEYS } from '../../src/catalog/spec.js';
import { unitFor } from '../../src/catalog/units.js';
import { attributesText, isTableLine, joinRow, metricsText, splitRow } from './helpers.js';

const METRICS_FILE = 'docs/metrics.md';
const ATTRIBUTES_FILE = 'docs/attributes.md';
const UNITS = new Set(['ms', '1', '{token}', '{call}', '{skill}']);
const FIELD_TYPES = new Set(['string', 'boolean', 'int']);
/** One buildCatalog of the full docs takes tens of ms; anything near this is a hang. */
const SLOW_MS = 2_000;
/**
 * A few hundred runs, bounded in time: one buildCatalog of the full docs costs ~15 ms on a laptop but
 * ~45 ms on a loaded 2-core CI box, where the time limit ends the property early (not a failure).
 * `CATALOG_FUZZ_RUNS=5000 npx vitest run test/catalog/fuzz.test.ts` fuzzes longer, without a limit.
 */
const LONG_RUNS = Number(process.env.CATALOG_FUZZ_RUNS ?? 0);
const budget = (numRuns: number, ms: number): fc.Parameters<unknown> =>
  LONG_RUNS > 0 ? { numRuns: LONG_RUNS } : { numRuns, interruptAfterTimeLimit: ms, markInterruptAsFailure: false };
const TIMEOUT = LONG_RUNS > 0 ? 3_600_000 : 20_000;

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
  | { op: 'truncate'; pos: number };

const at = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at, table: fc.boolean() }),
  fc.record({ op: fc.constant('duplicate' as const), at, table: fc.boolean() }),
  fc.record({ op: fc.constant('swap' as const), at, to: at }),
  fc.record({ op: fc.constant('type' as const), at, value: typeValue }),
  fc.record({ op: fc.constant('cell' as const), at, col: fc.nat({ max: 4 }), value: cellValue }),
  fc.record({ op: fc.constant('rename' as const), at, value: metricNameValue }),
  fc.record({ op: fc.constant('copyRow' as const), at, to: at, kind: fc.constantFrom('counter', 'histogram') }),
  fc.record({ op: fc.constant('deletePipe' as const), at, nth: fc.nat({ max: 6 }) }),
  fc.record({ op: fc.constant('insertPipe' as const), at, pos: fc.nat() }),
  fc.record({ op: fc.constant('junk' as const), at, pos: fc.nat(), text: junk }),
  fc.record({ op: fc.constant('truncate' as const), pos: fc.nat() }),
);

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
    }
  }
  return lines.join('\n');
}

// ---- oracle --------------------------------------------------------------------------------

/** Plain checks, not `expect`: the oracle runs on ~100 metrics per fuzz run and must stay cheap. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`invalid output: ${what}`);
}

function expectValidCatalog(catalog: Catalog): void {
  const names = new Set<string>();
  for (const m of catalog.metrics) {
    check(METRIC_NAME.test(m.name) && m.name.split('.').every((p) => p !== ''), `metric name ${JSON.stringify(m.name)}`);
    check(!names.has(m.name), `duplicate metric ${m.name}`);
    names.add(m.name);
    check(m.kind === 'counter' || m.kind === 'histogram', `${m.name}: kind ${m.kind}`);
    check(UNITS.has(m.unit) && m.unit === unitFor(m.name, m.kind), `${m.name}: unit ${m.unit}`);
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
  check(Object.keys(catalog.defaults).join() === DEFAULT_TAG_KEYS.join(), `defaults ${Object.keys(catalog.defaults).join(',')}`);
  check(renderCatalogModule(catalog).startsWith('// GENERATED FILE'), 'rendered module');
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
  check(took < SLOW_MS, `buildCatalog took ${Math.round(took)} ms`);
  if (catalog) {
    expectValidCatalog(catalog);
    return 'catalog';
  }
  expectLocatedError(error, files);
  return 'error';
}

// ---- properties ------------------------------------------------------------------------------

describe('generator fuzz', () => {
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
      budget(300, 6_500),
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
      budget(60, 1_200),
    );
  }, TIMEOUT);
});
