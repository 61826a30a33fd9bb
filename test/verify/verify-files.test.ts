// `verify --file`, `--require`, `--min-coverage` as the command runs them: the demo's saved export
// passes `--require all` and fails naming a removed metric; the committed Codex CLI exports are
// checkable directly; and a saved export gives the report its live run gave.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerifyArgs, verifyCommand } from '../../src/cli/verify.js';
import { METRICS } from '../../src/generated/catalog.js';
import type { OtlpMetricsRequest } from '../../src/verify/otlp-types.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { FIXTURE_DIR, readManifest } from '../interop/fixtures.js';
import { DEFAULTS, histogram, postBytes, request, sum } from './payloads.js';

const BIN = fileURLToPath(new URL('../../bin/codex-otel-metrics.js', import.meta.url));
const CLEAN_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
const dir = mkdtempSync(join(tmpdir(), 'verify-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OK = { ...DEFAULTS, status: '200', success: 'true' };

interface Body {
  readonly contentType: string;
  readonly body: Buffer;
}

/** `verify ARGS` in process; `send` talks to the receiver of a live run. */
async function verify(args: string[], send?: (receiver: OtlpReceiver) => Promise<void>, onStderr?: (text: string, abort: () => void) => void) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let sending: Promise<void> = Promise.resolve();
  const code = await verifyCommand(send ? ['--listen', '127.0.0.1:0', ...args] : args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => {
      stderr += t;
      onStderr?.(t, () => controller.abort());
    },
    signal: controller.signal,
    onListening: (receiver) => {
      sending = (send ?? (async () => undefined))(receiver).finally(() => controller.abort());
    },
  });
  await sending;
  return { code, stdout, stderr, report: args.includes('--json') ? (JSON.parse(stdout) as VerifyRunReport) : undefined };
}

/** The same bodies, POSTed one by one to a live `verify`. */
function live(args: string[], bodies: readonly Body[]) {
  return verify(['--json', ...args], async (r) => {
    for (const b of bodies) await (await postBytes(r.metricsUrl, b.body, { 'content-type': b.contentType })).arrayBuffer();
  });
}

/** A report without what differs between a live run and a file run of the same data by nature. */
function comparable(report: VerifyRunReport) {
  const { listen: _l, files: _f, unreadFiles: _u, interrupted: _i, durationMs: _d, requests: _r, refusedConnections: _c, limits: _m, ...rest } = report;
  return { ...rest, malformedRequests: rest.malformedRequests.map(({ source: _s, ...m }) => m) };
}

