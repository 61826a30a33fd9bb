// Attribute value rules of the Codex Rust emitter: every value is a non-empty string of
// [A-Za-z0-9._/-]; booleans are spelled true/false and ints in decimal.
import { isWireInt, MAX_VALUE_LENGTH, VALUE_PATTERN, type FieldSpec } from '../catalog/spec.js';
import { VALUE_ALIASES } from '../generated/catalog.js';

const INVALID_CHARS = /[^A-Za-z0-9._/-]/g;
export const METRIC_NAME = /^[A-Za-z0-9._-]+$/;

function isValidValue(value: string): boolean {
  return value.length > 0 && value.length <= MAX_VALUE_LENGTH && VALUE_PATTERN.test(value);
}

/** The Rust emitter's metadata sanitizer: bad characters -> `_`, bounded, `unknown` when empty. */
export function sanitizeValue(value: string): string {
  const clean = value.slice(0, MAX_VALUE_LENGTH * 4).trim().replace(INVALID_CHARS, '_').slice(0, MAX_VALUE_LENGTH);
  return clean === '' ? 'unknown' : clean;
}

export type Problem = 'wrong_type' | 'invalid_value' | 'value_not_allowed';

export interface Formatted {
  /** Wire spelling; sanitized when `problem` is set. */
  readonly value: string;
  readonly problem?: Problem;
  readonly reason?: string;
}

/** Formats one field value as its wire string, reporting (not throwing) what is wrong with it. */
export function formatValue(spec: FieldSpec, raw: unknown): Formatted {
  switch (spec.type) {
    case 'boolean':
      if (raw === true || raw === false) return { value: raw ? 'true' : 'false' };
      if (raw === 'true' || raw === 'false') return { value: raw };
      return { value: sanitizeValue(printable(raw)), problem: 'wrong_type', reason: `expected a boolean, got ${kindOf(raw)}` };
    case 'int':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { value: String(raw) };
      if (typeof raw === 'string' && spec.values?.includes(raw)) return { value: raw };
      // Decimal strings are accepted and written canonically ('007' -> '7'), as a number would be.
      if (typeof raw === 'string' && /^-?[0-9]+$/.test(raw) && isWireInt(String(Number(raw)))) return { value: String(Number(raw)) };
      return {
        value: sanitizeValue(printable(raw)),
        problem: 'wrong_type',
        reason: `expected an integer${spec.values ? ` or ${spec.values.join(' | ')}` : ''}, got ${kindOf(raw)}`,
      };
    case 'string': {
      if (typeof raw !== 'string') {
        return { value: sanitizeValue(printable(raw)), problem: 'wrong_type', reason: `expected a string, got ${kindOf(raw)}` };
      }
      if (!isValidValue(raw)) {
        const reason = raw.length > MAX_VALUE_LENGTH ? `longer than ${MAX_VALUE_LENGTH} characters` : raw === '' ? 'empty' : 'characters outside [A-Za-z0-9._/-]';
        return { value: sanitizeValue(raw), problem: 'invalid_value', reason };
      }
      if (spec.values && !spec.values.includes(raw)) {
        // Documented aliases (auth_mode `api` -> `ApiKey`) are sent in the Codex CLI's spelling.
        const canonical = Object.hasOwn(VALUE_ALIASES, spec.name) && Object.hasOwn(VALUE_ALIASES[spec.name], raw) ? VALUE_ALIASES[spec.name][raw] : undefined;
        if (canonical !== undefined) return { value: canonical };
        return { value: raw, problem: 'value_not_allowed', reason: `not one of ${spec.values.join(' | ')}` };
      }
      return { value: raw };
    }
  }
}

function kindOf(raw: unknown): string {
  if (raw === null) return 'null';
  if (Array.isArray(raw)) return 'an array';
  if (typeof raw === 'number' && !Number.isFinite(raw)) return String(raw);
  if (typeof raw === 'number' && !Number.isSafeInteger(raw)) return 'a non-integer number';
  return `a ${typeof raw}`;
}

function printable(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return String(raw);
  return '';
}

/**
 * A copy of `value` that keeps nothing else alive. V8 represents `big.slice(0, 256)` (and other
 * substrings of 13+ characters) as a view into `big`: a value cut from a 1 MB string would pin the
 * whole megabyte for as long as its series lives. Concatenating and slicing again forces a flat
 * copy one character longer than the value, which is all the result refers to.
 */
export function ownString(value: string): string {
  return value.length < 13 ? value : (' ' + value).slice(1);
}

/** Field names are caller input too: quoted, bounded and escaped, so they cannot flood or forge log lines. */
export function displayName(key: string): string {
  return `${JSON.stringify(key.slice(0, 64))}${key.length > 64 ? '…' : ''}`;
}
