// Per-request bounds on what one OTLP export may make the receiver build. The byte cap (8 MiB, also
// after gzip) does not bound memory: an empty data point is 2 bytes on the wire but ~1 KB once
// protobufjs, toObject and the flattening have each built their copy. The decoders count against a
// RequestBudget on the raw bytes (protobuf) or text (JSON) and stop at the first limit, before
// anything is materialised.

export interface RequestLimits {
  /** Data points of every kind (number, histogram, exponential histogram, summary). */
  readonly maxPointsPerRequest: number;
  /**
   * Attributes: key-value pairs anywhere (resource, scope, metric metadata, data points, exemplars,
   * key-value list values) plus the elements of array values.
   */
  readonly maxAttributesPerRequest: number;
  /**
   * Decoded objects of every kind: protobuf messages (JSON objects and arrays), plus the elements of
   * 64-bit integer lists such as bucket counts, each of which protobufjs represents as an object.
   */
  readonly maxObjectsPerRequest: number;
  /** Arrays and key-value lists nested inside one attribute value (a plain string value is depth 0). */
  readonly maxNestingDepth: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxPointsPerRequest: 200_000,
  maxAttributesPerRequest: 500_000,
  maxObjectsPerRequest: 1_000_000,
  maxNestingDepth: 16,
};

export type RequestLimit = keyof RequestLimits;

/** A request over one of the limits; the receiver answers `status` (413 for counts, 400 for nesting). */
export class RequestLimitError extends Error {
  override readonly name = 'RequestLimitError';
  constructor(
    readonly limit: RequestLimit,
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

const WHAT: Record<RequestLimit, string> = {
  maxPointsPerRequest: 'data points',
  maxAttributesPerRequest: 'attributes',
  maxObjectsPerRequest: 'decoded objects',
  maxNestingDepth: 'nesting levels in one attribute value',
};

/** Running counts for one request; each call throws RequestLimitError once its limit is passed. */
export class RequestBudget {
  private points = 0;
  private attributes = 0;
  private objects = 0;

  constructor(readonly limits: RequestLimits) {}

  point(): void {
    if (++this.points > this.limits.maxPointsPerRequest) throw exceeded(this.limits, 'maxPointsPerRequest');
  }

  attribute(): void {
    if (++this.attributes > this.limits.maxAttributesPerRequest) throw exceeded(this.limits, 'maxAttributesPerRequest');
  }

  object(): void {
    if (++this.objects > this.limits.maxObjectsPerRequest) throw exceeded(this.limits, 'maxObjectsPerRequest');
  }

  /** `depth` is the nesting level about to be entered. */
  nesting(depth: number): void {
    if (depth > this.limits.maxNestingDepth) throw exceeded(this.limits, 'maxNestingDepth');
  }
}

function exceeded(limits: RequestLimits, limit: RequestLimit): RequestLimitError {
  const status = limit === 'maxNestingDepth' ? 400 : 413;
  return new RequestLimitError(limit, status, `the request has more than ${limits[limit]} ${WHAT[limit]} (limit ${limit})`);
}

export function resolveRequestLimits(overrides: Partial<RequestLimits> = {}): RequestLimits {
  const limits = { ...DEFAULT_REQUEST_LIMITS };
  for (const key of Object.keys(DEFAULT_REQUEST_LIMITS) as RequestLimit[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
    limits[key] = value;
  }
  return limits;
}
