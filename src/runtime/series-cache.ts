// The fast path's lookup: from the raw fields object a caller passes to the cell of its series,
// without validating, formatting or merging again. One tree per view and metric, one level per
// documented field (catalog order), keyed by the raw value (`200`, `true`, `'none'`); the last
// level holds the cell. A level is a Map; for a boolean field two slots for `true` and `false` (a
// Map only for the string spellings); for an integer field a Map plus a direct-mapped table (below).
// Only clean inputs are cached (a repaired one must be counted every time).
//
// The lookup of each metric is compiled from its field names (`f["status"]`, `f["success"]`): a
// property read with a constant name is cached by V8 per metric, where a loop over the names is a
// megamorphic lookup per field and makes the prototype check a call, which dominated the fast
// path's cost. Where code generation is disabled, an equivalent loop is used.
//
// Integer fields (`status: 200`): a Map.get is a call into V8's hash-table builtin, the largest
// single cost of a hit. An integer level also keeps its small integer keys in a direct-mapped table:
// key k at slot `k & mask`, so a hit is one AND, one compare and two loads from one array. A key
// whose slot is taken stays in the Map only; the table is rebuilt (larger, picking a size without
// collisions where one of two does) as keys arrive, at most 8 slots per integer key and
// MAX_INT_SLOTS in all, so its memory is bounded by the entries it holds. Every key is also in the
// Map, which answers whatever the table does not hold.
import type { FieldType } from '../catalog/spec.js';
import type { Cell } from './metric-series.js';

/** A level of a boolean field. */
interface BooleanLevel {
  t: unknown;
  f: unknown;
  other: Map<unknown, unknown> | undefined;
}
/** A level of an integer field. */
interface IntLevel {
  /** Every key (numbers and the string spellings). */
  all: Map<unknown, unknown>;
  /**
   * For the small integer keys the table holds, slot h = k & mask: table[2h] is k, table[2h + 1] its
   * child (one array: the key and its child share a cache line). An empty slot h holds the key h ^ 1,
   * a key of another slot, so no number can match it.
   */
  table: unknown[];
  mask: number;
  /** Small integer keys in `all` (held by the table or not). */
  ints: number;
}
type Level = Map<unknown, unknown> | BooleanLevel | IntLevel;

/**
 * Integers the table may hold: V8's small integers, so that its keys are small integers and the
 * lookup's AND and compare are integer operations.
 */
const SMALL_INT = 2 ** 30;
/** Slots of an integer level's table at most (a power of two). */
export const MAX_INT_SLOTS = 4096;

/** A view's cache of one metric. */
export interface CacheRoot {
  /** First level (absent for metrics without fields). */
  next: Level | undefined;
  /** The cell of a metric without fields. */
  cell: Cell | undefined;
  /** Entries below this root. */
  size: number;
}

/** Finds the cached cell for `fields` (a non-null object), or undefined: take the slow path. */
export type FindCell = (root: CacheRoot, fields: object) => Cell | undefined;

const SAFE_KEY = /^[A-Za-z0-9._-]+$/;

/** The lookup for a metric whose documented fields are `keys` (catalog order), of `types`. */
export function compileFind(keys: readonly string[], types: readonly FieldType[]): FindCell {
  if (keys.every((k) => SAFE_KEY.test(k))) {
    try {
      return new Function('getPrototypeOf', 'OBJECT', findSource(keys, types))(Object.getPrototypeOf, Object.prototype) as FindCell;
    } catch {
      // Code generation from strings disallowed (--disallow-code-generation-from-strings, CSP).
    }
  }
  return findByLoop(keys, types);
}

/**
 * The source of a compiled lookup. Only plain objects (prototype Object.prototype or null) match,
 * and only when every own enumerable key is one of `keys` with a value: anything else (an extra or
 * inherited field, `undefined` values, a class instance) goes to the slow path, which decides.
 */
function findSource(keys: readonly string[], types: readonly FieldType[]): string {
  const n = keys.length;
  const v = (i: number) => `v${i}`;
  const lines = ['"use strict";', 'return function find(root, f) {'];
  if (n > 0) lines.push(`  const ${keys.map((k, i) => `${v(i)} = f[${JSON.stringify(k)}]`).join(', ')};`);
  lines.push('  const proto = getPrototypeOf(f);', '  if (proto !== OBJECT && proto !== null) return undefined;');
  lines.push('  let own = 0;', '  for (const _ in f) own++;');
  if (n === 0) {
    lines.push('  return own === 0 ? root.cell : undefined;', '};');
    return lines.join('\n');
  }
  lines.push(`  if (own !== ${keys.map((_, i) => `(${v(i)} !== undefined ? 1 : 0)`).join(' + ')}) return undefined;`);
  lines.push('  let node = root.next;', '  if (node === undefined) return undefined;');
  for (let i = 0; i < n; i++) {
    const x = v(i);
    switch (types[i]) {
      case 'boolean':
        lines.push(`  node = ${x} === true ? node.t : ${x} === false ? node.f : node.other === undefined ? undefined : node.other.get(${x});`);
        break;
      case 'int':
        // typeof first: arithmetic on anything else could call a valueOf.
        lines.push(
          `  if (typeof ${x} === "number") {`,
          `    const h = (${x} & node.mask) << 1, t = node.table;`,
          `    node = t[h] === ${x} ? t[h + 1] : node.all.get(${x});`,
          `  } else node = node.all.get(${x});`,
        );
        break;
      default:
        lines.push(`  node = node.get(${x});`);
    }
    lines.push('  if (node === undefined) return undefined;');
  }
  lines.push('  return node;', '};');
  return lines.join('\n');
}

