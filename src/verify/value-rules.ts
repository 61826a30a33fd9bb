// Attribute value rules: those the Codex Rust emitter enforces on tags, plus the catalog's types.
import type { FieldSpec } from '../catalog/spec.js';
import type { AttributeValue } from './points.js';

export const MAX_VALUE_LENGTH = 256;
const TAG_VALUE = /^[A-Za-z0-9._/-]+$/;
const DECIMAL = /^-?[0-9]+$/;

/** Why `value` is not a valid wire value for `field`, or undefined when it is. */
export function valueProblem(value: AttributeValue, field: FieldSpec): string | undefined {
  // The emitter sends every tag as a string, booleans and numbers included.
  if (typeof value !== 'string') return `must be a string, got ${describe(value)}`;
  if (value.length === 0) return 'must not be empty';
  if (value.length > MAX_VALUE_LENGTH) return `is ${value.length} characters long, more than ${MAX_VALUE_LENGTH}`;
  if (!TAG_VALUE.test(value)) return `${JSON.stringify(value)} has characters outside [A-Za-z0-9._/-]`;
  const allowed = field.values ?? [];
  switch (field.type) {
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : `${JSON.stringify(value)} is not true or false`;
    case 'int':
      if (DECIMAL.test(value) || allowed.includes(value)) return undefined;
      return `${JSON.stringify(value)} is not a decimal integer${allowed.length ? ` or one of ${allowed.join(', ')}` : ''}`;
    case 'string':
      if (allowed.length === 0 || allowed.includes(value)) return undefined;
      return `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`;
  }
}

function describe(value: AttributeValue): string {
  if (value === null) return 'an empty value';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a key-value list';
  return `${typeof value} ${String(value)}`;
}
