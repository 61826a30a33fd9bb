// The five default tags, normalised once per view so each measurement only merges cached objects.
import { DEFAULT_TAG_KEYS, type DefaultTagKey } from '../catalog/spec.js';
import { DEFAULT_TAGS, type DefaultTags } from '../generated/catalog.js';
import { CodexMetricsError } from './errors.js';
import type { DropLog } from './drop-log.js';
import { foldSessionSource } from './session-source.js';
import { displayName, formatValue, ownString } from './values.js';

export type NormalizedDefaults = Readonly<Record<DefaultTagKey, string>>;

const KNOWN = new Set<string>(DEFAULT_TAG_KEYS);

/**
 * Merges `overrides` over `base`; missing tags become `unknown`, bad ones are sanitized like the Rust
 * emitter's metadata. `foldSessionSource`: a `session_source` with a thread id in it becomes
 * `subagent_thread_spawn` (session-source.ts).
 */
export function normalizeDefaults(
  overrides: DefaultTags | undefined,
  base: NormalizedDefaults | undefined,
  strict: boolean,
  log: DropLog,
  foldSessionSourceIds = true,
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
      if (strict) throw new CodexMetricsError('unknown_field', 'defaults', key, `not a default tag (${DEFAULT_TAG_KEYS.join(', ')})`);
      log.repair('unknown_field', `defaults field ${displayName(key)} is not a default tag; ignored`);
    }
  }
  for (const key of DEFAULT_TAG_KEYS) {
    const raw: unknown = overrides && Object.hasOwn(overrides, key) ? (overrides as Record<string, unknown>)[key] : undefined;
    if (raw === undefined || raw === null) {
      out[key] = base?.[key] ?? 'unknown';
      continue;
    }
    // The same rules as field values (docs/attributes.md types the default tags too).
    const formatted = formatValue(DEFAULT_TAGS[key], raw);
    if (formatted.problem) {
      if (strict) throw new CodexMetricsError(formatted.problem, 'defaults', key, formatted.reason!);
      log.repair(formatted.problem, `default tag ${displayName(key)}: ${formatted.reason}; sanitized`);
    }
    out[key] = key === 'session_source' && foldSessionSourceIds ? foldSessionSource(ownString(formatted.value)) : ownString(formatted.value);
  }
  return Object.freeze(out);
}

export function defaultsKey(d: NormalizedDefaults): string {
  return DEFAULT_TAG_KEYS.map((k) => d[k]).join('\u0000');
}
