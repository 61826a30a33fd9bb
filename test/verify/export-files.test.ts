// Reading saved exports back (`verify --file`): every format, detected from the content, and every
// per-file limit at and past its number, with a clean, counted outcome.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeExportFile } from '../../src/verify/export-file-writer.js';
import { isCompleteJsonValue, readExportFile } from '../../src/verify/export-files.js';
import type { ExportFileLimits, SavedExport } from '../../src/verify/export-files.js';
import { ExportMetricsServiceRequest } from '../../src/verify/otlp-proto.js';
import { DEFAULTS, request, sum } from './payloads.js';

const dir = mkdtempSync(join(tmpdir(), 'export-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer, name = `f${n++}`): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const LIMITS: ExportFileLimits = { maxFileBytes: 1024 * 1024, maxExportBytes: 64 * 1024 };
const REQUEST = request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]]));
const COMPACT = JSON.stringify(REQUEST);
const PRETTY = JSON.stringify(REQUEST, null, 2);
const PROTOBUF = Buffer.from(ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(REQUEST)).finish());

async function read(path: string, limits = LIMITS, stopAfter = Infinity) {
  const exports: SavedExport[] = [];
  const summary = await readExportFile(path, limits, (saved) => {
    if (exports.length >= stopAfter) return false;
    exports.push(saved);
    return true;
  });
  const shown = exports.map((e) => ('body' in e ? { source: e.source, contentType: e.contentType, text: e.contentType === 'application/json' ? e.body.toString('utf8') : e.body.toString('base64') } : { source: e.source, error: e.error.code, status: e.error.status, bytes: e.bytes }));
  return { summary, exports: shown };
}

