// The "Value aliases" table of docs/attributes.md: spellings accepted for a field and sent as one
// canonical value, so both emitters give one series per concept.
import { describe, expect, it } from 'vitest';
import { renderCatalogModule } from '../../src/catalog/generate.js';
import { ALIAS_HEADER, build, expectError, lineContaining, metricRow as row, metricsDoc, miniAttributes, miniAttributesWithAliases } from './helpers.js';

const A = 'attributes.md';
const METRICS = metricsDoc(['Runtime', [row('a', 'counter', '`status`, `mode`', 'A.')]]);
/** `mode` has a closed set; `status` (in miniAttributes) is an open string. */
const MODE = '| `mode` | string | `ApiKey` \\| `Chatgpt` | | Mode. |';
const attrs = (...aliasRows: string[]) => miniAttributesWithAliases(aliasRows, MODE);
const run = (attributes: string) => () => build(METRICS, attributes);

describe('value aliases', () => {
  it('map field -> alias -> canonical value, for default tags and metric fields alike', () => {
    const catalog = build(METRICS, attrs('| `mode` | `api_key` | `ApiKey` |', '| `mode` | `swic` | `Chatgpt` |', '| `auth_mode` | `apikey` | `api` |'));
    expect(catalog.aliases).toEqual({ mode: { api_key: 'ApiKey', swic: 'Chatgpt' }, auth_mode: { apikey: 'api' } });
    // The values themselves are unchanged: aliases are accepted spellings, not values.
    expect(catalog.metrics[0].fields.mode.values).toEqual(['ApiKey', 'Chatgpt']);
    const text = renderCatalogModule(catalog);
    expect(text).toContain("  a: { status: string; mode: 'ApiKey' | 'Chatgpt' | 'api_key' | 'swic' };");
    expect(text).toContain("  auth_mode?: 'api' | 'unknown' | 'apikey';");
  });

  it('none without the table', () => {
    expect(build(METRICS, miniAttributes(MODE)).aliases).toEqual({});
  });

  it('an alias for a field that has no row', () => {
    const text = attrs('| `nope` | `x` | `y` |');
    expectError(run(text), A, lineContaining(text, '| `nope` |'), 'alias for `nope`, which has no row in the attribute table');
  });

  it('a canonical value that is not one of the values of the field', () => {
    const text = attrs('| `mode` | `api_key` | `Api` |');
    expectError(run(text), A, lineContaining(text, '| `api_key` |'), 'alias `api_key` of `mode` is sent as `Api`, which is not one of its values');
  });

  it('an alias for an open string field (no values to be sent as)', () => {
    const text = attrs('| `status` | `ok` | `success` |');
    expectError(run(text), A, lineContaining(text, '| `ok` |'), 'alias `ok` of `status` is sent as `success`, which is not one of its values');
  });

  it('an alias that is already a value', () => {
    const text = attrs('| `mode` | `Chatgpt` | `ApiKey` |');
    expectError(run(text), A, lineContaining(text, '| `mode` | `Chatgpt` |'), 'alias `Chatgpt` of `mode` is already one of its values');
  });

  it('an alias defined twice (even with the same canonical value)', () => {
    const text = attrs('| `mode` | `api_key` | `ApiKey` |', '| `mode` | `api_key` | `ApiKey` |');
    const second = text.split('\n').lastIndexOf('| `mode` | `api_key` | `ApiKey` |') + 1;
    expect(second).toBeGreaterThan(lineContaining(text, '| `api_key` |'));
    expectError(run(text), A, second, 'alias `api_key` of `mode` is defined twice');
  });

  it.each([
    ['| `mode` | `api key` | `ApiKey` |', 'alias `api key` must match [A-Za-z0-9._/-]+'],
    ['| `mode` | api_key | `ApiKey` |', 'alias row needs `field`, `alias` and `sent as` in backticks'],
    ['| `mode` | `api_key` | |', 'alias row needs'],
    ['| | `api_key` | `ApiKey` |', 'alias row needs'],
  ])('a malformed row: %s', (line, fragment) => {
    const text = attrs(line);
    expectError(run(text), A, lineContaining(text, line), fragment);
  });

  it('an alias table without the "Sent as" column', () => {
    const text = [miniAttributes(MODE), '| Field | Alias |', '| --- | --- |', '| `mode` | `api_key` |', ''].join('\n');
    expectError(run(text), A, lineContaining(text, '| `mode` | `api_key` |'), 'alias table is missing the "sent as" column');
  });

  it('ALIAS_HEADER is recognised by its Alias column wherever the table sits', () => {
    const first = ['# Attributes', '', ...ALIAS_HEADER, '| `mode` | `api_key` | `ApiKey` |', '', miniAttributes(MODE)].join('\n');
    expect(build(METRICS, first).aliases).toEqual({ mode: { api_key: 'ApiKey' } });
  });
});
