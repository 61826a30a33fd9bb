// The one shape everything downstream shares. Nothing after src/catalog/ re-reads Markdown.

export type MetricKind = 'counter' | 'histogram';
export type FieldType = 'string' | 'boolean' | 'int';

/** How one field of one metric is typed (after scoped rows of docs/attributes.md are applied). */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Closed set of allowed string values; for `int` fields the extra string spellings (e.g. `none`). */
  readonly values?: readonly string[];
  readonly description: string;
}

export interface MetricSpec {
  /** Catalog name without the `codex.` prefix, e.g. `api_request.duration_ms`. */
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM-style unit: `ms`, `{token}`, `{call}`, `{skill}`, `1`. */
  readonly unit: string;
  readonly description: string;
  /** Section heading of docs/metrics.md the metric is documented under. */
  readonly section: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** Types of every field in required + optional. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

/** The five default tags attached to every data point. */
export const DEFAULT_TAG_KEYS = ['auth_mode', 'originator', 'session_source', 'model', 'app.version'] as const;
export type DefaultTagKey = (typeof DEFAULT_TAG_KEYS)[number];

/** Prefix the Codex emitters put in front of every catalog name. */
export const DEFAULT_PREFIX = 'codex.';

/** Sections in documentation order. */
export const SECTIONS = [
  'Runtime and model transport',
  'Turn and tool activity',
  'Threads, tasks, and features',
  'Memory and local state',
  'Windows sandbox',
] as const;

/**
 * Attribute values on the wire, as the Codex Rust emitter validates tags: non-empty, these
 * characters, bounded. Shared by the docs parser, the runtime and the conformance checker.
 */
export const VALUE_PATTERN = /^[A-Za-z0-9._/-]+$/;
export const MAX_VALUE_LENGTH = 256;

/** Wire spelling of an int field: a safe integer in canonical decimal, as `String(n)` writes it. */
export function isWireInt(text: string): boolean {
  return /^(0|-?[1-9][0-9]*)$/.test(text) && Number.isSafeInteger(Number(text));
}
