// Catalog input from a pipe (issue #21): `list --docs FIFO` hung, waiting for a writer. Every
// command reading the catalog documents now refuses what is not a regular file at once, with the
// same words as `verify --file`.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'non-regular-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = join(dir, 'metrics.md');
const hasFifo = process.platform !== 'win32' && spawnSync('mkfifo', [fifo]).status === 0;

/** Runs the CLI; a hang is killed after 20 s and shows up as signal SIGKILL. */
async function cli(args: string[]): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

describe.skipIf(!hasFifo)('catalog documents that are not regular files', () => {
  it.each([
    [['list', '--docs', fifo], `${fifo}:0: not a regular file (a pipe, socket or device)`],
    [['list', '--attributes', fifo], `${fifo}:0: not a regular file (a pipe, socket or device)`],
    [['check', '--docs', fifo], `${fifo}:0: not a regular file (a pipe, socket or device)`],
    [['list', '--docs', dir], `${dir}:0: not a regular file (a directory)`],
    [['list', '--docs', '/dev/zero'], '/dev/zero:0: not a regular file (a pipe, socket or device)'],
  ])('%j: one line, exit 1, no hang', async (args, line) => {
    const { code, signal, stderr } = await cli(args);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(stderr).toBe(`${line}\n`);
  }, 30_000);

  it('verify --file says the same of the same pipe', async () => {
    const { code, signal, stdout } = await cli(['verify', '--file', fifo]);
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(stdout).toContain(`file not_a_file: ${fifo} is not a regular file (a pipe, socket or device)`);
  }, 30_000);
});
