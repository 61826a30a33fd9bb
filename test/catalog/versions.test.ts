// Codex version ranges: parsing against the covered versions, and what they say of any version.
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import { compareVersions, formatRange, parseVersionRange, sendsIn } from '../../src/catalog/versions.js';

const COVERED = ['0.160.0', '0.165.0', '0.169.1', '0.171.0'];
const range = (text: string) => parseVersionRange(text, COVERED, 'm.md', 3, '`x`');

describe('Codex version ranges', () => {
  it('order versions numerically', () => {
    expect(['0.171.0', '0.99.0', '0.160.0', '1.0.0', '0.160.10'].sort(compareVersions)).toEqual(['0.99.0', '0.160.0', '0.160.10', '0.171.0', '1.0.0']);
  });

  it('carry the covered versions just outside them', () => {
    expect(range('0.160.0..')).toEqual({ since: '0.160.0' });
    expect(range('0.165.0..')).toEqual({ since: '0.165.0', absentThrough: '0.160.0' });
    expect(range('0.160.0..0.169.1')).toEqual({ since: '0.160.0', until: '0.169.1', absentFrom: '0.171.0' });
    expect(range('0.165.0..0.165.0')).toEqual({ since: '0.165.0', until: '0.165.0', absentThrough: '0.160.0', absentFrom: '0.169.1' });
    expect(formatRange(range('0.160.0..0.169.1'))).toBe('0.160.0..0.169.1');
  });

  it.each([
    ['0.165.0..', { '0.150.0': 'no', '0.160.0': 'no', '0.162.0': 'unknown', '0.165.0': 'yes', '0.180.0': 'yes' }],
    ['0.160.0..0.169.1', { '0.150.0': 'unknown', '0.169.1': 'yes', '0.170.0': 'unknown', '0.171.0': 'no', '0.172.0': 'no' }],
    ['0.160.0..', { '0.100.0': 'unknown', '0.160.0': 'yes', '9.0.0': 'yes' }],
  ] as const)('%s says of versions', (text, expected) => {
    const r = range(text);
    for (const [version, answer] of Object.entries(expected)) expect(sendsIn(r, version), version).toBe(answer);
  });

  it('are checked against the covered versions', () => {
    for (const [text, reason] of [
      ['0.161.0..', '0.161.0 is not a covered version'],
      ['0.160.0..0.171.0', 'write `0.160.0..`'],
      ['0.169.1..0.165.0', 'the range ends before it starts'],
      ['0.160.0', 'expected `A..` (from A on) or `A..B`'],
    ]) {
      expect(() => range(text)).toThrow(CatalogError);
      expect(() => range(text)).toThrow(reason);
    }
  });
});