describe('saved export files', () => {
  it('one OTLP/JSON request, compact or pretty-printed', async () => {
    const compact = file(COMPACT);
    expect(await read(compact)).toEqual({
      summary: { path: compact, format: 'json-lines', compression: 'none', bytes: COMPACT.length, exports: 1, emptyExports: 0 },
      exports: [{ source: `${compact}:1`, contentType: 'application/json', text: COMPACT }],
    });
    const pretty = file(`${PRETTY}\n`);
    const { summary, exports } = await read(pretty);
    expect(summary).toMatchObject({ format: 'otlp-json', exports: 1 });
    expect(exports).toHaveLength(1);
    expect(JSON.parse(exports[0].text!)).toEqual(REQUEST);
    expect(exports[0].source).toBe(pretty);
  });

  it('JSON lines, one request per line: blank lines skipped, CRLF accepted, a bad line is its own export', async () => {
    const path = file(`${COMPACT}\r\n\n   \n{"resourceMetrics": [}\n${COMPACT}`);
    const { summary, exports } = await read(path);
    expect(summary).toMatchObject({ format: 'json-lines', exports: 3 });
    expect(exports.map((e) => e.source)).toEqual([`${path}:1`, `${path}:4`, `${path}:5`]);
    expect(exports.map((e) => e.text)).toEqual([COMPACT, '{"resourceMetrics": [}', COMPACT]);
  });

  it('gzip around any format, detected by its magic bytes whatever the name', async () => {
    const lines = file(gzipSync(`${COMPACT}\n${COMPACT}\n`), 'lines.txt');
    expect((await read(lines)).summary).toMatchObject({ format: 'json-lines', compression: 'gzip', exports: 2 });
    const pretty = file(gzipSync(PRETTY), 'x.pb');
    expect((await read(pretty)).summary).toMatchObject({ format: 'otlp-json', compression: 'gzip', exports: 1 });
    const proto = file(gzipSync(PROTOBUF), 'x.bin.gz');
    expect((await read(proto)).summary).toMatchObject({ format: 'protobuf', compression: 'gzip', exports: 1 });
  });

  it('one protobuf request body', async () => {
    const path = file(PROTOBUF);
    expect(await read(path)).toEqual({
      summary: { path, format: 'protobuf', compression: 'none', bytes: PROTOBUF.length, exports: 1, emptyExports: 0 },
      exports: [{ source: path, contentType: 'application/x-protobuf', text: PROTOBUF.toString('base64') }],
    });
  });

  it('a leading line feed is protobuf, unless the name says JSON', async () => {
    // A protobuf request starts with 0x0a (field 1, length-delimited), as does a JSON file with a blank first line.
    expect(PROTOBUF[0]).toBe(0x0a);
    expect((await read(file(`\n${COMPACT}\n`, 'blank-first.bin'))).summary.format).toBe('protobuf');
    for (const name of ['blank-first.jsonl', 'blank-first.json', 'blank-first.ndjson.gz']) {
      const content = `\n${COMPACT}\n`;
      expect((await read(file(name.endsWith('.gz') ? gzipSync(content) : content, name))).summary, name).toMatchObject({ format: 'json-lines', exports: 1 });
    }
  });

  it('length-delimited frames (the Collector file exporter with format: proto), protobuf or JSON in each', async () => {
    const frames = encodeExportFile([
      { contentType: 'application/x-protobuf', body: PROTOBUF },
      { contentType: 'application/x-protobuf', body: Buffer.alloc(0) },
    ]);
    expect(frames.readUInt32BE(0)).toBe(PROTOBUF.length);
    const path = file(Buffer.concat([frames, frameOf(Buffer.from(COMPACT))]));
    const { summary, exports } = await read(path);
    expect(summary).toMatchObject({ format: 'protobuf-frames', exports: 3 });
    expect(exports.map((e) => [e.source, e.contentType])).toEqual([
      [`${path}#1`, 'application/x-protobuf'],
      [`${path}#2`, 'application/x-protobuf'],
      [`${path}#3`, 'application/json'],
    ]);
    expect(exports[0].text).toBe(PROTOBUF.toString('base64'));
  });

  it('the demo writer: JSON bodies as lines (a pretty one re-serialised), never a mix of formats', async () => {
    const content = encodeExportFile([
      { contentType: 'application/json', body: Buffer.from(COMPACT) },
      { contentType: 'application/json; charset=utf-8', body: Buffer.from(PRETTY) },
    ]);
    expect(content.toString()).toBe(`${COMPACT}\n${COMPACT}\n`);
    expect(() => encodeExportFile([{ contentType: 'application/json', body: Buffer.from(COMPACT) }, { contentType: 'application/x-protobuf', body: PROTOBUF }])).toThrow(/cannot share/);
    expect(() => encodeExportFile([{ contentType: 'text/plain', body: Buffer.from('x') }])).toThrow(/only application\/json/);
  });

  it('an empty file holds no export', async () => {
    expect((await read(file(''))).summary).toMatchObject({ format: 'empty', exports: 0 });
    expect((await read(file(gzipSync('')))).summary).toMatchObject({ format: 'empty', compression: 'gzip', exports: 0 });
    expect((await read(file(' \n\n'))).summary).toMatchObject({ format: 'empty', exports: 0 });
  });

  it('files that cannot be read end with a coded error, never a throw', async () => {
    expect((await read(join(dir, 'missing.json'))).summary).toMatchObject({ exports: 0, error: { code: 'unreadable', message: expect.stringContaining('ENOENT') } });
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect((await read(sub)).summary.error).toMatchObject({ code: 'not_a_file', message: expect.stringContaining('a directory') });
    // A pipe or a device may never end: only regular files are read.
    expect((await read('/dev/null')).summary.error).toMatchObject({ code: 'not_a_file', message: expect.stringContaining('a pipe, socket or device') });
    const zstd = file(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    expect((await read(zstd)).summary.error).toMatchObject({ code: 'unsupported_compression', message: expect.stringContaining('zstd -d') });
    // A gzip cut in half: the exports inflated before the cut were handed over.
    const lines = gzipSync(`${COMPACT}\n`.repeat(50));
    const cut = await read(file(lines.subarray(0, lines.length - 20)));
    expect(cut.summary).toMatchObject({ compression: 'gzip', error: { code: 'bad_compression', message: expect.stringMatching(/not valid gzip/) } });
    const garbage = await read(file(Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(64, 7)])));
    expect(garbage.summary.error?.code).toBe('bad_compression');
  });

  it('a truncated frame is a file error; the frames before it were handed over', async () => {
    const frames = encodeExportFile([{ contentType: 'application/x-protobuf', body: PROTOBUF }, { contentType: 'application/x-protobuf', body: PROTOBUF }]);
    const inFrame = await read(file(frames.subarray(0, frames.length - 3)));
    expect(inFrame.exports).toHaveLength(1);
    expect(inFrame.summary).toMatchObject({ format: 'protobuf-frames', exports: 1, error: { code: 'truncated', message: expect.stringContaining('inside frame 2') } });
    const inSize = await read(file(Buffer.concat([frames, Buffer.from([0, 0])])));
    expect(inSize.summary).toMatchObject({ exports: 2, error: { code: 'truncated', message: expect.stringContaining('size of frame 3') } });
    const zstdFrame = await read(file(frameOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2]))));
    expect(zstdFrame.exports).toEqual([expect.objectContaining({ error: 'unsupported_content_encoding', status: 400 })]);
  });
});

