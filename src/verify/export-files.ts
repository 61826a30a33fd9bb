// Saved OTLP metric exports read back from files (`verify --file`), one export at a time, so that
// memory is bounded by one export whatever the file's size. Formats are recognised from the
// content, never trusted from the name (the name only settles one ambiguity, below):
// - gzip (magic bytes 1f 8b), decompressed as a stream, around any of the following;
// - OTLP/JSON: one ExportMetricsServiceRequest (pretty-printed or not), or JSON lines of them, one
//   request per line (the OpenTelemetry Collector `file` exporter's default format);
// - protobuf: one ExportMetricsServiceRequest body (what an OTLP/HTTP client POSTs);
// - length-delimited frames: each export preceded by its size as a 4-byte big-endian integer (the
//   Collector `file` exporter with `format: proto`); each frame may hold protobuf or JSON.
// Each export is handed over as the body of an OTLP/HTTP request would be, so it is decoded and
// checked by the same code and limits as a live export. Nothing is decoded here.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { RequestError } from './request-body.js';

/** Files one run reads; further ones are not opened (counted, and the run fails). */
export const DEFAULT_MAX_FILES = 1_000;
/** Bytes of one file, on disk and again once decompressed. 2.5 times the Collector's default rotation size (100 MB). */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;
/**
 * Exports without a data point in one file. An empty frame is 4 bytes: a gzip of 67 M of them took
 * minutes of CPU, each decoded and checked as a request. Past it the file is not read further.
 */
export const DEFAULT_MAX_EMPTY_EXPORTS = 10_000;

export interface ExportFileLimits {
  /** Bytes of one file, read and decompressed. */
  readonly maxFileBytes: number;
  /** Bytes of one export once decompressed (a JSON line, a frame, a whole-file request): the receiver's body limit. */
  readonly maxExportBytes: number;
  /** Exports without data points in one file (default DEFAULT_MAX_EMPTY_EXPORTS). */
  readonly maxEmptyExports?: number;
}

export type ExportFileFormat = 'otlp-json' | 'json-lines' | 'protobuf' | 'protobuf-frames' | 'empty';
export type ExportFileErrorCode =
  | 'unreadable'
  | 'not_a_file'
  | 'file_too_large'
  | 'too_many_empty_exports'
  | 'bad_compression'
  | 'unsupported_compression'
  | 'truncated'
  | 'interrupted'
  // Read to its end, but not one data point in it (an empty file, `{"hello":1}`): set by file-run.ts.
  | 'no_metrics';

/** What one file held, as the report lists it. */
export interface ExportFileSummary {
  readonly path: string;
  /** Undefined when the file could not be read far enough to tell. */
  readonly format?: ExportFileFormat;
  readonly compression: 'gzip' | 'none';
  /** Bytes read from disk. */
  readonly bytes: number;
  /** Exports found, those rejected by a limit included. */
  readonly exports: number;
  /** Exports among them without a single data point (empty frames and lines of `{}` included). */
  readonly emptyExports: number;
  /** Set when the file could not be read to its end: the run fails. */
  readonly error?: { readonly code: ExportFileErrorCode; readonly message: string };
}

/** One export of a file, as a request body; or one a limit rejected before it was read whole. */
export type SavedExport =
  | { readonly source: string; readonly contentType: string; readonly body: Buffer }
  | { readonly source: string; readonly contentType: string; readonly bytes: number; readonly error: RequestError };

/**
 * Called for each export in file order: `true` reads on, `'empty'` reads on and counts an export
 * without data points, `false` stops reading (the file is then marked `interrupted`).
 */
export type ExportHandler = (saved: SavedExport) => ExportOutcome | Promise<ExportOutcome>;
export type ExportOutcome = boolean | 'empty';

const JSON_TYPE = 'application/json';
const PROTOBUF_TYPE = 'application/x-protobuf';
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;

