// Flattens decoded OTLP requests into one record per data point, the unit the checker works on.
import { boundText } from './bounded-text.js';
import { AGGREGATION_TEMPORALITY } from './otlp-types.js';
import type {
  OtlpAnyValue,
  OtlpKeyValue,
  OtlpMetric,
  OtlpMetricsRequest,
  OtlpNumberDataPoint,
} from './otlp-types.js';

/**
 * Attribute value as sent. Codex sends strings only; other types are kept so the checker can flag
 * them. int64 values become numbers (precision beyond 2^53 is lost), bytes stay a Uint8Array.
 */
export type AttributeValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

/** `counter` is a monotonic Sum, `updowncounter` a non-monotonic one. */
export type PointKind = 'counter' | 'updowncounter' | 'gauge' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'cumulative' | 'delta' | 'unspecified';

export interface ReceivedPoint {
  /**
   * Wire name, prefix included (e.g. `codex.api_request`). Name, description and unit longer than
   * 256 characters are cut, with a `…[N chars]` marker (so a cut name never matches the registry).
   */
  readonly metric: string;
  readonly description: string;
  readonly unit: string;
  readonly kind: PointKind;
  /** Gauges and summaries have no temporality: `unspecified`. */
  readonly temporality: Temporality;
  /** Only for sums. */
  readonly monotonic?: boolean;
  readonly attributes: Attributes;
  /** Sum and gauge value; `as_int` values are converted to number. */
  readonly value?: number;
  readonly valueType?: 'int' | 'double';
  /** Histograms, exponential histograms and summaries. */
  readonly count?: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
  /** Explicit-bucket histograms only. */
  readonly bucketCounts?: readonly number[];
  readonly explicitBounds?: readonly number[];
  /** Nanoseconds since the epoch as a decimal string (too large for a double); `'0'` when unset. */
  readonly startTimeUnixNano: string;
  readonly timeUnixNano: string;
  readonly flags?: number;
  readonly resource: Attributes;
  readonly scopeName: string;
  readonly scopeVersion?: string;
  /** Content type of the request that carried the point, without parameters. */
  readonly contentType: string;
  /** Index of that request in the receiver's request log. */
  readonly requestIndex: number;
}

export interface RequestContext {
  readonly contentType: string;
  readonly requestIndex: number;
}

export function flattenRequest(request: OtlpMetricsRequest, context: RequestContext): ReceivedPoint[] {
  // Points are pushed one by one: spreading a metric's points into push() overflows the call stack
  // past ~125k arguments.
  const points: ReceivedPoint[] = [];
  for (const resourceMetrics of request.resourceMetrics ?? []) {
    const resource = toAttributes(resourceMetrics.resource?.attributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = scopeMetrics.scope;
      const common = {
        resource,
        scopeName: scope?.name ?? '',
        ...(scope?.version ? { scopeVersion: scope.version } : {}),
        ...context,
      };
      for (const metric of scopeMetrics.metrics ?? []) flattenMetric(metric, common, points);
    }
  }
  return points;
}

type PointCommon = Pick<ReceivedPoint, 'resource' | 'scopeName' | 'scopeVersion' | 'contentType' | 'requestIndex'>;
type MutablePoint = { -readonly [K in keyof ReceivedPoint]: ReceivedPoint[K] };
type MetricShape = Pick<ReceivedPoint, 'metric' | 'description' | 'unit' | 'kind' | 'temporality' | 'monotonic'>;

/**
 * Appends the points of one metric to `out`. Each point is built as one object (no spreads of
 * intermediate objects): a request may carry 200,000 points, and garbage is most of the cost.
 */
