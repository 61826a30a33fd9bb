// Numbers on the verify command line (issue #21): durations within Node's timer limit (a longer
// timer fires after 1 ms, so `--duration 2147484` used to stop at once), decimal digits only.
import { describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../../src/cli/verify.js';
import { MAX_TIMER_MS, startOtlpReceiver } from '../../src/verify/receiver.js';

describe('verify: durations and counts', () => {
  it('--duration and --request-timeout: 0.001 s to 2147483.647 s', () => {
    expect(parseVerifyArgs(['--duration', '2147483.647']).durationMs).toBe(MAX_TIMER_MS);
    expect(parseVerifyArgs(['--request-timeout', '0.001']).requestTimeoutMs).toBe(1);
    expect(parseVerifyArgs(['--duration', '1.5']).durationMs).toBe(1_500);
    for (const flag of ['--duration', '--request-timeout']) {
      for (const bad of ['2147483.648', '2147484', '0', '0.0001', '+1']) {
        expect(() => parseVerifyArgs([flag, bad]), `${flag} ${bad}`).toThrow(new RegExp(`^${flag} must be a number of seconds in decimal digits from 0.001 to 2147483.647, got`));
      }
    }
  });

  it('hex, exponents, Infinity and blanks are refused wherever a number is read', () => {
    for (const bad of ['0x10', '1e3', 'Infinity', ' ', '']) {
      expect(() => parseVerifyArgs(['--duration', bad]), bad).toThrow(/--duration must be/);
      expect(() => parseVerifyArgs(['--max-points', bad]), bad).toThrow(/--max-points must be a positive integer in decimal digits/);
      expect(() => parseVerifyArgs(['--file', 'x', '--max-empty-exports', bad]), bad).toThrow(/--max-empty-exports must be a positive integer/);
    }
    expect(() => parseVerifyArgs(['--min-coverage', '1e1'])).toThrow(/--min-coverage must be a percentage/);
    expect(parseVerifyArgs(['--min-coverage', '50%']).minCoverage).toBe(50);
  });

  it('startOtlpReceiver: requestTimeoutMs past the timer limit is a RangeError', async () => {
    await expect(startOtlpReceiver({ requestTimeoutMs: MAX_TIMER_MS + 1 })).rejects.toThrow(/requestTimeoutMs must be a positive number up to 2147483647/);
  });
});
