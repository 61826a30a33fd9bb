// The series cache's lookup: the compiled one and the loop used where code generation is disabled
// must find exactly the clean, plain-object inputs that were cached, and nothing else.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldType } from '../../src/catalog/spec.js';
import { CounterCell, type Cell } from '../../src/runtime/metric-series.js';
import { compileFind, insert, MAX_INT_SLOTS, type CacheRoot } from '../../src/runtime/series-cache.js';

const KEYS = ['status', 'success', 'tool'];
const TYPES: FieldType[] = ['int', 'boolean', 'string'];

function cell(name: string): Cell {
  return new CounterCell(Object.freeze({ name }), false);
}

function cached(): { root: CacheRoot; cells: Record<string, Cell> } {
  const root: CacheRoot = { next: undefined, cell: undefined, size: 0 };
  const cells = { a: cell('a'), b: cell('b'), c: cell('c'), d: cell('d') };
  insert(root, [200, true, undefined], TYPES, cells.a);
  insert(root, [200, 'true', undefined], TYPES, cells.b);
  insert(root, ['none', false, 'shell'], TYPES, cells.c);
  insert(root, [404, false, undefined], TYPES, cells.d);
  return { root, cells };
}

type MakeFind = (keys: string[], types: FieldType[]) => ReturnType<typeof compileFind>;

/** Without code generation the same lookup runs as a loop (chosen when `new Function` throws). */
const loopFind: MakeFind = (keys, types) => {
  const original = globalThis.Function;
  globalThis.Function = function () {
    throw new EvalError('code generation from strings disallowed');
  } as unknown as FunctionConstructor;
  try {
    return compileFind(keys, types);
  } finally {
    globalThis.Function = original;
  }
};

describe.each([
  ['compiled', compileFind as MakeFind],
  ['loop (no code generation)', loopFind],
])('series-cache lookup: %s', (name, make) => {
  const find = make(KEYS, TYPES);

  it('is the variant under test', () => {
    expect(find.name).toBe(name === 'compiled' ? 'find' : '');
  });

  it('finds what was cached, by raw value (boolean slots and their string spellings)', () => {
    const { root, cells } = cached();
    expect(root.size).toBe(4);
    expect(find(root, { status: 200, success: true })).toBe(cells.a);
    expect(find(root, { success: true, status: 200 })).toBe(cells.a); // key order does not matter
    expect(find(root, { status: 200, success: 'true' })).toBe(cells.b);
    expect(find(root, { status: 'none', success: false, tool: 'shell' })).toBe(cells.c);
    expect(find(root, Object.assign(Object.create(null), { status: 404, success: false }))).toBe(cells.d);
  });

  it('misses everything else, so that the slow path decides', () => {
    const { root } = cached();
    const misses: object[] = [
      { status: 200, success: false }, // not cached
      { status: '200', success: true }, // another spelling, not cached
      { status: 200, success: true, extra: 1 }, // an undocumented field
      { status: 200, success: true, tool: undefined }, // an own key without a value
      Object.create({ status: 200, success: true }), // inherited fields
      Object.assign(Object.create({ inherited: 1 }), { status: 200, success: true }), // not a plain object
      [200, true],
      {},
    ];
    for (const fields of misses) expect(find(root, fields)).toBeUndefined();
  });

  it('a metric without fields: only an empty object', () => {
    const root: CacheRoot = { next: undefined, cell: undefined, size: 0 };
    const only = cell('only');
    expect(insert(root, [], [], only)).toBe(true);
    expect(insert(root, [], [], only)).toBe(false);
    const findEmpty = make([], []);
    expect(findEmpty(root, {})).toBe(only);
    expect(findEmpty(root, { x: 1 })).toBeUndefined();
  });
});

