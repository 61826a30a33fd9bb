// The five default tags, normalised once per view so each measurement only merges cached objects.
import { DEFAULT_TAG_KEYS, type DefaultTagKey } from '../catalog/spec.js';
import { DEFAULT_TAGS, type DefaultTags } from '../generated/catalog.js';
import { CodexMetricsError } from './errors.js';
import type { DropLog } from './drop-log.js';
import { displayName, isValidValue, sanitizeValue } from './values.js';

export type NormalizedDefaults = Readonly<Record<DefaultTagKey, string>>;

const KNOWN = new Set<string>(DEFAULT_TAG_KEYS);

/** Merges `overrides` over `base`; missing tags become `unknown`, bad ones are sanitized like the Rust emitter's metadata. */
export function normalizeDefaults(
  overrides: DefaultTags | undefined,
  base: NormalizedDefaults | undefined,
  strict: boolean,
  log: DropLog,
): NormalizedDefaults {
  const out = {} as Record<DefaultTagKey, string>;
  if (overrides !== undefined && (overrides === null || typeof overrides !== 'object')) {
    if (strict) throw new CodexMetricsError('invalid_option', 'defaults', undefined, 'defaults must be an object');
    log.repair('invalid_option', 'defaults is not an object; ignored');
    overrides = undefined;
  }
  if (overrides) {
    for (const key of Object.keys(overrides)) {
      if (KNOWN.has(key)) continue;
      const shown = displayName(key);
      if (strict) throw new CodexMetricsError('unknown_field', 'defaults', shown, `not a default tag (${DEFAULT_TAG_KEYS.join(', ')})`);
      log.repair('unknown_field', `defaults field ${shown.startsWith('"') ? shown : `"${shown}"`} is not a default tag; ignored`);
    }
  }
  for (const key of DEFAULT_TAG_KEYS) {
    const raw: unknown = overrides && Object.hasOwn(overrides, key) ? (overrides as Record<string, unknown>)[key] : undefined;
    if (raw === undefined || raw === null) {
      out[key] = base?.[key] ?? 'unknown';
      continue;
    }
    const text = typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
    const allowed = DEFAULT_TAGS[key].values;
    if (isValidValue(text) && (!allowed || allowed.includes(text))) {
      out[key] = text;
      continue;
    }
    const reason = !isValidValue(text) ? 'must be 1-256 characters of [A-Za-z0-9._/-]' : `not one of ${allowed!.join(' | ')}`;
    if (strict) throw new CodexMetricsError(isValidValue(text) ? 'value_not_allowed' : 'invalid_value', 'defaults', key, reason);
    log.repair('invalid_value', `default tag "${key}" ${reason}; sanitized`);
    out[key] = sanitizeValue(text);
  }
  return Object.freeze(out);
}

export function defaultsKey(d: NormalizedDefaults): string {
  return DEFAULT_TAG_KEYS.map((k) => d[k]).join('\u0000');
}
