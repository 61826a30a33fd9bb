// OTLP metrics messages (opentelemetry-proto v1) declared with protobufjs reflection, since no npm
// package ships the .proto files. Only the wire layout matters here: field numbers and types.
import { Enum, Field, OneOf, Root, Type } from 'protobufjs';
import type { OtlpMetricsRequest } from './otlp-types.js';

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

/** Decodes a binary (application/x-protobuf) ExportMetricsServiceRequest. */
export function decodeMetricsProtobuf(body: Uint8Array): OtlpMetricsRequest {
  try {
    const message = ExportMetricsServiceRequest.decode(body);
    return ExportMetricsServiceRequest.toObject(message, TO_OBJECT_OPTIONS) as OtlpMetricsRequest;
  } catch (err) {
    throw new OtlpDecodeError(`invalid protobuf ExportMetricsServiceRequest: ${errorMessage(err)}`);
  }
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
