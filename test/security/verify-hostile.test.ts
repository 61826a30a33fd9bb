// The `verify` CLI as a CI gate under hostile exports (issue #13): every case from the adversarial
// run, sent over loopback to the real CLI in a child process, ends in a counted outcome; the
// process neither dies nor hangs, its peak RSS stays under 512 MiB, and SIGTERM (even twice) still
// produces the whole report.
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { VerifyRunReport } from '../../src/verify/run-report.js';
import { DEFAULT_TAG_ATTRIBUTES, PROTOBUF, emptyPoints, keyValue, message, numberPoint, repeat, requestOf, startVerifyProcess, string, sumMetric } from '../verify/hostile-payloads.js';

const MiB = 1024 * 1024;

/** The status, or 'failed' when the exchange broke off (a refused connection, a body cut by a timeout). */
async function post(url: string, body: Uint8Array, headers: Record<string, string>): Promise<number | 'failed'> {
  try {
    const res = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 'failed';
  }
}

/** A NumberDataPoint with an as_double value (NaN, Infinity…) and the default tags. */
function doublePoint(value: number): Buffer {
  const double = Buffer.alloc(8);
  double.writeDoubleLE(value);
  const time = Buffer.alloc(8);
  time.writeBigUInt64LE(1_700_000_001_000_000_000n);
  const attributes = [...DEFAULT_TAG_ATTRIBUTES, keyValue('status', '200'), keyValue('success', 'true')];
  return message(1, Buffer.concat([...attributes.map((a) => message(7, a)), Buffer.from([(3 << 3) | 1]), time, Buffer.from([(4 << 3) | 1]), double]));
}