/** The same lookup as a loop over the names (no code generation). */
function findByLoop(keys: readonly string[], types: readonly FieldType[]): FindCell {
  return (root, fields) => {
    const proto = Object.getPrototypeOf(fields);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const record = fields as Record<string, unknown>;
    let present = 0;
    let node: unknown = root.next;
    for (let i = 0; i < keys.length; i++) {
      if (node === undefined) return undefined;
      const value = record[keys[i]];
      if (value !== undefined) present++;
      node = child(node as Level, value, types[i]);
    }
    let own = 0;
    for (const _ in record) own++;
    if (own !== present) return undefined;
    return keys.length === 0 ? root.cell : (node as Cell | undefined);
  };
}

/** The child of `value` in `level` (an integer level answers from its table first). */
function child(level: Level, value: unknown, type: FieldType): unknown {
  switch (type) {
    case 'boolean': {
      const b = level as BooleanLevel;
      return value === true ? b.t : value === false ? b.f : b.other?.get(value);
    }
    case 'int': {
      const l = level as IntLevel;
      if (typeof value === 'number') {
        const h = (value & l.mask) << 1;
        if (l.table[h] === value) return l.table[h + 1];
      }
      return l.all.get(value);
    }
    default:
      return (level as Map<unknown, unknown>).get(value);
  }
}

function setChild(level: Level, value: unknown, type: FieldType, next: unknown): void {
  switch (type) {
    case 'boolean': {
      const b = level as BooleanLevel;
      if (value === true) b.t = next;
      else if (value === false) b.f = next;
      else (b.other ??= new Map()).set(value, next);
      return;
    }
    case 'int': {
      const l = level as IntLevel;
      l.all.set(value, next);
      if (isSmallInt(value)) setInt(l, value === 0 ? 0 : value, next); // -0 is the Map's key 0
      return;
    }
    default:
      (level as Map<unknown, unknown>).set(value, next);
  }
}

const isSmallInt = (key: unknown): key is number => typeof key === 'number' && Number.isInteger(key) && Math.abs(key) < SMALL_INT;

/** A new small integer key of `level` (already in `all`): into the table, which grows to at least twice the keys. */
function setInt(level: IntLevel, value: number, next: unknown): void {
  level.ints++;
  const slots = level.mask + 1;
  if (2 * level.ints > slots && slots < MAX_INT_SLOTS) rebuild(level);
  else place(level, value, next);
}

function place(level: IntLevel, key: number, child: unknown): void {
  const h = key & level.mask;
  if (((level.table[2 * h] as number) & level.mask) === h) return; // taken: this key stays in the Map only
  level.table[2 * h] = key;
  level.table[2 * h + 1] = child;
}

/** A table of at least 2 slots per key, or of 4 if that one has no collisions; every small integer key of `all` placed in it. */
function rebuild(level: IntLevel): void {
  const ints: number[] = [];
  for (const key of level.all.keys()) if (isSmallInt(key)) ints.push(key);
  let size = 2;
  while (size < 2 * ints.length && size < MAX_INT_SLOTS) size *= 2;
  if (size < MAX_INT_SLOTS && collides(ints, size - 1) && !collides(ints, 2 * size - 1)) size *= 2;
  level.mask = size - 1;
  level.table = emptyTable(size);
  for (const key of ints) place(level, key, level.all.get(key));
}

function collides(keys: readonly number[], mask: number): boolean {
  const seen = new Set<number>();
  for (const key of keys) {
    const h = key & mask;
    if (seen.has(h)) return true;
    seen.add(h);
  }
  return false;
}

/** An empty table of `size` slots (>= 2); one way of building it, so every table has the same elements kind (monomorphic loads). */
function emptyTable(size: number): unknown[] {
  const table = new Array<unknown>(2 * size);
  for (let h = 0; h < size; h++) {
    table[2 * h] = h ^ 1;
    table[2 * h + 1] = undefined;
  }
  return table;
}

function newLevel(type: FieldType): Level {
  switch (type) {
    case 'boolean':
      return { t: undefined, f: undefined, other: undefined };
    case 'int':
      return { all: new Map(), table: emptyTable(2), mask: 1, ints: 0 };
    default:
      return new Map();
  }
}

/** Caches `cell` under `path` (raw values in catalog key order). Returns false if it was there already. */
export function insert(root: CacheRoot, path: readonly unknown[], types: readonly FieldType[], cell: Cell): boolean {
  if (path.length === 0) {
    if (root.cell !== undefined) return false;
    root.cell = cell;
    root.size++;
    return true;
  }
  let level = (root.next ??= newLevel(types[0]));
  for (let i = 0; i < path.length - 1; i++) {
    let next = child(level, path[i], types[i]) as Level | undefined;
    if (next === undefined) setChild(level, path[i], types[i], (next = newLevel(types[i + 1])));
    level = next;
  }
  const last = path.length - 1;
  if (child(level, path[last], types[last]) !== undefined) return false;
  setChild(level, path[last], types[last], cell);
  root.size++;
  return true;
}

/** Whether a raw value can be a cache key (primitives compared by value). */
export function isCacheKey(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
