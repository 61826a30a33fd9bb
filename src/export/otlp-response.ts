// The one message the package reads from a collector: ExportMetricsServiceResponse's
// partial_success (opentelemetry-proto collector/metrics/v1/metrics_service.proto):
//   ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
//   ExportMetricsPartialSuccess  { int64 rejected_data_points = 1; string error_message = 2; }
// Two fields do not justify a protobuf runtime in the host process (the exporters' own
// otlp-transformer is not a dependency of the package and has no response decoder API to rely on).
// Unknown fields are skipped; a malformed body is undefined, never an exception.

export interface ResponsePartialSuccess {
  rejectedDataPoints?: number;
  errorMessage?: string;
}

/** The partial_success of a protobuf ExportMetricsServiceResponse, or undefined when absent or malformed. */
export function decodePartialSuccess(body: Uint8Array): ResponsePartialSuccess | undefined {
  const outer = fields(body);
  if (!outer) return undefined;
  const inner = outer.find((f) => f.number === 1 && f.bytes !== undefined);
  if (!inner?.bytes) return undefined;
  const parts = fields(inner.bytes);
  if (!parts) return undefined;
  const result: ResponsePartialSuccess = {};
  for (const f of parts) {
    if (f.number === 1 && f.varint !== undefined) result.rejectedDataPoints = f.varint;
    else if (f.number === 2 && f.bytes !== undefined) result.errorMessage = new TextDecoder().decode(f.bytes);
  }
  return result;
}

interface Field {
  readonly number: number;
  readonly varint?: number;
  readonly bytes?: Uint8Array;
}

/** The fields of one message, or undefined when it is not well-formed protobuf. */
function fields(buf: Uint8Array): Field[] | undefined {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): number | undefined => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) return undefined;
      const byte = buf[pos++];
      value += (byte & 0x7f) * scale; // arithmetic, not bit shifts: int64 values above 2^31 stay exact up to 2^53
      scale *= 128;
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (pos < buf.length) {
    const key = varint();
    if (key === undefined) return undefined;
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (number === 0) return undefined;
    if (wire === 0) {
      const v = varint();
      if (v === undefined) return undefined;
      out.push({ number, varint: v });
    } else if (wire === 2) {
      const length = varint();
      if (length === undefined || pos + length > buf.length) return undefined;
      out.push({ number, bytes: buf.subarray(pos, pos + length) });
      pos += length;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return undefined;
    } else return undefined;
  }
  return out;
}
