// OTLP/JSON decoding. The JSON mapping is the protobuf one (camelCase keys, int64 as strings or
// numbers, enums as numbers or names, doubles as numbers or "NaN"/"Infinity") except that trace and
// span ids are hex instead of base64. Two passes, both bounded: the text is scanned for nesting and
// object count before JSON.parse (which alone costs ~100 bytes per `{}`), then the parsed tree is
// walked along the protobuf schema, counting points and attributes, rejecting what is not valid
// OTLP/JSON (`"abc"` as an int64, which protobufjs' fromObject would silently turn into garbage)
// and rewriting values in place into the shape a decoded protobuf body has after toObject (int64 as
// decimal strings, enums as numbers, bytes as base64). No copy of the tree is made, so both
// transports normalise through the same code at the cost of the parsed JSON alone.
import { Enum, Type } from 'protobufjs';
import type { Field } from 'protobufjs';
import { ExportMetricsServiceRequest, INT64_TYPES, OtlpDecodeError, countMessage, errorMessage } from './otlp-proto.js';
import type { OtlpMetricsRequest } from './otlp-types.js';
import { RequestBudget, RequestLimitError } from './request-limits.js';

/**
 * JSON nesting of a request before any attribute value: request → resourceMetrics → scopeMetrics
 * → metrics → sum → dataPoints → exemplars → filteredAttributes → value is 15 objects and arrays.
 * Each nesting level of a value adds at most 4 (kvlistValue, values, the pair, its value).
 */
const JSON_SKELETON_DEPTH = 16;
const JSON_DEPTH_PER_NESTING = 4;