class FileReadError extends Error {
  constructor(
    readonly code: ExportFileErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads `path` export by export; never throws: what goes wrong is in the summary. `stopRequested`
 * is checked between any two chunks of the file (and the event loop turns there, so a signal is
 * seen), not only between exports: blank lines or a long export are not a place to hide.
 */
export async function readExportFile(path: string, limits: ExportFileLimits, onExport: ExportHandler, stopRequested?: () => boolean): Promise<ExportFileSummary> {
  const state = { format: undefined as ExportFileFormat | undefined, compression: 'none' as 'gzip' | 'none', bytes: 0, exports: 0, empty: 0, stopped: false };
  const maxEmpty = limits.maxEmptyExports ?? DEFAULT_MAX_EMPTY_EXPORTS;
  const summary = (error?: FileReadError): ExportFileSummary => ({
    path,
    ...(state.format ? { format: state.format } : {}),
    compression: state.compression,
    bytes: state.bytes,
    exports: state.exports,
    emptyExports: state.empty,
    ...(error ? { error: { code: error.code, message: error.message } } : {}),
  });

  try {
    const info = await stat(path);
    // Regular files only: a pipe or a device may never end, and a read waiting on one would outlast a signal.
    if (!info.isFile()) throw new FileReadError('not_a_file', `${path} is not a regular file (${info.isDirectory() ? 'a directory' : 'a pipe, socket or device'})`);
    if (info.size > limits.maxFileBytes) {
      throw new FileReadError('file_too_large', `${path} is ${info.size} bytes, more than ${limits.maxFileBytes} (limit --max-file-bytes)`);
    }
  } catch (err) {
    return summary(err instanceof FileReadError ? err : new FileReadError('unreadable', `cannot read ${path}: ${reason(err)}`));
  }

  const raw = createReadStream(path, { highWaterMark: 64 * 1024 });
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let inflating: Readable | undefined;
  const emit = async (saved: SavedExport): Promise<boolean> => {
    const outcome = await onExport(saved);
    if (outcome === false) {
      state.stopped = true;
      return false;
    }
    state.exports++;
    if (outcome === 'empty' && ++state.empty > maxEmpty) {
      throw new FileReadError('too_many_empty_exports', `${path} has more than ${maxEmpty} exports without data points (limit --max-empty-exports); the rest of it is not read`);
    }
    return true;
  };
  const checkpoint = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    if (stopRequested?.()) {
      state.stopped = true;
      throw new FileReadError('interrupted', `stopped after ${state.exports} export(s) of ${path}`);
    }
  };
  let failure: FileReadError | undefined;
  try {
    const rawChunks = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await rawChunks.next();
    const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
    const rawRest = async function* (): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      for (let next = await rawChunks.next(); !next.done; next = await rawChunks.next()) yield next.value;
    };
    if (isZstd(head)) throw new FileReadError('unsupported_compression', `${path} is zstd-compressed (the Collector's \`compression: zstd\`); decompress it first (zstd -d)`);
    let content: AsyncIterable<Buffer> = rawRest();
    if (isGzip(head)) {
      state.compression = 'gzip';
      inflating = Readable.from(content);
      gunzip = createGunzip();
      inflating.on('error', (err) => gunzip?.destroy(err));
      content = inflating.pipe(gunzip);
    }
    const reader = new ByteReader(capped(content, raw, limits.maxFileBytes, path, state.compression === 'gzip'), checkpoint);
    await readExports({ reader, path, maxExport: limits.maxExportBytes, emit, found: (format) => (state.format = format) });
    if (state.stopped) failure = new FileReadError('interrupted', `stopped after ${state.exports} export(s) of ${path}`);
  } catch (err) {
    if (err instanceof FileReadError) failure = err;
    else if (gunzip && isZlibError(err)) failure = new FileReadError('bad_compression', `${path} is not valid gzip: ${reason(err)}`);
    else failure = new FileReadError('unreadable', `cannot read ${path}: ${reason(err)}`);
  } finally {
    raw.destroy();
    inflating?.destroy();
    gunzip?.destroy();
  }
  state.bytes = raw.bytesRead;
  return summary(failure);
}

/** One file being read: where its bytes come from, and where its exports and format go. */
interface Reading {
  readonly reader: ByteReader;
  readonly path: string;
  readonly maxExport: number;
  /** False: stop reading. */
  readonly emit: (saved: SavedExport) => Promise<boolean>;
  /** Told the format as soon as it is known. */
  readonly found: (format: ExportFileFormat) => void;
}

/** Detects the format from the first bytes and hands every export to `emit`. */
async function readExports(reading: Reading): Promise<void> {
  const { reader, path, maxExport, emit, found } = reading;
  const head = await reader.peek(4);
  if (head.length === 0) return found('empty');
  if (isZstd(head)) throw new FileReadError('unsupported_compression', `${path} holds zstd-compressed data; decompress it first (zstd -d)`);
  if (head[0] === 0x00) {
    found('protobuf-frames');
    return readFrames(reading);
  }
  if (looksLikeJson(head, path)) return readJson(reading);
  found('protobuf');
  const body = await reader.readRest(maxExport);
  await emit(body.body ? { source: path, contentType: PROTOBUF_TYPE, body: body.body } : tooLarge(path, PROTOBUF_TYPE, body.bytes, maxExport));
}

