// `verify --file` under hostile files, in a child process with the default limits: a gzip bomb, a
// line and a document far over the export limit, a frame declaring 4 GiB. Each ends in its counted
// outcome, the report is complete, and memory stays bounded by one export, not by the files.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FILE_BYTES } from '../../src/verify/export-files.js';
import { DEFAULT_MAX_BODY_BYTES } from '../../src/verify/receiver.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { gzipFile } from './hostile-payloads.js';
import { DEFAULTS, request, sum } from './payloads.js';

const MiB = 1024 * 1024;
const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'verify-files-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify --file under hostile files (child process, default limits, needs `npm run build`)', () => {
  it('each file ends in a counted outcome, the report is complete and peak RSS stays bounded', async () => {
    const good = JSON.stringify(request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]])));
    const bomb = join(dir, 'bomb.jsonl.gz');
    // 300 MiB of spaces (one endless blank line) in a few hundred KiB: cut at the 256 MiB file limit.
    await gzipFile(bomb, DEFAULT_MAX_FILE_BYTES + 44 * MiB, 0x20);
    // A 40 MiB line between two good ones: read through without being kept, the next line checked.
    const longLine = join(dir, 'long-line.jsonl');
    writeFileSync(longLine, `${good}\n{"pad":"${'p'.repeat(40 * MiB)}"}\n${good}\n`);
    // A pretty-printed document of 24 MiB: one export over the 8 MiB limit, not read past it.
    const document = join(dir, 'document.json');
    writeFileSync(document, `{\n  "pad": "${'p'.repeat(24 * MiB)}"\n}\n`);
    // An empty frame, then one declaring 4 GiB in a file of a few more bytes.
    const frame = join(dir, 'frames.binpb');
    writeFileSync(frame, Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]));

    // The CLI under a wrapper that prints its peak RSS when it exits.
    const wrapper = join(dir, 'wrapper.mjs');
    writeFileSync(wrapper, `process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'));\nawait import(${JSON.stringify(new URL(`file://${BIN}`).href)});\n`);
    const child = spawn(process.execPath, [wrapper, 'verify', '--json', '--require', 'api_request', '--file', bomb, longLine, document, frame], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = (await once(child, 'exit')) as [number];

    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout) as VerifyRunReport;
    const byPath = new Map(report.files!.map((f) => [f.path, f]));
    expect(byPath.get(bomb)).toMatchObject({ compression: 'gzip', error: { code: 'file_too_large', message: expect.stringContaining(`decompresses to more than ${DEFAULT_MAX_FILE_BYTES} bytes`) } });
    expect(byPath.get(longLine)).toMatchObject({ format: 'json-lines', exports: 3 });
    expect(byPath.get(longLine)!.error).toBeUndefined();
    expect(byPath.get(document)).toMatchObject({ format: 'otlp-json', exports: 1 });
    expect(byPath.get(frame)).toMatchObject({ format: 'protobuf-frames', exports: 1, error: { code: 'truncated', message: expect.stringContaining('inside frame 2 (3 of 4294967295 bytes)') } });
    // The long line and the document are rejected as a live request of that size would be: 413.
    expect(report.malformedRequests).toEqual([
      expect.objectContaining({ source: `${longLine}:2`, status: 413, code: 'too_large', bytes: 40 * MiB + 10, message: expect.stringContaining(String(DEFAULT_MAX_BODY_BYTES)) }),
      expect.objectContaining({ source: document, status: 413, code: 'too_large' }),
    ]);
    expect(report.pointsChecked).toBe(2);
    expect(report.coverage.required).toMatchObject({ missing: [], missingFields: [] });
    const maxRss = Number(/maxRSS (\d+)/.exec(stderr)?.[1]) / 1024;
    // Node's own footprint plus one 8 MiB export and the stream buffers; the files total over 360 MiB.
    expect(maxRss, `peak RSS ${Math.round(maxRss)} MiB`).toBeLessThan(256);
  }, 300_000);
});
