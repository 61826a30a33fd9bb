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

  // Each row alone in the alias table; the error is at that row.
  it.each([
    ['a field that has no row', '| `nope` | `x` | `y` |', 'alias for `nope`, which has no row in the attribute table'],
    ['a canonical value that is not one of the values', '| `mode` | `api_key` | `Api` |', 'alias `api_key` of `mode` is sent as `Api`, which is not one of its values'],
    ['an open string field (no values to be sent as)', '| `status` | `ok` | `success` |', 'alias `ok` of `status` is sent as `success`, which is not one of its values'],
    ['an alias that is already a value', '| `mode` | `Chatgpt` | `ApiKey` |', 'alias `Chatgpt` of `mode` is already one of its values'],
    ['characters the emitter rejects', '| `mode` | `api key` | `ApiKey` |', 'alias `api key` must match [A-Za-z0-9._/-]+'],
    ['an alias not in backticks', '| `mode` | api_key | `ApiKey` |', 'alias row needs `field`, `alias` and `sent as` in backticks'],
    ['no canonical value', '| `mode` | `api_key` | |', 'alias row needs'],
    ['no field', '| | `api_key` | `ApiKey` |', 'alias row needs'],
  ])('%s: %s', (_what, line, fragment) => {
    const text = attrs(line);
    expectError(run(text), A, lineContaining(text, line), fragment);
  });

  it('an alias defined twice (even with the same canonical value)', () => {
    const text = attrs('| `mode` | `api_key` | `ApiKey` |', '| `mode` | `api_key` | `ApiKey` |');
    const second = text.split('\n').lastIndexOf('| `mode` | `api_key` | `ApiKey` |') + 1;
    expect(second).toBeGreaterThan(lineContaining(text, '| `api_key` |'));
    expectError(run(text), A, second, 'alias `api_key` of `mode` is defined twice');
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