describe('verify under hostile input (child process, loopback)', () => {
  it('every case ends in a counted outcome, RSS stays under 512 MiB and SIGTERM writes the report', async () => {
    // Bodies are built first: building one takes seconds on a loaded machine, long enough for the
    // server to close fetch's idle keep-alive connection under it (an EPIPE, not what is tested).
    const bomb = gzipSync(requestOf(sumMetric('codex.api_request', emptyPoints(4_190_000))), { level: 9 });
    const large = requestOf(sumMetric('codex.api_request', repeat(numberPoint(1, [keyValue('status', '200')]), 130_000)));
    const distinctKeys = [0, 1, 2].map((request) => requestOf(sumMetric('codex.api_request', message(1, Buffer.concat(Array.from({ length: 350_000 }, (_, i) => message(7, keyValue(`u${request}_${i}`, 'v'))))))));
    const heavy = requestOf(sumMetric('codex.api_request', message(1, Buffer.concat([repeat(message(5), 100_000), message(15, Buffer.alloc(7_800_000))]))));
    const verify = await startVerifyProcess(['--json']);
    const url = verify.metricsUrl;
    try {
      // 8 KiB of gzip inflating to 8 MiB of empty data points (4.19 M): rejected before decoding.
      expect(bomb.length).toBeLessThan(16 * 1024);
      expect(await post(url, bomb, { ...PROTOBUF, 'content-encoding': 'gzip' })).toBe(413);

      // A valid export of 130,000 points in one metric: checked (it was a 500 from a stack overflow).
      expect(await post(url, large, PROTOBUF)).toBe(200);

      // An unknown metric name of 1 MiB (the did-you-mean blocked the loop for 47 s).
      expect(await post(url, requestOf(sumMetric(`codex.${'x'.repeat(MiB)}`, repeat(numberPoint(1, []), 100))), PROTOBUF)).toBe(200);

      // A NaN and an Infinity counter value.
      expect(await post(url, requestOf(sumMetric('codex.api_request', Buffer.concat([doublePoint(NaN), doublePoint(Infinity)]))), PROTOBUF)).toBe(200);

      // 3 × 350,000 distinct undocumented keys (1.15 GB of tally before); they fill the tally, so
      // they come after the cases whose violations the report must list.
      for (const body of distinctKeys) expect(await post(url, body, PROTOBUF)).toBe(200);

      // Numbers that are not numbers, in OTLP/JSON.
      const badJson = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'codex.api_request', sum: { dataPoints: [{ asInt: 'NaN', timeUnixNano: 'abc' }] } }] }] }] });
      expect(await post(url, Buffer.from(badJson), { 'content-type': 'application/json' })).toBe(400);

      // 20 uploads at once of 8 MB bodies (100,000 tiny objects and padding): bodies wait, read, for
      // their turn to be decoded one at a time; fetch may share connections, past 16 they are refused.
      const statuses = await Promise.all(Array.from({ length: 20 }, () => post(url, heavy, PROTOBUF)));
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 'failed')).toBe(true);

      const peak = verify.peakRssMiB();
      expect(peak, `peak RSS ${Math.round(peak)} MiB`).toBeLessThan(512);
    } finally {
      // Twice, as an impatient CI runner would: the second must not cut the report short.
      verify.child.kill('SIGTERM');
    }
    const { code, stdout, stderr } = await verify.stop('SIGTERM');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as VerifyRunReport;
    expect(report.ok).toBe(false);
    expect(report.malformedRequests.map((m) => `${m.status} ${m.code}`)).toEqual(['413 too_many_points', '400 bad_json']);
    expect(report.malformedRequests[1].message).toMatch(/dataPoints\[0\]\.asInt is not a 64-bit integer/);
    expect(report.violations.length).toBeLessThanOrEqual(1_000);
    expect(report.dropped.violations).toBeGreaterThan(1_000_000);
    const codes = new Set(report.violations.map((v) => v.code));
    for (const code of ['unknown_metric', 'undocumented_field', 'invalid_number', 'missing_default_tag']) expect(codes).toContain(code);
    const unknown = report.violations.find((v) => v.code === 'unknown_metric')!;
    expect(unknown.metric.length).toBeLessThan(300);
    expect(stdout.length).toBeLessThan(2 * MiB);
    expect(stderr.length).toBeLessThan(2 * MiB);
    expect(report.pointsChecked).toBeGreaterThanOrEqual(130_000 + 100 + 3 + 2);
  }, 600_000);

  it('the text report is written on SIGINT with the limits reached and says what was dropped', async () => {
    const verify = await startVerifyProcess(['--max-violations', '3', '--max-connections', '2', '--request-timeout', '2']);
    const url = verify.metricsUrl;
    const keys = Buffer.concat(Array.from({ length: 10 }, (_, i) => message(7, keyValue(`extra_${i}`, 'v'))));
    expect(await post(url, requestOf(sumMetric('codex.api_request', message(1, keys))), PROTOBUF)).toBe(200);
    // A body that never completes (slow bodies were only cut by Node's 300 s default): cut, counted.
    const slow = connect(Number(new URL(url).port), '127.0.0.1');
    slow.on('error', () => undefined).resume();
    slow.write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-protobuf\r\ncontent-length: 100000\r\n\r\n\n\x00');
    await new Promise<void>((resolve) => slow.once('close', () => resolve()));
    // Both connections busy (bodies still arriving; idle ones would make room): a third is refused.
    const busy = [0, 1].map(() => connect(Number(new URL(url).port), '127.0.0.1'));
    for (const socket of busy) socket.on('error', () => undefined).resume().write('POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-protobuf\r\ncontent-length: 100000\r\n\r\n\n\x00');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const third = connect(Number(new URL(url).port), '127.0.0.1').on('error', () => undefined).resume();
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    // The busy ones are cut by the timeout too.
    await Promise.all(busy.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve()))));
    const { code, stdout, stderr } = await verify.stop('SIGINT');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^3 distinct violation\(s\):$/m);
    expect(stdout).toMatch(/violation\(s\) of further kinds not listed: the report keeps 3 distinct violations \(--max-violations\)/);
    expect(stdout).toMatch(/1 connection\(s\) refused: 2 were already open, each with a request in progress \(--max-connections\); their exports were not checked/);
    expect(stdout).toMatch(/3 malformed request\(s\):\n {2}malformed request #1 \(application\/x-protobuf, 2 bytes\): HTTP 408 request_timeout: the body did not arrive within 2000 ms/);
    expect(stdout).toMatch(/^FAIL: /m);
    expect(stderr).toMatch(/refused a connection/);
  }, 120_000);
});

it('string() and message() build what protobufjs reads (helper sanity)', () => {
  expect([...message(1, string(2, 'a'))]).toEqual([0x0a, 3, 0x12, 1, 0x61]);
});
