// The fast path's lookup: from the raw fields object a caller passes to the cell of its series,
// without validating, formatting or merging again. One tree per view and metric, one level per
// documented field (catalog order), keyed by the raw value (`200`, `true`, `'none'`); the last
// level holds the cell. A level is a Map, or for a boolean field two slots for `true` and `false`
// (a Map only for the string spellings). Only clean inputs are cached (a repaired one must be
// counted every time).
//
// The lookup of each metric is compiled from its field names (`f["status"]`, `f["success"]`): a
// property read with a constant name is cached by V8 per metric, where a loop over the names is a
// megamorphic lookup per field and makes the prototype check a call, which dominated the fast
// path's cost. Where code generation is disabled, an equivalent loop is used.
import type { Cell } from './metric-series.js';

/** A level of a boolean field. */
interface BooleanLevel {
  t: unknown;
  f: unknown;
  other: Map<unknown, unknown> | undefined;
}
type Level = Map<unknown, unknown> | BooleanLevel;

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

/**
 * The lookup for a metric whose documented fields are `keys` (catalog order); `booleans[i]` says
 * whether field i is a boolean.
 */
export function compileFind(keys: readonly string[], booleans: readonly boolean[]): FindCell {
  if (keys.every((k) => SAFE_KEY.test(k))) {
    try {
      return new Function('getPrototypeOf', 'OBJECT', findSource(keys, booleans))(Object.getPrototypeOf, Object.prototype) as FindCell;
    } catch {
      // Code generation from strings disallowed (--disallow-code-generation-from-strings, CSP).
    }
  }
  return findByLoop(keys, booleans);
}

/**
 * The source of a compiled lookup. Only plain objects (prototype Object.prototype or null) match,
 * and only when every own enumerable key is one of `keys` with a value: anything else (an extra or
 * inherited field, `undefined` values, a class instance) goes to the slow path, which decides.
 */
function findSource(keys: readonly string[], booleans: readonly boolean[]): string {
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
    lines.push(
      booleans[i]
        ? `  node = ${x} === true ? node.t : ${x} === false ? node.f : node.other === undefined ? undefined : node.other.get(${x});`
        : `  node = node.get(${x});`,
      '  if (node === undefined) return undefined;',
    );
  }
  lines.push('  return node;', '};');
  return lines.join('\n');
}

/** The same lookup as a loop over the names (no code generation). */
function findByLoop(keys: readonly string[], booleans: readonly boolean[]): FindCell {
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
      node = child(node as Level, value, booleans[i]);
    }
    let own = 0;
    for (const _ in record) own++;
    if (own !== present) return undefined;
    return keys.length === 0 ? root.cell : (node as Cell | undefined);
  };
}

function child(level: Level, value: unknown, boolean: boolean): unknown {
  if (!boolean) return (level as Map<unknown, unknown>).get(value);
  const b = level as BooleanLevel;
  return value === true ? b.t : value === false ? b.f : b.other?.get(value);
}

function setChild(level: Level, value: unknown, boolean: boolean, next: unknown): void {
  if (!boolean) {
    (level as Map<unknown, unknown>).set(value, next);
    return;
  }
  const b = level as BooleanLevel;
  if (value === true) b.t = next;
  else if (value === false) b.f = next;
  else (b.other ??= new Map()).set(value, next);
}

const newLevel = (boolean: boolean): Level => (boolean ? { t: undefined, f: undefined, other: undefined } : new Map());

/** Caches `cell` under `path` (raw values in catalog key order). Returns false if it was there already. */
export function insert(root: CacheRoot, path: readonly unknown[], booleans: readonly boolean[], cell: Cell): boolean {
  if (path.length === 0) {
    if (root.cell !== undefined) return false;
    root.cell = cell;
    root.size++;
    return true;
  }
  let level = (root.next ??= newLevel(booleans[0]));
  for (let i = 0; i < path.length - 1; i++) {
    let next = child(level, path[i], booleans[i]) as Level | undefined;
    if (next === undefined) setChild(level, path[i], booleans[i], (next = newLevel(booleans[i + 1])));
    level = next;
  }
  const last = path.length - 1;
  if (child(level, path[last], booleans[last]) !== undefined) return false;
  setChild(level, path[last], booleans[last], cell);
  root.size++;
  return true;
}

/** Whether a raw value can be a cache key (primitives compared by value). */
export function isCacheKey(value: unknown): boolean {
  return value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