function save(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('verify --file on the committed Codex CLI 0.171.0 exports (gzipped OTLP/JSON and protobuf bodies)', () => {
  const manifest = readManifest();
  const paths = manifest.entries.map((e) => join(FIXTURE_DIR, e.file));
  const bodies: Body[] = manifest.entries.map((e) => ({ contentType: e.contentType, body: gunzipSync(readFileSync(join(FIXTURE_DIR, e.file))) }));

  it('checks them directly and reports per-section coverage', async () => {
    const { code, report } = await verify(['--json', '--file', ...paths]);
    expect(report!.violations).toEqual([]);
    expect(code).toBe(0);
    expect(report!.files!.map((f) => [f.format, f.compression, f.exports, f.error])).toEqual(
      manifest.entries.map((e) => [e.protocol === 'json' ? 'otlp-json' : 'protobuf', 'gzip', 1, undefined]),
    );
    expect(report!.requests).toBe(paths.length);
    const arrived = report!.metricsSeen.length;
    expect(report!.coverage).toMatchObject({ ok: true, documented: METRICS.length, arrived });
    expect(report!.coverage.sections.reduce((n, s) => n + s.arrived, 0)).toBe(arrived);
    // Every Codex 0.171.0 start-up and approval-review metric is in the scenarios; no Windows one can be.
    expect(report!.coverage.sections.find((s) => s.section === 'Codex 0.171.0: automatic approval review')).toMatchObject({ percent: 100, missing: [] });
    expect(report!.coverage.sections.find((s) => s.section === 'Windows sandbox')).toMatchObject({ arrived: 0, percent: 0 });
  });

  it('gives the report the live run of the same bodies gives', async () => {
    // One malformed body among them: rejected identically by both.
    const all = [...bodies.slice(0, 3), { contentType: 'application/json', body: Buffer.from('{"resourceMetrics": 7}') }, ...bodies.slice(3)];
    const bad = save('bad.json', all[3].body);
    const files = [...paths.slice(0, 3), bad, ...paths.slice(3)];
    const [fromLive, fromFiles] = [await live(['--require', 'all'], all), await verify(['--json', '--require', 'all', '--file', ...files])];
    expect(fromLive.code).toBe(1);
    expect(fromFiles.code).toBe(1);
    expect(fromFiles.report!.malformedRequests).toEqual([expect.objectContaining({ index: 3, status: 400, code: 'bad_json', source: `${bad}:1` })]);
    expect(comparable(fromFiles.report!)).toEqual(comparable(fromLive.report!));
    expect(fromLive.report!.requests).toBe(fromFiles.report!.requests);
  });
});

describe('the demo export (demo --save, needs `npm run build`)', () => {
  let saved = '';
  let lines: string[] = [];
  beforeAll(async () => {
    saved = join(dir, 'demo', 'export.jsonl');
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'demo', '--save', saved], { env: CLEAN_ENV, timeout: 60_000 });
    expect(stdout).toContain(`saved 1 export(s) to ${saved} (JSON lines); check them with: codex-otel-metrics verify --file ${saved} --require all`);
    lines = readFileSync(saved, 'utf8').split('\n').filter(Boolean);
  }, 90_000);

  it('passes --require all: every documented metric arrived, with its required fields', async () => {
    const { code, stdout } = await verify(['--file', saved, '--require', 'all', '--min-coverage', '100']);
    expect(code).toBe(0);
    expect(stdout).toContain(`coverage: ${METRICS.length}/${METRICS.length} documented metrics arrived (100%)`);
    expect(stdout).toContain(`--require all: all ${METRICS.length} required metric(s) arrived`);
    expect(stdout).toContain('OK:');
  });

  it('fails --require all naming the one metric removed from it (text and JSON), and --min-coverage 100', async () => {
    const request = JSON.parse(lines[0]) as OtlpMetricsRequest;
    for (const rm of request.resourceMetrics ?? []) for (const sm of rm.scopeMetrics ?? []) sm.metrics = (sm.metrics ?? []).filter((m) => m.name !== 'codex.turn.e2e_duration_ms');
    const missing = save('missing-one.jsonl.gz', gzipSync(`${JSON.stringify(request)}\n`));
    const text = await verify(['--file', missing, '--require', 'all']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`--require all: 1 of ${METRICS.length} required metric(s) never arrived:\n  codex.turn.e2e_duration_ms\n`);
    expect(text.stdout).toContain('FAIL:');
    const json = await verify(['--json', '--file', missing, '--require', 'Turn and tool activity', '--require', 'api_request']);
    expect(json.code).toBe(1);
    expect(json.report).toMatchObject({ ok: false, violations: [], coverage: { ok: false, arrived: METRICS.length - 1, required: { missing: ['codex.turn.e2e_duration_ms'], missingFields: [] } } });
    expect(json.report!.coverage.required!.metrics).toBe(METRICS.filter((m) => m.section === 'Turn and tool activity').length + 1);
    // Without a gate the same export passes, and still reports what is missing.
    const ungated = await verify(['--json', '--file', missing]);
    expect(ungated.code).toBe(0);
    expect(ungated.report!.coverage.sections.flatMap((s) => s.missing)).toEqual(['codex.turn.e2e_duration_ms']);
    const min = await verify(['--file', missing, '--min-coverage', '100']);
    expect(min.code).toBe(1);
    expect(min.stdout).toMatch(/--min-coverage 100: coverage 99\.\d% is below it/);
    expect((await verify(['--file', missing, '--min-coverage', '99'])).code).toBe(0);
  });

  it('saves protobuf bodies as length-delimited frames with --protocol http/protobuf; --save needs the embedded receiver', async () => {
    const frames = join(dir, 'demo', 'export.binpb');
    await promisify(execFile)(process.execPath, [BIN, 'demo', '--save', frames, '--protocol', 'http/protobuf'], { env: CLEAN_ENV, timeout: 60_000 });
    const { code, report } = await verify(['--json', '--file', frames, '--require', 'all']);
    expect(code).toBe(0);
    expect(report!.files![0]).toMatchObject({ format: 'protobuf-frames', exports: 1 });
    const refused = await promisify(execFile)(process.execPath, [BIN, 'demo', '--save', frames, '--endpoint', 'http://127.0.0.1:1'], { env: CLEAN_ENV, timeout: 60_000 }).then(
      () => undefined,
      (err: { code: number; stderr: string }) => err,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('--save keeps what the embedded receiver got; it cannot be used with an endpoint');
  }, 90_000);

  it('gives the report the live run of the same bodies gives', async () => {
    const bodies = lines.map((l) => ({ contentType: 'application/json', body: Buffer.from(l) }));
    const fromLive = await live(['--require', 'all'], bodies);
    const fromFile = await verify(['--json', '--require', 'all', '--file', saved]);
    expect(fromLive.code).toBe(0);
    expect(fromFile.code).toBe(0);
    expect(comparable(fromFile.report!)).toEqual(comparable(fromLive.report!));
    expect(fromFile.report!.pointsChecked).toBeGreaterThanOrEqual(METRICS.length);
  });
});

