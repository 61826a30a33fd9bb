// `verify`'s limit options and what its report says about them.
import { describe, expect, it } from 'vitest';
import { parseVerifyArgs, verifyCommand } from '../../src/cli/verify.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { DEFAULTS, postJson, request, sum } from './payloads.js';

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
