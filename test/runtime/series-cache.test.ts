// The series cache's lookup: the compiled one and the loop used where code generation is disabled
// must find exactly the clean, plain-object inputs that were cached, and nothing else.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FieldType } from '../../src/catalog/spec.js';
import { CounterCell, type Cell } from '../../src/runtime/metric-series.js';
import { compileFind, insert, type CacheRoot } from '../../src/runtime/series-cache.js';

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