/** Decodes an application/json ExportMetricsServiceRequest. */
export function decodeMetricsJson(text: string, budget: RequestBudget): OtlpMetricsRequest {
  scanJsonText(text, budget, JSON_SKELETON_DEPTH + JSON_DEPTH_PER_NESTING * budget.limits.maxNestingDepth);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${withoutSnippet(errorMessage(err))}`);
  }
  if (!isPlainObject(parsed)) throw new OtlpDecodeError('invalid OTLP/JSON: the body must be a JSON object');
  walkMessage(parsed, ExportMetricsServiceRequest, budget, 0, []);
  return parsed as OtlpMetricsRequest;
}

/**
 * Counts objects and arrays outside strings against the budget and stops at `maxDepth` nesting,
 * in one pass over the text. Malformed JSON is left to JSON.parse to report.
 */
function scanJsonText(text: string, budget: RequestBudget, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      budget.object();
      if (++depth > maxDepth) {
        throw new RequestLimitError('maxNestingDepth', 400, `the request nests JSON deeper than ${maxDepth} levels (limit maxNestingDepth = ${budget.limits.maxNestingDepth} inside attribute values)`);
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
}

/**
 * Checks a parsed message against `type` and normalises it in place: known fields must have their
 * JSON type (integers in range), and are rewritten as toObject renders them; null fields are
 * removed (absent, as in protobuf). Unknown keys are left alone (nothing reads them), `__proto__`
 * included: JSON.parse makes it an ordinary own key, and this walk never copies keys onto another
 * object.
 */
function walkMessage(object: Record<string, unknown>, type: Type, budget: RequestBudget, depth: number, path: Path): void {
  for (const key of Object.keys(object)) {
    const field = Object.hasOwn(type.fields, key) ? type.fields[key] : undefined;
    if (!field) continue;
    const value = object[key];
    if (value === null) {
      delete object[key];
      continue;
    }
    path.push(key);
    if (field.repeated) {
      if (!Array.isArray(value)) throw invalid(path, 'is not an array');
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        const replaced = walkValue(value[i], field, budget, depth, path);
        if (replaced !== undefined) value[i] = replaced;
        path.pop();
      }
    } else {
      const replaced = walkValue(value, field, budget, depth, path);
      if (replaced !== undefined) object[key] = replaced;
    }
    path.pop();
  }
}

/** Keys and indexes from the request down to the value being checked; rendered only for errors. */
type Path = (string | number)[];

/** Checks one value of `field`; returns a replacement when the value must be rewritten. */
function walkValue(value: unknown, field: Field, budget: RequestBudget, depth: number, path: Path): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof Type) {
    if (!isPlainObject(value)) throw invalid(path, 'is not an object');
    // Objects were counted by the text scan; points, attributes and nesting are counted here.
    walkMessage(value, resolved, budget, countMessage(resolved, field, depth, budget), path);
    return undefined;
  }
  if (resolved instanceof Enum) {
    if (typeof value === 'string' && Object.hasOwn(resolved.values, value)) return resolved.values[value];
    if (typeof value === 'number' && isIntegerIn(value, INT32)) return undefined;
    throw invalid(path, `is not a ${resolved.name} name or number`);
  }
  if (field.repeated && INT64_TYPES.has(field.type)) budget.object();
  const problem = scalarProblem(value, field.type);
  if (problem) throw invalid(path, problem);
  return normalised(value as string | number | boolean, field);
}

/** The value as toObject renders it (int64 as a decimal string, other numbers as numbers), when it differs. */
function normalised(value: string | number | boolean, field: Field): unknown {
  if (INT64_TYPES.has(field.type)) {
    const decimal = BigInt(value as string | number).toString();
    return decimal === value ? undefined : decimal;
  }
  if (field.type === 'bytes') {
    // Trace and span ids are hex in OTLP/JSON, base64 (like every other bytes field) in toObject.
    const hexId = (field.name === 'traceId' || field.name === 'spanId') && HEX.test(value as string);
    return hexId ? Buffer.from(value as string, 'hex').toString('base64') : undefined;
  }
  return typeof value === 'string' && field.type !== 'string' ? Number(value) : undefined;
}

/** Why `value` is not a valid OTLP/JSON `type`, without echoing it (bodies may hold secrets). */
function scalarProblem(value: unknown, type: string): string | undefined {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? undefined : 'is not a string';
    case 'bytes':
      return typeof value === 'string' && BASE64.test(value) ? undefined : 'is not a base64 string';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'is not true or false';
    case 'double':
    case 'float':
      return isJsonDouble(value) ? undefined : 'is not a number (or "NaN", "Infinity", "-Infinity")';
    default: {
      const range = INTEGER_RANGES[type];
      if (!range) return undefined;
      return isIntegerIn(value, range) ? undefined : `is not ${range.name}`;
    }
  }
}

interface IntegerRange {
  readonly name: string;
  readonly min: bigint;
  readonly max: bigint;
}

const INT32: IntegerRange = { name: 'a 32-bit integer', min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32: IntegerRange = { name: 'an unsigned 32-bit integer', min: 0n, max: 2n ** 32n - 1n };
const INT64: IntegerRange = { name: 'a 64-bit integer', min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64: IntegerRange = { name: 'an unsigned 64-bit integer', min: 0n, max: 2n ** 64n - 1n };
const INTEGER_RANGES: Readonly<Record<string, IntegerRange>> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};

/** An integer number, or a decimal string of one (proto3 JSON accepts both), within `range`. */
function isIntegerIn(value: unknown, range: IntegerRange): boolean {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return false;
    n = BigInt(value);
  } else if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) {
    n = BigInt(value);
  } else {
    return false;
  }
  return n >= range.min && n <= range.max;
}

function isJsonDouble(value: unknown): boolean {
  if (typeof value === 'number') return true;
  return typeof value === 'string' && (value === 'NaN' || value === 'Infinity' || value === '-Infinity' || DECIMAL_NUMBER.test(value));
}

/** At most 20 digits: anything longer is out of every range, and BigInt of a huge string is slow. */
const DECIMAL_INTEGER = /^-?\d{1,20}$/;
const DECIMAL_NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function invalid(path: Path, problem: string): OtlpDecodeError {
  const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  return new OtlpDecodeError(`invalid OTLP/JSON ExportMetricsServiceRequest: ${where.slice(1)} ${problem}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** V8 quotes a slice of the body in some JSON.parse errors; bodies may hold secrets, so drop it. */
function withoutSnippet(message: string): string {
  return message.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, ' (not valid JSON)');
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