/**
 * JSON text starts with `{`, a UTF-8 BOM, a space, a tab or a CR. A leading line feed is also a
 * protobuf request's first byte (field 1, length-delimited): it means JSON only in a file named
 * `.json`, `.jsonl` or `.ndjson` (before any `.gz`).
 */
function looksLikeJson(head: Buffer, path: string): boolean {
  const first = head[0];
  if (first === OPEN_BRACE || first === 0xef || first === 0x20 || first === 0x09 || first === 0x0d) return true;
  return first === NEWLINE && /\.(json|jsonl|ndjson)(\.gz)?$/i.test(basename(path));
}

/**
 * JSON lines when the first non-blank line is a complete JSON value on its own (every bracket
 * closed), one request otherwise (a pretty-printed document). Blank lines are skipped; sources are
 * `path:LINE`, 1-based.
 */
async function readJson({ reader, path, maxExport, emit, found }: Reading): Promise<void> {
  // Blank lines are skipped a chunk at a time: 256 MiB of them cost what inflating them costs.
  let lineNumber = (await reader.skipBlank()) + 1;
  const first = await reader.readLine(maxExport);
  if (!first) return found('empty');
  if (first.line && !isCompleteJsonValue(first.line)) {
    // One request over several lines: the rest of the file, within the same byte limit.
    found('otlp-json');
    const rest = await reader.readRest(maxExport - first.bytes - 1);
    const bytes = rest.bytes === 0 ? first.bytes : first.bytes + 1 + rest.bytes;
    const body = rest.body && rest.bytes > 0 ? Buffer.concat([first.line, Buffer.from('\n'), rest.body]) : rest.body && first.line;
    await emit(body ? { source: path, contentType: JSON_TYPE, body } : tooLarge(path, JSON_TYPE, bytes, maxExport));
    return;
  }
  found('json-lines');
  let line: Line | undefined = first;
  do {
    const source = `${path}:${lineNumber}`;
    if (!line.line) {
      if (!(await emit(tooLarge(source, JSON_TYPE, line.bytes, maxExport)))) break;
    } else if (!isBlank(line.line)) {
      if (!(await emit({ source, contentType: JSON_TYPE, body: line.line }))) break;
    }
    lineNumber += (await reader.skipBlank()) + 1;
    line = await reader.readLine(maxExport);
  } while (line);
}

/** Length-delimited frames; sources are `path#N`, 1-based. A frame's content decides its type. */
async function readFrames({ reader, path, maxExport, emit }: Reading): Promise<void> {
  for (let n = 1; ; n++) {
    const header = await reader.read(4);
    if (header.length === 0) return;
    if (header.length < 4) throw new FileReadError('truncated', `${path} ends inside the size of frame ${n}`);
    const size = header.readUInt32BE(0);
    const source = `${path}#${n}`;
    if (size > maxExport) {
      const skipped = await reader.skip(size);
      if (skipped < size) throw new FileReadError('truncated', `${path} ends inside frame ${n} (${skipped} of ${size} bytes)`);
      if (!(await emit(tooLarge(source, PROTOBUF_TYPE, size, maxExport)))) return;
      continue;
    }
    const body = await reader.read(size);
    if (body.length < size) throw new FileReadError('truncated', `${path} ends inside frame ${n} (${body.length} of ${size} bytes)`);
    let saved: SavedExport;
    if (isZstd(body)) {
      saved = { source, contentType: PROTOBUF_TYPE, bytes: size, error: new RequestError(400, 'unsupported_content_encoding', 'the frame is zstd-compressed (the Collector\'s `compression: zstd`), which verify does not decompress') };
    } else {
      saved = { source, contentType: body[0] === OPEN_BRACE ? JSON_TYPE : PROTOBUF_TYPE, body };
    }
    if (!(await emit(saved))) return;
  }
}

function tooLarge(source: string, contentType: string, bytes: number, maxExport: number): SavedExport {
  // The receiver's answer to the same body: 413 too_large.
  return { source, contentType, bytes, error: new RequestError(413, 'too_large', `export larger than ${maxExport} bytes (${bytes} bytes read)`) };
}

/** Counts bytes read from disk and decompressed; past `max` the file is cut off. */
async function* capped(content: AsyncIterable<Buffer>, raw: { readonly bytesRead: number }, max: number, path: string, gzip: boolean): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of content) {
    bytes += chunk.length;
    if (bytes > max || raw.bytesRead > max) {
      const what = gzip && bytes > max ? 'decompresses to more than' : 'has more than';
      throw new FileReadError('file_too_large', `${path} ${what} ${max} bytes (limit --max-file-bytes); the exports before that point were checked`);
    }
    yield chunk;
  }
}

