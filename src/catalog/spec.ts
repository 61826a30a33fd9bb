// The one shape everything downstream shares. Nothing after src/catalog/ re-reads Markdown.

export type MetricKind = 'counter' | 'histogram';
export type FieldType = 'string' | 'boolean' | 'int';
/**
 * Which default tags the Codex CLI attaches: `session` all five, `originator` only that one,
 * `none` none (metrics its global client records outside a session).
 */
export type TagScope = 'session' | 'originator' | 'none';
export const TAG_SCOPES: readonly TagScope[] = ['session', 'originator', 'none'];

/** Named explicit bucket boundaries of a histogram (docs/metrics.md "Histogram buckets"). */
export interface BucketSpec {
  readonly name: string;
  /** Exactly what the Codex CLI sends. */
  readonly boundaries: readonly number[];
  /** The package's `histogramBuckets: 'wide'` alternative (the same array when the docs give none). */
  readonly wide: readonly number[];
  readonly description: string;
}

/** A metric the upstream tables document but the Codex CLI no longer sends. */
export interface RetiredMetric {
  readonly name: string;
  readonly kind: MetricKind;
  readonly status: string;
  /** Registry name that replaces it, when renamed. */
  readonly replacement?: string;
}

/**
 * The Codex versions that send a metric, field or value, from the covered versions' real exports
 * (docs/metrics.md "Codex versions"). `absentThrough`/`absentFrom` are the covered versions just
 * outside the range, which did not send it: versions up to the first and from the second do not.
 */
export interface VersionRange {
  /** First covered version whose export showed it. */
  readonly since: string;
  /** Last covered version that showed it, when a newer covered version no longer does. */
  readonly until?: string;
  readonly absentThrough?: string;
  readonly absentFrom?: string;
}

/** How one field of one metric is typed (after scoped rows of docs/attributes.md are applied). */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Closed set of allowed string values; for `int` fields the extra string spellings (e.g. `none`). */
  readonly values?: readonly string[];
  readonly description: string;
  /** Codex versions that send this field on this metric, when narrower than the metric's. */
  readonly versions?: VersionRange;
  /** Codex versions that send a value, for values that some covered versions do not send. */
  readonly valueVersions?: Readonly<Record<string, VersionRange>>;
}

export interface MetricSpec {
  /** Catalog name without the `codex.` prefix, e.g. `api_request.duration_ms`. */
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM-style unit: `ms` where Codex sends it, else `1` or an annotation such as `{token}`. */
  readonly unit: string;
  /** Histograms only: the bucket boundaries (Codex's and the wide alternative). */
  readonly buckets?: BucketSpec;
  /** Default tags the Codex CLI attaches to it. */
  readonly tags: TagScope;
  /** Codex CLI versions whose exports show the metric; absent when the offline scenarios never showed it. */
  readonly versions?: VersionRange;
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

/** The default tags the Codex CLI attaches to a metric of this scope (what `verify` requires). */
export function defaultTagsOf(scope: TagScope): readonly DefaultTagKey[] {
  return scope === 'session' ? DEFAULT_TAG_KEYS : scope === 'originator' ? ['originator'] : [];
}

/** Prefix the Codex emitters put in front of every catalog name. */
export const DEFAULT_PREFIX = 'codex.';

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