function flattenMetric(metric: OtlpMetric, common: PointCommon, out: ReceivedPoint[]): void {
  const names = {
    metric: boundText(metric.name ?? ''),
    description: boundText(metric.description ?? ''),
    unit: boundText(metric.unit ?? ''),
  };
  if (metric.sum) {
    const monotonic = metric.sum.isMonotonic === true;
    const shape: MetricShape = { ...names, kind: monotonic ? 'counter' : 'updowncounter', temporality: temporality(metric.sum.aggregationTemporality), monotonic };
    for (const dp of metric.sum.dataPoints ?? []) out.push(numberPoint(newPoint(shape, dp, common), dp));
  } else if (metric.gauge) {
    const shape: MetricShape = { ...names, kind: 'gauge', temporality: 'unspecified' };
    for (const dp of metric.gauge.dataPoints ?? []) out.push(numberPoint(newPoint(shape, dp, common), dp));
  } else if (metric.histogram) {
    const shape: MetricShape = { ...names, kind: 'histogram', temporality: temporality(metric.histogram.aggregationTemporality) };
    for (const dp of metric.histogram.dataPoints ?? []) {
      const point = statistics(newPoint(shape, dp, common), dp);
      point.bucketCounts = (dp.bucketCounts ?? []).map(Number);
      point.explicitBounds = dp.explicitBounds ?? [];
      out.push(point);
    }
  } else if (metric.exponentialHistogram) {
    const histogram = metric.exponentialHistogram;
    const shape: MetricShape = { ...names, kind: 'exponential_histogram', temporality: temporality(histogram.aggregationTemporality) };
    for (const dp of histogram.dataPoints ?? []) out.push(statistics(newPoint(shape, dp, common), dp));
  } else if (metric.summary) {
    const shape: MetricShape = { ...names, kind: 'summary', temporality: 'unspecified' };
    for (const dp of metric.summary.dataPoints ?? []) {
      const point = statistics(newPoint(shape, dp, common), dp);
      point.sum ??= 0;
      out.push(point);
    }
  }
  // A metric with no data oneof set carries no points.
}

interface PointFields {
  attributes?: OtlpKeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  flags?: number;
}

function newPoint(shape: MetricShape, dp: PointFields, common: PointCommon): MutablePoint {
  const point: MutablePoint = {
    metric: shape.metric,
    description: shape.description,
    unit: shape.unit,
    kind: shape.kind,
    temporality: shape.temporality,
    attributes: toAttributes(dp.attributes),
    startTimeUnixNano: dp.startTimeUnixNano ?? '0',
    timeUnixNano: dp.timeUnixNano ?? '0',
    resource: common.resource,
    scopeName: common.scopeName,
    contentType: common.contentType,
    requestIndex: common.requestIndex,
  };
  if (shape.monotonic !== undefined) point.monotonic = shape.monotonic;
  if (common.scopeVersion !== undefined) point.scopeVersion = common.scopeVersion;
  if (dp.flags !== undefined) point.flags = dp.flags;
  return point;
}

function numberPoint(point: MutablePoint, dp: OtlpNumberDataPoint): MutablePoint {
  if (dp.asInt !== undefined) {
    point.value = Number(dp.asInt);
    point.valueType = 'int';
  } else {
    point.value = dp.asDouble ?? 0;
    point.valueType = 'double';
  }
  return point;
}

/** Count, and sum/min/max when present, of histograms and summaries. */
function statistics(point: MutablePoint, dp: { count?: string; sum?: number; min?: number; max?: number }): MutablePoint {
  point.count = Number(dp.count ?? 0);
  if (dp.sum !== undefined) point.sum = dp.sum;
  if (dp.min !== undefined) point.min = dp.min;
  if (dp.max !== undefined) point.max = dp.max;
  return point;
}

function temporality(value: number | undefined): Temporality {
  if (value === AGGREGATION_TEMPORALITY.CUMULATIVE) return 'cumulative';
  if (value === AGGREGATION_TEMPORALITY.DELTA) return 'delta';
  return 'unspecified';
}

/**
 * A null-prototype object: keys come off the wire, so `__proto__` must be an ordinary key (not a
 * prototype swap) and `toString` & co. must not look present when absent.
 */
export function toAttributes(keyValues: readonly OtlpKeyValue[] | undefined): Attributes {
  // Most points of a hostile request have none: they share one frozen empty object.
  if (!keyValues || keyValues.length === 0) return NO_ATTRIBUTES;
  const out: Attributes = Object.create(null);
  for (const kv of keyValues ?? []) out[kv.key ?? ''] = anyValue(kv.value);
  return out;
}

const NO_ATTRIBUTES: Attributes = Object.freeze(Object.create(null));

function anyValue(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return toAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return new Uint8Array(Buffer.from(value.bytesValue, 'base64'));
  return null;
}