describe.each([
  ['compiled', compileFind as MakeFind],
  ['loop (no code generation)', loopFind],
])('series-cache lookup of an integer field: %s', (_name, make) => {
  const find = make(['status'], ['int']);
  const fresh = (): CacheRoot => ({ next: undefined, cell: undefined, size: 0 });
  /** The integer level's table (internals: its size is the documented memory bound). */
  const level = (root: CacheRoot) => root.next as unknown as { table: unknown[]; mask: number };
  const slots = (root: CacheRoot) => level(root).table.length / 2;
  const held = (root: CacheRoot) => {
    const { table, mask } = level(root);
    let n = 0;
    for (let h = 0; h <= mask; h++) if (((table[2 * h] as number) & mask) === h) n++;
    return n;
  };

  it('dense HTTP codes: every one in the table, every key findable while the table grows', () => {
    const root = fresh();
    const cells = new Map<number, Cell>();
    const codes = [149, 100, 148, 200, ...Array.from({ length: 47 }, (_, i) => 101 + ((i * 7) % 47))];
    for (const code of codes) {
      const c = cell(String(code));
      cells.set(code, c);
      expect(insert(root, [code], ['int'], c)).toBe(true);
      for (const [k, v] of cells) expect(find(root, { status: k })).toBe(v);
    }
    expect(held(root)).toBe(codes.length);
    expect(slots(root)).toBeLessThanOrEqual(8 * codes.length);
    const asString = cell('"120"');
    expect(insert(root, ['120'], ['int'], asString)).toBe(true);
    expect(find(root, { status: '120' })).toBe(asString); // another spelling, another entry
    expect(find(root, { status: 120 })).toBe(cells.get(120));
    expect(insert(root, [120], ['int'], cell('again'))).toBe(false);
  });

  it('sparse codes use the table too; colliding and large keys stay in the Map, at most 8 slots per key', () => {
    const root = fresh();
    const sparse = [200, 201, 204, 400, 401, 403, 404, 429, 500, 502, 503];
    for (const k of sparse) insert(root, [k], ['int'], cell(String(k)));
    expect(held(root)).toBe(sparse.length);
    expect(slots(root)).toBeLessThanOrEqual(8 * sparse.length);
    const colliding = fresh();
    const keys = [0, 64, 128, 4096, 2 ** 40, -3, 2 ** 30, -(2 ** 30)];
    for (const k of keys) insert(colliding, [k], ['int'], cell(String(k)));
    expect(held(colliding)).toBeLessThan(keys.length);
    expect(slots(colliding)).toBeLessThanOrEqual(Math.min(MAX_INT_SLOTS, 8 * keys.length));
    for (const k of keys) expect(find(colliding, { status: k })).toEqual(cell(String(k)));
    for (const k of keys) expect(insert(colliding, [k], ['int'], cell('again'))).toBe(false); // found, so never counted twice
    expect(colliding.size).toBe(keys.length);
  });

  it('past MAX_INT_SLOTS the table stops growing and the rest stays in the Map', () => {
    const root = fresh();
    const n = MAX_INT_SLOTS + 100;
    for (let k = 0; k < n; k++) insert(root, [k * 3], ['int'], cell(String(k * 3)));
    expect(slots(root)).toBe(MAX_INT_SLOTS);
    for (let k = 0; k < n; k += 97) expect(find(root, { status: k * 3 })).toEqual(cell(String(k * 3)));
    expect(find(root, { status: 1 })).toBeUndefined();
  });

  it('never turns a non-integer, a negative zero or a non-number into another key', () => {
    const root = fresh();
    const zero = cell('0');
    const one = cell('1');
    insert(root, [0], ['int'], zero);
    insert(root, [1], ['int'], one);
    expect(find(root, { status: -0 })).toBe(zero); // SameValueZero, as the Map; one series ("0") either way
    for (const miss of [0.5, 1.0000001, NaN, Infinity, -Infinity, -1, 2 ** 32, 2 ** 32 + 1, 2 ** 30, 2 ** 30 + 1, '1', true, null, 1n]) {
      expect(find(root, { status: miss })).toBeUndefined();
    }
    let read = 0;
    const tricky = { valueOf: () => (read++, 1) };
    expect(find(root, { status: tricky })).toBeUndefined();
    expect(read).toBe(0); // typeof before arithmetic: a valueOf is never called
    // An empty slot's mark is never a hit: h ^ 1 for every slot h of every size.
    const marks = fresh();
    insert(marks, [1000], ['int'], cell('1000'));
    for (let k = -70; k < 70; k++) if (k !== 1000) expect(find(marks, { status: k })).toBeUndefined();
    const negative = fresh();
    insert(negative, [-0], ['int'], zero);
    expect(find(negative, { status: 0 })).toBe(zero);
  });
});

describe('a process that disallows code generation from strings', () => {
  it('records exactly as one that allows it (dist/, built by npm test first)', () => {
    const script = `
      const { createTestCodexMetrics } = await import(${JSON.stringify(pathToFileURL(resolve('dist/testing/index.js')).href)});
      const t = createTestCodexMetrics({ defaults: { model: 'm' } });
      for (let i = 0; i < 50; i++) {
        t.metrics.add('api_request', { status: 200, success: i % 2 === 0 });
        t.metrics.add('mcp.call', { status: 'ok', tool: 'search' });
        t.metrics.record('api_request.duration_ms', i, { status: 200, success: true });
      }
      t.metrics.add('api_request', { status: 200, success: true, extra: 1 });
      console.log(JSON.stringify({ points: (await t.snapshot()).map((p) => [p.name, p.attributes, p.value ?? p.count]), stats: t.metrics.stats() }));
      await t.shutdown();
    `;
    const run = (flags: string[]) => execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' });
    const restricted = run(['--disallow-code-generation-from-strings']);
    expect(restricted).toBe(run([]));
    expect(JSON.parse(restricted).stats.sanitized.unknown_field).toBe(1);
  });
});
