// The series cache's lookup: the compiled one and the loop used where code generation is disabled
// must find exactly the clean, plain-object inputs that were cached, and nothing else.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldType } from '../../src/catalog/spec.js';
import { CounterCell, type Cell } from '../../src/runtime/metric-series.js';
import { compileFind, insert, INT_SLOTS_PER_KEY, MAX_INT_SLOTS, type CacheRoot } from '../../src/runtime/series-cache.js';

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
  /** The integer level's array (internals: its length is the documented memory bound). */
  const slots = (root: CacheRoot) => (root.next as unknown as { slots: unknown[] }).slots;

  it('dense integers answer from the array, every key stays findable while the window is rebuilt', () => {
    const root = fresh();
    const cells = new Map<number, Cell>();
    // Shuffled dense HTTP codes, then a far one, then the string spelling of one of them.
    const codes = [149, 100, 148, 200, ...Array.from({ length: 47 }, (_, i) => 101 + ((i * 7) % 47))];
    for (const code of codes) {
      const c = cell(String(code));
      cells.set(code, c);
      expect(insert(root, [code], ['int'], c)).toBe(true);
      for (const [k, v] of cells) expect(find(root, { status: k })).toBe(v);
    }
    expect(slots(root).length).toBe(101); // 100 … 200
    expect(slots(root).length).toBeLessThanOrEqual(INT_SLOTS_PER_KEY * codes.length);
    const asString = cell('"120"');
    expect(insert(root, ['120'], ['int'], asString)).toBe(true);
    expect(find(root, { status: '120' })).toBe(asString); // another spelling, another entry
    expect(find(root, { status: 120 })).toBe(cells.get(120));
    expect(insert(root, [120], ['int'], cell('again'))).toBe(false);
  });

  it('sparse integers stay in the Map: the array never holds more than INT_SLOTS_PER_KEY slots per key', () => {
    const root = fresh();
    const keys = [0, 5000, 10_000, 2 ** 40, -3];
    for (const k of keys) insert(root, [k], ['int'], cell(String(k)));
    expect(slots(root).length).toBeLessThanOrEqual(Math.min(MAX_INT_SLOTS, INT_SLOTS_PER_KEY * keys.length));
    for (const k of keys) expect(find(root, { status: k })).toEqual(cell(String(k)));
  });

  it('never turns a non-integer, a negative zero or a non-number into another key', () => {
    const root = fresh();
    const zero = cell('0');
    const one = cell('1');
    insert(root, [0], ['int'], zero);
    insert(root, [1], ['int'], one);
    expect(find(root, { status: -0 })).toBe(zero); // SameValueZero, as the Map; one series ("0") either way
    for (const miss of [0.5, 1.0000001, NaN, Infinity, -Infinity, -1, 2 ** 32, 2 ** 32 + 1, '1', true, null, 1n]) {
      expect(find(root, { status: miss })).toBeUndefined();
    }
    let read = 0;
    const tricky = { valueOf: () => (read++, 1) };
    expect(find(root, { status: tricky })).toBeUndefined();
    expect(read).toBe(0); // typeof before arithmetic: a valueOf is never called
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
