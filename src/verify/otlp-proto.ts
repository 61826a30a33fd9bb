// OTLP metrics messages (opentelemetry-proto v1) declared with protobufjs reflection, since no npm
// package ships the .proto files. Only the wire layout matters here: field numbers and types.
import { Enum, Field, OneOf, Reader, Root, Type, types } from 'protobufjs';
import type { OtlpMetricsRequest } from './otlp-types.js';
import { RequestBudget, RequestLimitError } from './request-limits.js';

type FieldDef = readonly [name: string, id: number, type: string, rule?: 'repeated'];

function message(name: string, fields: readonly FieldDef[], oneofs: Record<string, string[]> = {}): Type {
  const type = new Type(name);
  for (const [fieldName, id, fieldType, rule] of fields) type.add(new Field(fieldName, id, fieldType, rule));
  for (const [oneofName, members] of Object.entries(oneofs)) type.add(new OneOf(oneofName, members));
  return type;
}

function buildRoot(): Root {
  const root = new Root();
  const types = [
    // opentelemetry/proto/common/v1/common.proto
    message(
      'AnyValue',
      [
        ['stringValue', 1, 'string'],
        ['boolValue', 2, 'bool'],
        ['intValue', 3, 'int64'],
        ['doubleValue', 4, 'double'],
        ['arrayValue', 5, 'ArrayValue'],
        ['kvlistValue', 6, 'KeyValueList'],
        ['bytesValue', 7, 'bytes'],
      ],
      { value: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] },
    ),
    message('ArrayValue', [['values', 1, 'AnyValue', 'repeated']]),
    message('KeyValueList', [['values', 1, 'KeyValue', 'repeated']]),
    message('KeyValue', [
      ['key', 1, 'string'],
      ['value', 2, 'AnyValue'],
    ]),
    message('InstrumentationScope', [
      ['name', 1, 'string'],
      ['version', 2, 'string'],
      ['attributes', 3, 'KeyValue', 'repeated'],
      ['droppedAttributesCount', 4, 'uint32'],
    ]),
    // opentelemetry/proto/resource/v1/resource.proto
    message('Resource', [
      ['attributes', 1, 'KeyValue', 'repeated'],
      ['droppedAttributesCount', 2, 'uint32'],
    ]),
    // opentelemetry/proto/metrics/v1/metrics.proto
    message('ResourceMetrics', [
      ['resource', 1, 'Resource'],
      ['scopeMetrics', 2, 'ScopeMetrics', 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
    message('ScopeMetrics', [
      ['scope', 1, 'InstrumentationScope'],
      ['metrics', 2, 'Metric', 'repeated'],
      ['schemaUrl', 3, 'string'],
    ]),
    message(
      'Metric',
      [
        ['name', 1, 'string'],
        ['description', 2, 'string'],
        ['unit', 3, 'string'],
        ['gauge', 5, 'Gauge'],
        ['sum', 7, 'Sum'],
        ['histogram', 9, 'Histogram'],
        ['exponentialHistogram', 10, 'ExponentialHistogram'],
        ['summary', 11, 'Summary'],
        ['metadata', 12, 'KeyValue', 'repeated'],
      ],
      { data: ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] },
    ),
    message('Gauge', [['dataPoints', 1, 'NumberDataPoint', 'repeated']]),
    message('Sum', [
      ['dataPoints', 1, 'NumberDataPoint', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
      ['isMonotonic', 3, 'bool'],
    ]),
    message('Histogram', [
      ['dataPoints', 1, 'HistogramDataPoint', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
    ]),
    message('ExponentialHistogram', [
      ['dataPoints', 1, 'ExponentialHistogramDataPoint', 'repeated'],
      ['aggregationTemporality', 2, 'AggregationTemporality'],
    ]),
    message('Summary', [['dataPoints', 1, 'SummaryDataPoint', 'repeated']]),
    message(
      'NumberDataPoint',
      [
        ['attributes', 7, 'KeyValue', 'repeated'],
        ['startTimeUnixNano', 2, 'fixed64'],
        ['timeUnixNano', 3, 'fixed64'],
        ['asDouble', 4, 'double'],
        ['asInt', 6, 'sfixed64'],
        ['exemplars', 5, 'Exemplar', 'repeated'],
        ['flags', 8, 'uint32'],
      ],
      { value: ['asDouble', 'asInt'] },
    ),
    // sum, min and max are proto3 `optional`: protobufjs keeps presence as an own property.
    message('HistogramDataPoint', [
      ['attributes', 9, 'KeyValue', 'repeated'],
      ['startTimeUnixNano', 2, 'fixed64'],
      ['timeUnixNano', 3, 'fixed64'],
      ['count', 4, 'fixed64'],
      ['sum', 5, 'double'],
      ['bucketCounts', 6, 'fixed64', 'repeated'],
      ['explicitBounds', 7, 'double', 'repeated'],
      ['exemplars', 8, 'Exemplar', 'repeated'],
      ['flags', 10, 'uint32'],
      ['min', 11, 'double'],
      ['max', 12, 'double'],
    ]),
    message('Buckets', [
      ['offset', 1, 'sint32'],
      ['bucketCounts', 2, 'uint64', 'repeated'],
    ]),
    message('ExponentialHistogramDataPoint', [
      ['attributes', 1, 'KeyValue', 'repeated'],
      ['startTimeUnixNano', 2, 'fixed64'],
      ['timeUnixNano', 3, 'fixed64'],
      ['count', 4, 'fixed64'],
      ['sum', 5, 'double'],
      ['scale', 6, 'sint32'],
      ['zeroCount', 7, 'fixed64'],
      ['positive', 8, 'Buckets'],
      ['negative', 9, 'Buckets'],
      ['flags', 10, 'uint32'],
      ['exemplars', 11, 'Exemplar', 'repeated'],
      ['min', 12, 'double'],
      ['max', 13, 'double'],
      ['zeroThreshold', 14, 'double'],
    ]),
    message('ValueAtQuantile', [
      ['quantile', 1, 'double'],
      ['value', 2, 'double'],
    ]),
    message('SummaryDataPoint', [
      ['attributes', 7, 'KeyValue', 'repeated'],
      ['startTimeUnixNano', 2, 'fixed64'],
      ['timeUnixNano', 3, 'fixed64'],
      ['count', 4, 'fixed64'],
      ['sum', 5, 'double'],
      ['quantileValues', 6, 'ValueAtQuantile', 'repeated'],
      ['flags', 8, 'uint32'],
    ]),
    message(
      'Exemplar',
      [
        ['filteredAttributes', 7, 'KeyValue', 'repeated'],
        ['timeUnixNano', 2, 'fixed64'],
        ['asDouble', 3, 'double'],
        ['asInt', 6, 'sfixed64'],
        ['spanId', 4, 'bytes'],
        ['traceId', 5, 'bytes'],
      ],
      { value: ['asDouble', 'asInt'] },
    ),
    // opentelemetry/proto/collector/metrics/v1/metrics_service.proto
    message('ExportMetricsServiceRequest', [['resourceMetrics', 1, 'ResourceMetrics', 'repeated']]),
    message('ExportMetricsPartialSuccess', [
      ['rejectedDataPoints', 1, 'int64'],
      ['errorMessage', 2, 'string'],
    ]),
    message('ExportMetricsServiceResponse', [['partialSuccess', 1, 'ExportMetricsPartialSuccess']]),
    // google/rpc/status.proto, the body of OTLP/HTTP error answers (details omitted).
    message('Status', [
      ['code', 1, 'int32'],
      ['message', 2, 'string'],
    ]),
  ];
  root.add(
    new Enum('AggregationTemporality', {
      AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
      AGGREGATION_TEMPORALITY_DELTA: 1,
      AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
    }),
  );
  for (const type of types) root.add(type);
  root.resolveAll();
  return root;
}

const root = buildRoot();
export const ExportMetricsServiceRequest: Type = root.lookupType('ExportMetricsServiceRequest');
export const ExportMetricsServiceResponse: Type = root.lookupType('ExportMetricsServiceResponse');
export const RpcStatus: Type = root.lookupType('Status');

/** How decoded messages are turned into plain objects: int64 as decimal strings, enums as numbers. */
export const TO_OBJECT_OPTIONS = { longs: String, enums: Number, bytes: String, defaults: false } as const;

/** Thrown for any body that is not a valid OTLP metrics request. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/**
 * Decodes a binary (application/x-protobuf) ExportMetricsServiceRequest. The wire format is first
 * walked without building anything (scanMetricsProtobuf), so a request over a limit costs no memory.
 */
export function decodeMetricsProtobuf(body: Uint8Array, budget: RequestBudget): OtlpMetricsRequest {
  scanMetricsProtobuf(body, budget);
  try {
    const message = ExportMetricsServiceRequest.decode(body);
    return ExportMetricsServiceRequest.toObject(message, TO_OBJECT_OPTIONS) as OtlpMetricsRequest;
  } catch (err) {
    throw new OtlpDecodeError(`invalid protobuf ExportMetricsServiceRequest: ${errorMessage(err)}`);
  }
}

/** OTLP types whose instances are data points, and those that nest attribute values. */
export const POINT_TYPES: ReadonlySet<string> = new Set(['NumberDataPoint', 'HistogramDataPoint', 'ExponentialHistogramDataPoint', 'SummaryDataPoint']);
export const NESTING_TYPES: ReadonlySet<string> = new Set(['ArrayValue', 'KeyValueList']);

/**
 * Counts one decoded message of `type` against the point and attribute budgets: data points and
 * key-value pairs count as such, so do the elements of an array value (`viaField` ArrayValue.values).
 * Returns the attribute-value nesting depth inside it.
 */
export function countMessage(type: Type, viaField: Field, depth: number, budget: RequestBudget): number {
  if (POINT_TYPES.has(type.name)) budget.point();
  if (type.name === 'KeyValue' || (type.name === 'AnyValue' && viaField.parent?.name === 'ArrayValue')) budget.attribute();
  if (!NESTING_TYPES.has(type.name)) return depth;
  budget.nesting(depth + 1);
  return depth + 1;
}

/** 64-bit integer types: protobufjs turns each value into an object (a Long). */
export const INT64_TYPES: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * Walks a binary request field by field, counting against `budget` (RequestLimitError past a limit)
 * and checking that every known field has the wire type protobufjs will read it with (its generated
 * decoder does not check, so a mismatch would make it see fields this walk did not count).
 */
export function scanMetricsProtobuf(body: Uint8Array, budget: RequestBudget): void {
  const reader = Reader.create(body);
  try {
    scanMessage(reader, body.length, ExportMetricsServiceRequest, budget, 0);
  } catch (err) {
    if (err instanceof RequestLimitError || err instanceof OtlpDecodeError) throw err;
    // protobufjs' Reader throws RangeError ("index out of range") on truncated input.
    throw new OtlpDecodeError(`invalid protobuf ExportMetricsServiceRequest: ${errorMessage(err)}`);
  }
}

function scanMessage(reader: Reader, end: number, type: Type, budget: RequestBudget, depth: number): void {
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      skipUnknown(reader, wireType, type);
      continue;
    }
    const child = field.resolvedType instanceof Type ? field.resolvedType : undefined;
    if (child) {
      expectWireType(wireType, 2, type, field);
      const childEnd = lengthDelimitedEnd(reader, end, type, field);
      budget.object();
      scanMessage(reader, childEnd, child, budget, countMessage(child, field, depth, budget));
      continue;
    }
    // Scalars and enums (read as int32). Repeated numeric fields may come packed (wire type 2).
    const scalar = field.resolvedType instanceof Enum ? 'int32' : field.type;
    const own = types.basic[scalar as keyof typeof types.basic];
    const int64 = field.repeated && INT64_TYPES.has(scalar);
    if (field.repeated && wireType === 2 && types.packed[scalar as keyof typeof types.packed] !== undefined) {
      const packedEnd = lengthDelimitedEnd(reader, end, type, field);
      while (reader.pos < packedEnd) {
        skipScalar(reader, own);
        if (int64) budget.object();
      }
      // A value straddling the end would make protobufjs read into the next field.
      if (reader.pos !== packedEnd) throw new OtlpDecodeError(`invalid protobuf: packed ${type.name}.${field.name} does not end on a value boundary`);
      continue;
    }
    expectWireType(wireType, own, type, field);
    skipScalar(reader, own);
    if (int64) budget.object();
  }
  if (reader.pos !== end) throw new OtlpDecodeError(`invalid protobuf: a field of ${type.name} runs past the end of its message`);
}

function lengthDelimitedEnd(reader: Reader, end: number, type: Type, field: Field): number {
  const length = reader.uint32();
  const fieldEnd = reader.pos + length;
  if (fieldEnd > end) throw new OtlpDecodeError(`invalid protobuf: ${type.name}.${field.name} runs past the end of its message`);
  return fieldEnd;
}

function expectWireType(actual: number, expected: number, type: Type, field: Field): void {
  if (actual !== expected) throw new OtlpDecodeError(`invalid protobuf: ${type.name}.${field.name} has wire type ${actual}, expected ${expected}`);
}

function skipScalar(reader: Reader, wireType: number): void {
  if (wireType === 2) reader.skip(reader.uint32());
  else reader.skipType(wireType);
}

/** Unknown fields are skipped like protobufjs does, except groups, which OTLP never uses. */
function skipUnknown(reader: Reader, wireType: number, type: Type): void {
  if (wireType === 0 || wireType === 1 || wireType === 2 || wireType === 5) skipScalar(reader, wireType);
  else throw new OtlpDecodeError(`invalid protobuf: wire type ${wireType} in ${type.name} (groups and reserved wire types are not OTLP)`);
}

/**
 * Encodes a request given in the OTLP/JSON shape (int64 as strings or numbers, enums as numbers or
 * names, bytes base64). Tests use it to hand-craft protobuf payloads.
 */
export function encodeMetricsProtobuf(request: OtlpMetricsRequest | Record<string, unknown>): Uint8Array {
  return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(request)).finish();
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
