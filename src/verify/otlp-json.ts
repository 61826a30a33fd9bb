// OTLP/JSON decoding. The JSON mapping is the protobuf one (camelCase keys, int64 as strings or
// numbers, enums as numbers or names) except that trace and span ids are hex instead of base64,
// so the ids are rewritten and protobufjs' fromObject does the rest; the result is then rendered
// exactly like a decoded protobuf body, so both transports normalise through the same code.
import { ExportMetricsServiceRequest, OtlpDecodeError, TO_OBJECT_OPTIONS, errorMessage } from './otlp-proto.js';
import type { OtlpMetricsRequest } from './otlp-types.js';

/** Decodes an application/json ExportMetricsServiceRequest. */
export function decodeMetricsJson(text: string): OtlpMetricsRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${withoutSnippet(errorMessage(err))}`);
  }
  if (!isPlainObject(parsed)) throw new OtlpDecodeError('invalid OTLP/JSON: the body must be a JSON object');
  try {
    const message = ExportMetricsServiceRequest.fromObject(hexIdsToBase64(parsed) as Record<string, unknown>);
    return ExportMetricsServiceRequest.toObject(message, TO_OBJECT_OPTIONS) as OtlpMetricsRequest;
  } catch (err) {
    throw new OtlpDecodeError(`invalid OTLP/JSON ExportMetricsServiceRequest: ${errorMessage(err)}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function hexIdsToBase64(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBase64);
  if (!isPlainObject(value)) return value;
  // Null prototype: a `"__proto__"` key in the body stays an (unknown, ignored) field instead of
  // becoming the prototype that protobufjs would then read fields from.
  const out: Record<string, unknown> = Object.create(null);
  for (const [key, child] of Object.entries(value)) {
    const isId = (key === 'traceId' || key === 'spanId') && typeof child === 'string' && HEX.test(child);
    out[key] = isId ? Buffer.from(child as string, 'hex').toString('base64') : hexIdsToBase64(child);
  }
  return out;
}

/** V8 quotes a slice of the body in some JSON.parse errors; bodies may hold secrets, so drop it. */
function withoutSnippet(message: string): string {
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (not valid JSON)');
}