describe('coverage in live runs', () => {
  it('the text and JSON reports always carry per-section coverage; gates fail a live run too', async () => {
    const send = async (r: OtlpReceiver) => {
      await postBytes(r.metricsUrl, Buffer.from(JSON.stringify(request(sum('codex.api_request', [[1, OK]]), histogram('codex.api_request.duration_ms', [[1, OK]], { unit: 'ms' }))), 'utf8'), {
        'content-type': 'application/json',
      });
    };
    const plain = await verify([], send);
    expect(plain.stdout).toMatch(/coverage: 2\/155 documented metrics arrived \(1\.3%\)\n {2}Runtime and model transport +2\/23 +8\.7%\n/);
    const gated = await verify(['--json', '--require', 'Runtime', '--min-coverage', '1'], send);
    expect(gated.code).toBe(1);
    expect(gated.report!.violations.filter((v) => v.code !== 'wrong_buckets')).toEqual([]);
    expect(gated.report!.coverage).toMatchObject({ ok: false, arrived: 2, minPercent: 1, required: { selectors: ['Runtime'], metrics: 23 } });
    expect(gated.report!.coverage.required!.missing).toHaveLength(21);
  });
});

describe('verify --file limits and outcomes', () => {
  const line = JSON.stringify(request(sum('codex.api_request', [[1, OK]])));

  it('reads at most --max-files files; the others are counted and fail the run', async () => {
    const paths = [1, 2, 3].map((i) => save(`m${i}.jsonl`, `${line}\n`));
    const { code, report } = await verify(['--json', '--max-files', '2', '--file', ...paths]);
    expect(code).toBe(1);
    expect(report).toMatchObject({ ok: false, requests: 2, unreadFiles: 1, interrupted: false, limits: { maxFiles: 2 } });
    expect(report!.files).toHaveLength(2);
    const text = await verify(['--max-files', '2', '--file', ...paths]);
    expect(text.stdout).toContain('1 file(s) not read: at most 2 files are read (--max-files)');
  });

  it('--max-file-bytes: a larger file is not read, and fails the run', async () => {
    const path = save('big.jsonl', `${line}\n${line}\n`);
    const { code, report, stdout } = await verify(['--json', '--max-file-bytes', String(line.length + 1), '--file', path]);
    expect(code).toBe(1);
    expect(report!.files![0]).toMatchObject({ exports: 0, error: { code: 'file_too_large' } });
    expect(stdout).toContain('"maxFileBytes": ');
    const text = await verify(['--max-file-bytes', String(line.length + 1), '--file', path]);
    expect(text.stdout).toMatch(/file file_too_large: .*big\.jsonl is \d+ bytes, more than \d+ \(limit --max-file-bytes\)/);
  });

  it('each export gets the per-request limits of a live request (--max-points): one rejected line, the others checked', async () => {
    const three = JSON.stringify(request(sum('codex.api_request', [[1, OK], [2, OK], [3, OK]])));
    const path = save('points.jsonl', `${line}\n${three}\n${line}\n`);
    const { code, report } = await verify(['--json', '--max-points', '2', '--file', path]);
    expect(code).toBe(1);
    expect(report).toMatchObject({ requests: 3, pointsChecked: 2, malformedRequestCount: 1 });
    expect(report!.malformedRequests).toEqual([{ index: 1, status: 413, code: 'too_many_points', message: expect.stringContaining('more than 2 data points'), contentType: 'application/json', bytes: three.length, source: `${path}:2` }]);
  });

  it('a file that cannot be read fails the run, the others are still checked', async () => {
    const good = save('good.jsonl', `${line}\n`);
    const { code, report } = await verify(['--json', '--file', join(dir, 'nope.jsonl'), good]);
    expect(code).toBe(1);
    expect(report!.files!.map((f) => f.error?.code)).toEqual(['unreadable', undefined]);
    expect(report!.pointsChecked).toBe(1);
  });

  it('a signal stops the run between two exports and the report is still written (interrupted, exit 1)', async () => {
    const violating = JSON.stringify(request(sum('codex.api_request', [[1, { ...OK, success: 'yes' }]])));
    const paths = [save('s1.jsonl', `${violating}\n${line}\n`), save('s2.jsonl', `${line}\n`)];
    // Stops at the first violation the run announces, i.e. while checking the first export.
    const { code, report } = await verify(['--json', '--file', ...paths], undefined, (text, abort) => {
      if (text.startsWith('violation ')) abort();
    });
    expect(code).toBe(1);
    expect(report).toMatchObject({ ok: false, interrupted: true, requests: 1, pointsChecked: 1, unreadFiles: 1 });
    expect(report!.files![0]).toMatchObject({ exports: 1, error: { code: 'interrupted' } });
    expect(report!.violations.map((v) => v.code)).toEqual(['invalid_value']);
  });

  it('reads the files in command-line order, positionals and --file values alike', async () => {
    expect(parseVerifyArgs(['a.json', '--file', 'b.json', 'c.json', '--json', '--file=d.json', 'e.json']).files).toEqual(['a.json', 'b.json', 'c.json', 'd.json', 'e.json']);
    expect(parseVerifyArgs([]).files).toBeUndefined();
  });

  it('rejects mixed or bad options with exit 2 and the usage', async () => {
    for (const args of [
      ['--file', 'x.json', '--listen', '127.0.0.1:0'],
      ['--file', 'x.json', '--duration', '1'],
      ['--file', 'x.json', '--request-timeout', '1'],
      ['--file', 'x.json', '--max-connections', '2'],
      ['--max-files', '2'],
      ['--max-file-bytes', '2'],
      ['x.json'],
      ['--file', 'x.json', '--max-files', '0'],
      ['--min-coverage', '101'],
      ['--min-coverage', 'most'],
      ['--require', 'tool_call'],
      ['--require', 'Codex'],
      ['--require', 'model_warning'],
    ]) {
      const { code, stderr } = await verify(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toContain('usage:');
    }
    const { stderr } = await verify(['--require', 'tool_call']);
    expect(stderr).toContain('did you mean codex.tool.call?');
  });
});