describe('per-file limits', () => {
  const small: ExportFileLimits = { maxFileBytes: 4096, maxExportBytes: 1024 };

  it('a file larger than maxFileBytes on disk is not read', async () => {
    const at = file('x'.repeat(small.maxFileBytes));
    expect((await read(at, { ...small, maxExportBytes: small.maxFileBytes })).summary.error?.code).not.toBe('file_too_large');
    const past = file('x'.repeat(small.maxFileBytes + 1));
    expect((await read(past, small)).summary).toMatchObject({ bytes: 0, exports: 0, error: { code: 'file_too_large', message: expect.stringContaining('--max-file-bytes') } });
  });

  it('a file inflating past maxFileBytes is cut there: the exports before were handed over, reading stopped', async () => {
    // Inflated chunks are 16 KiB: the cut falls on the first chunk past the limit.
    const limits = { maxFileBytes: 64 * 1024, maxExportBytes: 1024 };
    const line = `${COMPACT}\n`;
    const many = line.repeat(Math.ceil((3 * limits.maxFileBytes) / line.length));
    const path = file(gzipSync(many));
    const { summary, exports } = await read(path, limits);
    expect(summary).toMatchObject({ compression: 'gzip', error: { code: 'file_too_large', message: expect.stringContaining(`decompresses to more than ${limits.maxFileBytes} bytes`) } });
    expect(exports.length).toBeGreaterThan(0);
    expect(exports.length * line.length).toBeLessThanOrEqual(limits.maxFileBytes);
    // A gzip bomb: 16 MiB of spaces (one endless blank JSON line) in 16 KiB; the read stops at the limit.
    const bomb = await read(file(gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20))), { maxFileBytes: 1024 * 1024, maxExportBytes: 1024 });
    expect(bomb.summary.error?.code).toBe('file_too_large');
    expect(bomb.summary.bytes).toBeLessThan(1024 * 1024);
  });

  it('a JSON line longer than maxExportBytes is a 413 too_large export, not stored; the next lines are read', async () => {
    const exact = `{"resourceMetrics":[],"pad":"${'p'.repeat(small.maxExportBytes - 31)}"}`;
    expect(exact.length).toBe(small.maxExportBytes);
    const long = `${exact.slice(0, -2)}p"}`;
    const path = file(`${exact}\r\n${long}\n${COMPACT}\n`);
    const { summary, exports } = await read(path, small);
    expect(summary).toMatchObject({ format: 'json-lines', exports: 3 });
    expect(exports[0].text).toBe(exact);
    expect(exports[1]).toEqual({ source: `${path}:2`, error: 'too_large', status: 413, bytes: small.maxExportBytes + 1 });
    expect(exports[2].text).toBe(COMPACT);
  });

  it('a one-request file (pretty JSON, protobuf) or a frame past maxExportBytes is a too_large export', async () => {
    const pretty = `{\n  "resourceMetrics": [],\n  "pad": "${'p'.repeat(small.maxExportBytes)}"\n}`;
    const json = await read(file(pretty), small);
    expect(json.summary).toMatchObject({ format: 'otlp-json', exports: 1 });
    expect(json.exports).toEqual([expect.objectContaining({ error: 'too_large', status: 413 })]);
    const proto = await read(file(Buffer.concat([PROTOBUF, Buffer.alloc(small.maxExportBytes)])), small);
    expect(proto.exports).toEqual([expect.objectContaining({ error: 'too_large', bytes: PROTOBUF.length + small.maxExportBytes })]);
    // A frame over the limit is skipped by its size; the next frame is read.
    const frames = Buffer.concat([frameOf(Buffer.alloc(small.maxExportBytes + 1, 0x0a)), frameOf(PROTOBUF)]);
    const framed = await read(file(frames), small);
    expect(framed.exports).toEqual([expect.objectContaining({ error: 'too_large', bytes: small.maxExportBytes + 1 }), expect.objectContaining({ contentType: 'application/x-protobuf' })]);
  });

  it('the handler can stop the file: it is marked interrupted with the exports read so far', async () => {
    const { summary, exports } = await read(file(`${COMPACT}\n`.repeat(5)), LIMITS, 2);
    expect(exports).toHaveLength(2);
    expect(summary).toMatchObject({ exports: 2, error: { code: 'interrupted' } });
  });
});

describe('JSON lines detection', () => {
  it('a line is complete when every bracket outside strings closes on it', () => {
    const complete = (text: string) => isCompleteJsonValue(Buffer.from(text));
    expect(complete(COMPACT)).toBe(true);
    expect(complete('{"a": "}{ \\" ]"}')).toBe(true);
    expect(complete('{')).toBe(false);
    expect(complete('{"resourceMetrics": [')).toBe(false);
    expect(complete('{"a": "unterminated}')).toBe(false);
    expect(complete('"just a string"')).toBe(false);
    expect(complete('')).toBe(false);
  });
});

function frameOf(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}
