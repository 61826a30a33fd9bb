// Writes OTLP/HTTP request bodies as a file `verify --file` reads back (export-files.ts): OTLP/JSON
// bodies as JSON lines, protobuf bodies as length-delimited frames (the OpenTelemetry Collector
// `file` exporter's two formats). Used by `demo --save`.
import { bodyFormat } from './request-body.js';

export interface RequestBody {
  readonly contentType: string;
  /** Uncompressed. */
  readonly body: Buffer;
}

/** The file's content; every body must have the same format. Throws on an unsupported content type or a mix. */
export function encodeExportFile(bodies: readonly RequestBody[]): Buffer {
  const formats = new Set(bodies.map((b) => bodyFormat(b.contentType)));
  if (formats.has(undefined)) throw new Error('only application/json and application/x-protobuf bodies can be saved');
  if (formats.size > 1) throw new Error('JSON and protobuf bodies cannot share one file');
  const parts: Buffer[] = [];
  for (const { contentType, body } of bodies) {
    if (bodyFormat(contentType) === 'json') {
      // A JSON line must not span lines: re-serialise the rare body that does (pretty-printed).
      parts.push(body.includes(0x0a) ? Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')))) : body, NEWLINE);
    } else {
      const size = Buffer.alloc(4);
      size.writeUInt32BE(body.length, 0);
      parts.push(size, body);
    }
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
