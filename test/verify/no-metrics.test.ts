// `verify --file` on a file with no OTLP metrics in it (`{"hello":1}`, an empty file, a request
// with no resourceMetrics) fails with exit 1 and says why: nothing was checked, so nothing passed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyCommand } from '../../src/cli/verify.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { FIXTURE_DIR } from '../interop/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'verify-no-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function verify(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await verifyCommand(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe('verify --file without OTLP metrics', () => {
  for (const [name, content, why] of [
    ['hello.json', '{"hello":1}\n', /hello\.json: no OTLP metrics: its 1 export\(s\) hold no data point/],
    ['empty.json', '', /empty\.json: no OTLP metrics: it holds no export \(empty or blank\)/],
    ['blank.jsonl.gz', gzipSync('\n\n'), /blank\.jsonl\.gz: no OTLP metrics: it holds no export/],
    ['no-resource-metrics.json', '{"resourceMetrics":[]}', /no-resource-metrics\.json: no OTLP metrics: its 1 export\(s\) hold no data point/],
  ] as const) {
    it(`${name}: exit 1, the file named with the reason`, async () => {
      const path = file(name, content);
      const text = await verify(['--file', path]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(new RegExp(`^file no_metrics: \\S*${why.source}`, 'm'));
      const json = await verify(['--json', '--file', path]);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as VerifyRunReport;
      expect(report.ok).toBe(false);
      expect(report.files?.[0].error).toMatchObject({ code: 'no_metrics', message: expect.stringMatching(why) });
    });
  }

  it('a good export beside it does not make the empty file pass; the good file alone passes', async () => {
    const good = join(FIXTURE_DIR, 'plain-turn.json.0.json.gz');
    const bad = file('beside.json', '{"hello":1}');
    const both = await verify(['--json', '--file', good, bad]);
    expect(both.code).toBe(1);
    const report = JSON.parse(both.stdout) as VerifyRunReport;
    expect(report.files?.map((f) => f.error?.code)).toEqual([undefined, 'no_metrics']);
    expect((await verify(['--file', good])).code).toBe(0);
  });
});