interface Line {
  /** Undefined when the line was longer than the limit (it was skipped, not stored). */
  readonly line: Buffer | undefined;
  /** Bytes of the line without its line feed. */
  readonly bytes: number;
}

/** Pull-based reading over a stream of chunks: lines, exact byte counts, the rest; each bounded. */
class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private offset = 0;
  private ended = false;
  private readonly chunks: AsyncIterator<Buffer>;

  /** `checkpoint` runs before each chunk is pulled (and may throw to stop reading). */
  constructor(
    chunks: AsyncIterable<Buffer>,
    private readonly checkpoint: () => Promise<void>,
  ) {
    this.chunks = chunks[Symbol.asyncIterator]();
  }

  /** True when unread bytes are in `chunk`, pulling the next chunk if needed. */
  private async available(): Promise<boolean> {
    while (this.offset >= this.chunk.length) {
      if (this.ended) return false;
      await this.checkpoint();
      const next = await this.chunks.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.chunk = next.value;
      this.offset = 0;
    }
    return true;
  }

  /** The next `n` bytes (fewer at the end), left unread. */
  async peek(n: number): Promise<Buffer> {
    const bytes = await this.read(n);
    this.chunk = Buffer.concat([bytes, this.chunk.subarray(this.offset)]);
    this.offset = 0;
    return bytes;
  }

  /** Up to `n` bytes; fewer only at the end. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n && (await this.available())) {
      const piece = this.chunk.subarray(this.offset, this.offset + n - got);
      parts.push(piece);
      got += piece.length;
      this.offset += piece.length;
    }
    return parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts);
  }

  /** Skips spaces, tabs, CRs and line feeds; returns how many line feeds there were. */
  async skipBlank(): Promise<number> {
    let newlines = 0;
    while (await this.available()) {
      const chunk = this.chunk;
      let i = this.offset;
      for (; i < chunk.length; i++) {
        const c = chunk[i];
        if (c === NEWLINE) newlines++;
        else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
      }
      this.offset = i;
      if (i < chunk.length) break;
    }
    return newlines;
  }

  /** Skips up to `n` bytes without keeping them; returns how many there were. */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n && (await this.available())) {
      const step = Math.min(n - skipped, this.chunk.length - this.offset);
      skipped += step;
      this.offset += step;
    }
    return skipped;
  }

  /** The next line without its line feed (and CR), or undefined at the end. Longer lines are read through, not kept. */
  async readLine(max: number): Promise<Line | undefined> {
    const parts: Buffer[] = [];
    let bytes = 0;
    let any = false;
    while (await this.available()) {
      any = true;
      const newline = this.chunk.indexOf(NEWLINE, this.offset);
      const end = newline === -1 ? this.chunk.length : newline;
      const piece = this.chunk.subarray(this.offset, end);
      bytes += piece.length;
      if (bytes <= max + 1) parts.push(piece);
      else parts.length = 0;
      this.offset = end + (newline === -1 ? 0 : 1);
      if (newline !== -1) break;
    }
    if (!any) return undefined;
    let line = bytes <= max + 1 ? Buffer.concat(parts) : undefined;
    // A CR before the line feed is not part of the line (it is allowed one byte over `max` for that).
    if (line && line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    const length = line ? line.length : bytes;
    return { line: line && length <= max ? line : undefined, bytes: length };
  }

  /** Everything left, or only its size when that is more than `max` (then it is not kept, and reading stops). */
  async readRest(max: number): Promise<{ readonly body: Buffer | undefined; readonly bytes: number }> {
    const parts: Buffer[] = [];
    let bytes = 0;
    while (await this.available()) {
      const piece = this.chunk.subarray(this.offset);
      bytes += piece.length;
      this.offset = this.chunk.length;
      if (bytes > max) return { body: undefined, bytes };
      parts.push(piece);
    }
    return { body: Buffer.concat(parts), bytes };
  }
}

/**
 * True when `line` holds one JSON value whose every bracket closes on the line (strings and
 * escapes respected); a pretty-printed document's first line (`{`) does not.
 */
export function isCompleteJsonValue(line: Buffer): boolean {
  let depth = 0;
  let opened = false;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === OPEN_BRACE || c === 0x5b) {
      depth++;
      opened = true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return opened && depth <= 0 && !inString;
}

function isBlank(line: Buffer): boolean {
  for (const c of line) if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  return true;
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

function isZstd(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
}

function isZlibError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  return code.startsWith('Z_');
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException | null;
  return e?.code && e.message ? `${e.code}: ${e.message.replace(/^[A-Z_]+: /, '')}` : err instanceof Error ? err.message : String(err);
}
