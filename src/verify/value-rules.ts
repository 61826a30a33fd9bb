// Attribute value rules: those the Codex Rust emitter enforces on tags, plus the catalog's types.
import { isWireInt, MAX_VALUE_LENGTH, VALUE_PATTERN, type FieldSpec } from '../catalog/spec.js';
import type { AttributeValue } from './points.js';


/**
 * Why `value` is not a valid wire value for `field`, or undefined when it is. The answer names the
 * rule broken and the length, never the value: reports end up in CI logs and values may be secrets.
 * Closed-set members are listed; they come from the docs, not the wire.
 */
export function valueProblem(value: AttributeValue, field: FieldSpec): string | undefined {
  // The emitter sends every tag as a string, booleans and numbers included.
  if (typeof value !== 'string') return `is not a string (${wireType(value)})`;
  if (value.length === 0) return 'is empty';
  if (value.length > MAX_VALUE_LENGTH) return `is longer than ${MAX_VALUE_LENGTH} (${value.length} chars)`;
  const size = `(${value.length} chars)`;
  if (!VALUE_PATTERN.test(value)) return `has characters outside [A-Za-z0-9._/-] ${size}`;
  const allowed = field.values ?? [];
  switch (field.type) {
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : `is not true/false ${size}`;
    case 'int':
      if (isWireInt(value) || allowed.includes(value)) return undefined;
      return `is not a decimal integer${allowed.length ? ` nor one of ${allowed.join(' | ')}` : ''} ${size}`;
    case 'string':
      if (allowed.length === 0 || allowed.includes(value)) return undefined;
      return `is not one of ${allowed.join(' | ')} ${size}`;
  }
}

/** The kind of a non-string value, without the value itself. */
function wireType(value: Exclude<AttributeValue, string>): string {
  if (value === null) return 'no value';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'key-value list';
  // int64 and double both arrive as numbers; an integral double is indistinguishable from an int.
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  return 'bool';
}
