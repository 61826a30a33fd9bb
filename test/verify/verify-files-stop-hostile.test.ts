// Stopping during a long file (issue #21): `verify --file` on a gzip inflating to 256 MiB of blank
// lines ignored SIGTERM (nothing was emitted, so nothing checked for the signal), and a gzip of
// 64 M empty frames took minutes of CPU (each decoded and checked as a request). Now the signal is
// seen between any two chunks, the report is always written, blank runs are skipped a chunk at a
// time, and empty exports are counted and capped per file.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_EMPTY_EXPORTS, DEFAULT_MAX_FILE_BYTES, readExportFile } from '../../src/verify/export-files.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { gzipFile } from './hostile-payloads.js';
import { DEFAULTS, request, sum } from './payloads.js';

const MiB = 1024 * 1024;
const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'verify-stop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const GOOD = JSON.stringify(request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]])));

/** Runs the CLI; `signalAfter` sends SIGTERM that long after it says it is reading. */
async function verifyFiles(files: string[], signalAfterMs?: number): Promise<{ code: number | null; report: VerifyRunReport; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'verify', '--json', '--file', ...files], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (signalAfterMs !== undefined && stderr.includes('verify: reading')) {
      setTimeout(() => child.kill('SIGTERM'), signalAfterMs);
      signalAfterMs = undefined;
    }
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, report: JSON.parse(stdout) as VerifyRunReport, stderr };
}

describe('verify --file stops, and bounds its work, in any file', () => {
  it('SIGTERM during 256 MiB of blank lines: stopped inside the file, the report written', async () => {
    const blank = join(dir, 'blank.jsonl.gz');
    await gzipFile(blank, DEFAULT_MAX_FILE_BYTES - MiB, 0x0a);
    // The same file many times over: the signal lands while one of them is being read.
    const { code, report, stderr } = await verifyFiles(Array.from({ length: 20 }, () => blank), 300);
    expect(code, stderr).toBe(1);
    expect(report.interrupted).toBe(true);
    const stopped = report.files!.find((f) => f.error?.code === 'interrupted');
    expect(stopped, JSON.stringify(report.files)).toBeDefined();
    expect(stopped!.error!.message).toBe(`stopped after 0 export(s) of ${blank}`);
    expect(stopped!.bytes).toBeLessThan(statSync(blank).size);
    expect(report.unreadFiles).toBeGreaterThan(0);
  }, 120_000);

  it('a gzip of 64 M empty frames: the file stops at the cap; lines of {} count too', async () => {
    const frames = join(dir, 'frames.binpb.gz');
    await gzipFile(frames, DEFAULT_MAX_FILE_BYTES, 0x00);
    const braces = join(dir, 'braces.jsonl');
    writeFileSync(braces, `${GOOD}\n${'{}\n'.repeat(DEFAULT_MAX_EMPTY_EXPORTS + 5)}`);
    const few = join(dir, 'few.jsonl');
    writeFileSync(few, `{}\n${GOOD}\n{}\n`);
    const { code, report } = await verifyFiles([frames, braces, few]);
    expect(code).toBe(1);
    const [f, b, w] = report.files!;
    expect(f).toMatchObject({ format: 'protobuf-frames', exports: DEFAULT_MAX_EMPTY_EXPORTS + 1, emptyExports: DEFAULT_MAX_EMPTY_EXPORTS + 1, error: { code: 'too_many_empty_exports' } });
    expect(f.error!.message).toBe(`${frames} has more than ${DEFAULT_MAX_EMPTY_EXPORTS} exports without data points (limit --max-empty-exports); the rest of it is not read`);
    // Work bounded by the cap (10,001 frames of 4 bytes read), not by the 256 MiB the file inflates to.
    expect(b).toMatchObject({ format: 'json-lines', emptyExports: DEFAULT_MAX_EMPTY_EXPORTS + 1, error: { code: 'too_many_empty_exports' } });
    // Under the cap: valid, counted and reported, not a failure of the file.
    expect(w).toMatchObject({ format: 'json-lines', exports: 3, emptyExports: 2 });
    expect(w.error).toBeUndefined();
    expect(report.pointsChecked).toBe(2);
    expect(report.malformedRequestCount).toBe(0);
  }, 120_000);
});

describe('readExportFile: the stop check runs between chunks, blank runs keep line numbers', () => {
  it('a stop asked for while blank lines are read ends the file at the next chunk', async () => {
    const path = join(dir, 'blank-plain.jsonl');
    writeFileSync(path, `${GOOD}\n${'\n'.repeat(4 * MiB)}${GOOD}\n`);
    let checks = 0;
    const summary = await readExportFile(path, { maxFileBytes: 64 * MiB, maxExportBytes: MiB }, () => true, () => ++checks > 3);
    expect(summary).toMatchObject({ exports: 1, error: { code: 'interrupted', message: `stopped after 1 export(s) of ${path}` } });
    expect(summary.bytes).toBeLessThan(MiB);
  });

  it('lines after a run of blank lines keep their numbers; spaces, tabs and CRs are blank too', async () => {
    const path = join(dir, 'numbered.jsonl');
    writeFileSync(path, `\n \r\n${GOOD}\n\n\t\n${GOOD}\r\n   \n${GOOD}`);
    const sources: string[] = [];
    const summary = await readExportFile(path, { maxFileBytes: MiB, maxExportBytes: MiB }, (saved) => {
      sources.push(saved.source);
      return true;
    });
    expect(summary).toMatchObject({ format: 'json-lines', exports: 3, emptyExports: 0 });
    expect(sources).toEqual([`${path}:3`, `${path}:6`, `${path}:8`]);
  });
});
