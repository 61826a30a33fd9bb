// Codex version ranges: parsing against the covered versions, and what they say of any version.
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../src/catalog/errors.js';
import { compareVersions, formatRange, parseVersionRange, sendsIn } from '../../src/catalog/versions.js';
import { build, expectError, lineContaining, metricRow as row, metricsDocWith, miniAttributes, VERSIONS_HEADER } from './helpers.js';

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

describe('Codex versions of fields and values (docs/attributes.md)', () => {
  const metrics = metricsDocWith({ codexVersions: ['0.160.0', '0.165.0', '0.171.0'] }, ['Runtime', [row('a', 'counter', '`status`, `success`, `kind`', 'A.', { versions: '0.160.0..' }), row('b', 'counter', '`status`', 'B.')]]);
  const attributes = (...rows: string[]) => [miniAttributes('| `kind` | string | `x` \\| `y` | | Kind. |'), '## Codex versions of fields and values', '', ...VERSIONS_HEADER, ...rows, ''].join('\n');

  it('date a field on the metrics they name (all with the field when none), and a value', () => {
    const catalog = build(metrics, attributes('| `status` | | | 0.165.0.. |', '| `kind` | `y` | `a` | 0.160.0..0.160.0 |'));
    const [a, b] = catalog.metrics;
    expect(a.fields.status.versions).toEqual({ since: '0.165.0', absentThrough: '0.160.0' });
    expect(b.fields.status.versions).toEqual({ since: '0.165.0', absentThrough: '0.160.0' });
    expect(a.fields.kind.valueVersions).toEqual({ y: { since: '0.160.0', until: '0.160.0', absentFrom: '0.165.0' } });
    expect(a.fields.success).not.toHaveProperty('versions');
  });

  it.each([
    ['| `nope` | | | 0.165.0.. |', 'versions of `nope`, which has no row in the attribute table'],
    ['| `status` | | `zzz` | 0.165.0.. |', 'versions of `status` name `zzz`, which is not a metric'],
    ['| `kind` | | `b` | 0.165.0.. |', 'versions of `kind` apply to no metric that has that field'],
    ['| `kind` | `z` | `a` | 0.165.0.. |', '`kind` value `z` of `a` is not one of its values (x | y)'],
    ['| `status` | | | 0.163.0.. |', '0.163.0 is not a covered version'],
    ['| `status` | | |  |', 'needs its Codex versions'],
  ])('%s is an error', (line, reason) => {
    const text = attributes(line);
    expectError(() => build(metrics, text, { metrics: 'metrics.md', attributes: 'attributes.md' }), 'attributes.md', lineContaining(text, line.slice(0, 12), lineContaining(text, '| Value |')), reason);
  });

  it('a field dated twice for one metric is an error', () => {
    const text = attributes('| `status` | | | 0.165.0.. |', '| `status` | | `a` | 0.171.0.. |');
    expectError(() => build(metrics, text, { metrics: 'metrics.md', attributes: 'attributes.md' }), 'attributes.md', lineContaining(text, '| `status` | | `a` |'), '`status` of `a` is dated twice');
  });
});
