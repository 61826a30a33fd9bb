// The runtime's int spelling and the conformance checker's int rule are one rule (isWireInt).
import { describe, expect, it } from 'vitest';
import { isWireInt, type FieldSpec } from '../../src/catalog/spec.js';
import { formatValue } from '../../src/runtime/values.js';
import { valueProblem } from '../../src/verify/value-rules.js';

const INT: FieldSpec = { name: 'status_code', type: 'int', description: '' };

describe('int field spelling', () => {
  it.each([0, 7, -3, 200, Number.MAX_SAFE_INTEGER, '007', '-12', '9007199254740991'])('%j is written canonically and accepted by verify', (raw) => {
    const { value, problem } = formatValue(INT, raw);
    expect(problem).toBeUndefined();
    expect(isWireInt(value)).toBe(true);
    expect(valueProblem(value, INT)).toBeUndefined();
  });

  it.each([1.5, '1.5', '9007199254740993', '', 'x7', Number.NaN])('%j is not an int for the runtime', (raw) => {
    expect(formatValue(INT, raw).problem).toBe('wrong_type');
  });

  it.each(['007', '-0', '9007199254740993', '0012', '1e3'])('verify rejects the non-canonical or unsafe spelling %j', (text) => {
    expect(valueProblem(text, INT)).toMatch(/decimal integer/);
  });
});
