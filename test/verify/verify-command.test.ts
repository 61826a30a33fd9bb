import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_MALFORMED, parseListen, parseVerifyArgs, verifyCommand } from '../../src/cli/verify.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { DEFAULTS, postJson, request, sum } from './payloads.js';

const OK = { ...DEFAULTS, status: '200', success: 'true' };

/** Runs `verify` on an ephemeral port, lets `send` talk to it, then stops it like Ctrl-C would. */
async function run(args: string[], send: (receiver: OtlpReceiver) => Promise<void>) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let sending: Promise<void> = Promise.resolve();
  const code = await verifyCommand(['--listen', '127.0.0.1:0', ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    signal: controller.signal,
    onListening: (receiver) => {
      sending = send(receiver).finally(() => controller.abort());
    },
  });
  await sending;
  return { code, stdout, stderr };
}

describe('verify command', () => {
  it('exits 0 with an OK summary for a conforming stream', async () => {
    const { code, stdout } = await run([], async (r) => {
      await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, OK]])));
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/1 request\(s\), 1 data point\(s\), 1 metric\(s\)/);
    expect(stdout).toContain('OK:');
  });

  it('exits 1 and lists violations and malformed requests, as JSON with --json', async () => {
    const { code, stdout, stderr } = await run(['--json'], async (r) => {
      await postJson(r.metricsUrl, request(sum('codex.api_requests', [[1, OK]]), sum('codex.api_request', [[1, { ...OK, success: 'yes' }]])));
      await fetch(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyRunReport;
    expect(report).toMatchObject({ ok: false, requests: 2, pointsChecked: 2, malformedRequestCount: 1 });
    expect(report.violations.map((v) => [v.code, v.metric, v.field ?? null, v.count])).toEqual([
      ['invalid_value', 'codex.api_request', 'success', 1],
      ['unknown_metric', 'codex.api_requests', null, 1],
    ]);
    expect(report.malformedRequests).toEqual([expect.objectContaining({ index: 1, status: 400, code: 'bad_json' })]);
    expect(stderr).toMatch(/malformed request #1 .*HTTP 400 bad_json/);
    expect(stderr).toMatch(/violation unknown_metric: .*did you mean codex\.api_request\?/);
  });

  it.each([[[]], [['--json']]])('never echoes a secret-looking value (args %j)', async (args) => {
    const SECRET = 'sk-live-4f9a8b7c6d5e4f3a2b1c';
    const { code, stdout, stderr } = await run(args, async (r) => {
      // A closed-set field, a free-text field with a space, an undocumented field, and a body that is not JSON.
      await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, { ...OK, auth_mode: SECRET }], [1, { ...OK, model: `Bearer ${SECRET}`, api_key: SECRET }]])));
      await fetch(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: SECRET });
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(args.length ? /"invalid_value"/ : /invalid_value/);
    expect(stderr).toMatch(/violation invalid_value: codex\.api_request field auth_mode is not one of .* \(\d+ chars\)/);
    expect(stderr).toMatch(/malformed request #1 .*bad_json/);
    for (const output of [stdout, stderr]) expect(output).not.toContain('sk-live');
  });

  it('keeps neither points nor request records, but counts them and lists the last malformed requests', async () => {
    const bad = MAX_REPORTED_MALFORMED + 2;
    let retained: unknown[] = [];
    const { code, stdout } = await run(['--json'], async (r) => {
      await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, OK], [1, { ...OK, status: '500' }]])));
      for (let i = 0; i < bad; i++) await (await fetch(r.metricsUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' })).arrayBuffer();
      retained = [...r.points(), ...r.requests()];
    });
    expect(code).toBe(1);
    expect(retained).toEqual([]);
    const report = JSON.parse(stdout) as VerifyRunReport;
    expect(report).toMatchObject({ requests: bad + 1, pointsChecked: 2, malformedRequestCount: bad });
    expect(report.malformedRequests).toHaveLength(MAX_REPORTED_MALFORMED);
    expect(report.malformedRequests[0].index).toBe(3);
    expect(report.malformedRequests.at(-1)!.index).toBe(bad);
  });

  it('--ignore drops a code', async () => {
    const { auth_mode: _, ...noAuth } = OK;
    const { code } = await run(['--ignore', 'missing_default_tag'], async (r) => {
      await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, noAuth]])));
    });
    expect(code).toBe(0);
  });

  it('stops after --duration', async () => {
    const t0 = Date.now();
    let stdout = '';
    const code = await verifyCommand(['--listen', '127.0.0.1:0', '--duration', '0.1'], { stdout: (t) => void (stdout += t), stderr: () => undefined });
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(stdout).toContain('warning: no data points received');
  });

  it('rejects bad arguments with exit code 2', async () => {
    for (const args of [['--duration', 'x'], ['--listen', 'nope'], ['--ignore', 'bogus'], ['--frobnicate']]) {
      let stderr = '';
      expect(await verifyCommand(args, { stderr: (t) => void (stderr += t) })).toBe(2);
      expect(stderr).toContain('usage:');
    }
  });

  it('parses listen addresses', () => {
    expect(parseListen('127.0.0.1:4318')).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListen('4318')).toEqual({ host: '127.0.0.1', port: 4318 });
    expect(parseListen(':4318')).toEqual({ host: '127.0.0.1', port: 4318 });
  });
});

describe('verify limit options', () => {
  it('have documented defaults', () => {
    expect(parseVerifyArgs([])).toMatchObject({ maxConnections: 16, requestTimeoutMs: 30_000, maxPoints: 200_000, maxViolations: 1_000, maxSeries: 100_000 });
    expect(parseVerifyArgs(['--max-connections', '4', '--request-timeout', '0.5', '--max-points', '10', '--max-violations', '2', '--max-series', '3'])).toMatchObject({
      maxConnections: 4,
      requestTimeoutMs: 500,
      maxPoints: 10,
      maxViolations: 2,
      maxSeries: 3,
    });
  });

  it.each([['--max-connections', '0'], ['--max-points', '1.5'], ['--max-violations', 'many'], ['--max-series', '-1'], ['--request-timeout', '0']])('%s %s is a usage error (exit 2)', async (flag, value) => {
    let stderr = '';
    expect(await verifyCommand([flag, value], { stderr: (t) => void (stderr += t) })).toBe(2);
    expect(stderr).toContain(flag);
    expect(stderr).toContain('usage:');
  });

  it('the JSON report carries the dropped counts, refused connections, internal errors and the limits of the run', async () => {
    const { code, stdout } = await run(['--json', '--max-violations', '1', '--max-points', '2'], async (r) => {
      await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true', a: 'x', b: 'y' }]])));
      const res = await postJson(r.metricsUrl, request(sum('codex.api_request', [[1, {}], [1, {}], [1, {}]])));
      expect(res.status).toBe(413);
    });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyRunReport;
    expect(report.violations).toHaveLength(1);
    expect(report).toMatchObject({
      ok: false,
      dropped: { violations: 1, metricNames: 0, monotonicChecks: 0 },
      refusedConnections: 0,
      internalErrors: 0,
      limits: { maxConnections: 16, maxDistinctViolations: 1, maxSeries: 100_000 },
      malformedRequestCount: 1,
    });
    expect(report.malformedRequests[0]).toMatchObject({ status: 413, code: 'too_many_points' });
  });
});
