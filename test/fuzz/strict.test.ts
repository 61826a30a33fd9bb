// Strict mode under fuzzed input: a call that breaks a documented rule throws CodexMetricsError with
// the code of one of the rules it breaks; a call that breaks none never throws; what is exported is
// exact (closed sets, booleans and ints as documented).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CodexMetricsError, type CodexMetricsErrorCode } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';
import {
  anyCall,
  CALLS_PER_RUN,
  closeEnough,
  defaultsProblems,
  fieldsProblems,
  hasInheritedEnumerable,
  materialize,
  badTimerStart,
  mergedTimerFields,
  mergesBoth,
  MIN_CALLS_PER_FILE,
  nameProblem,
  numberProblem,
  SPECS,
  wireTotals,
  wireViolation,
  type Call,
  type FieldsSpec,
  type Loose,
} from './model.js';

const RUNS = 300;
const tally = { good: 0, bad: 0, hostile: 0 };

/** What the oracle expects from one call. */
type Expectation =
  | { readonly kind: 'good' }
  | { readonly kind: 'bad'; readonly codes: readonly CodexMetricsErrorCode[] }
  /** The caller's own getter or proxy throws: some exception must come out (it may be the host's own). */
  | { readonly kind: 'host' };

function throwsOnAccess(f: FieldsSpec): boolean {
  return f.shape === 'object' && (f.hostile === 'getter' || f.hostile === 'proxy');
}

function expectFields(name: string, spec: FieldsSpec, fields: unknown, before: CodexMetricsErrorCode[]): Expectation {
  if (before.length > 0) return { kind: 'bad', codes: before };
  if (throwsOnAccess(spec)) return { kind: 'host' };
  // Only own properties are fields: inherited ones are ignored, whatever is in the cache.
  const own = hasInheritedEnumerable(fields) ? Object.fromEntries(Object.keys(fields as object).map((k) => [k, (fields as Record<string, unknown>)[k]])) : fields;
  const codes = fieldsProblems(SPECS.get(name)!, own);
  return codes.length > 0 ? { kind: 'bad', codes } : { kind: 'good' };
}

function capture(work: () => void): unknown {
  try {
    work();
    return undefined;
  } catch (err) {
    return err ?? new Error('thrown undefined');
  }
}

function check(expected: Expectation, thrown: unknown, call: Call): void {
  const where = `${JSON.stringify(call, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`;
  switch (expected.kind) {
    case 'good':
      tally.good++;
      expect(thrown, `good call threw: ${where}`).toBeUndefined();
      return;
    case 'bad':
      tally.bad++;
      expect(thrown, `bad call (${expected.codes.join(', ')}) did not throw: ${where}`).toBeInstanceOf(CodexMetricsError);
      expect(expected.codes, where).toContain((thrown as CodexMetricsError).code);
      return;
    case 'host':
      tally.hostile++;
      expect(thrown, `hostile fields did not throw: ${where}`).toBeDefined();
      return;
  }
}

interface Account {
  counterSum: number;
  observations: number;
}

function run(view: Loose, call: Call, acc: Account): Loose {
  switch (call.op) {
    case 'add': {
      const fields = materialize(call.fields);
      const increment = call.increment === undefined ? 1 : call.increment;
      const named = nameProblem(call.name, 'counter');
      const expected = named ? ({ kind: 'bad', codes: [named] } as const) : expectFields(call.name as string, call.fields, fields, [numberProblem(increment)].filter((c) => c !== undefined));
      const thrown = capture(() => view.add(call.name, fields, call.increment));
      check(expected, thrown, call);
      if (thrown === undefined) acc.counterSum += increment as number;
      return view;
    }
    case 'record': {
      const fields = materialize(call.fields);
      const named = nameProblem(call.name, 'histogram');
      const expected = named ? ({ kind: 'bad', codes: [named] } as const) : expectFields(call.name as string, call.fields, fields, [numberProblem(call.value)].filter((c) => c !== undefined));
      const thrown = capture(() => view.record(call.name, call.value, fields));
      check(expected, thrown, call);
      if (thrown === undefined) acc.observations++;
      return view;
    }
    case 'timer': {
      const start = materialize(call.start);
      const named = nameProblem(call.name, 'histogram');
      let stop: ((fields?: unknown) => number) | undefined;
      const startThrown = capture(() => (stop = view.startTimer(call.name, start)));
      if (named) {
        check({ kind: 'bad', codes: [named] }, startThrown, call);
        return view;
      }
      if (badTimerStart(start)) {
        check({ kind: 'bad', codes: ['invalid_fields'] }, startThrown, call);
        return view;
      }
      check({ kind: 'good' }, startThrown, call);
      const stopFields = materialize(call.stop);
      const merged = mergedTimerFields(start, stopFields);
      const mergedSpec: FieldsSpec = merged === start ? call.start : merged === stopFields ? call.stop : { shape: 'absent' };
      const expected = expectFields(call.name as string, mergedSpec, merged, []);
      let ms = -1;
      const thrown = capture(() => (ms = stop!(stopFields)));
      check(expected, thrown, call);
      if (thrown === undefined) {
        acc.observations++;
        expect(Number.isInteger(ms) && ms >= 0).toBe(true);
        if (call.stops === 2) expect(stop!(stopFields)).toBe(ms);
      }
      return view;
    }
    case 'withDefaults': {
      const defaults = materialize(call.defaults);
      const codes = defaultsProblems(defaults);
      let next: Loose | undefined;
      const thrown = capture(() => (next = view.withDefaults(defaults)));
      check(codes.length > 0 ? { kind: 'bad', codes } : { kind: 'good' }, thrown, call);
      return next ?? view;
    }
  }
}

/** Calls for the strict property (timer start fields of any shape, merged with any stop fields). */
const strictCall = anyCall({ hostile: true, hostileMerges: false });

describe('strict mode under fuzzed input', () => {
  afterAll(() => {
    // Both sides of the oracle were exercised, substantially.
    expect(tally.good).toBeGreaterThan(1_000);
    expect(tally.bad).toBeGreaterThan(1_000);
    expect(tally.hostile).toBeGreaterThan(20);
    expect(tally.good + tally.bad + tally.hostile).toBeGreaterThanOrEqual(MIN_CALLS_PER_FILE);
  });

  it('every bad call throws CodexMetricsError with the code of a rule it breaks; no good call throws; the wire is exact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(strictCall, CALLS_PER_RUN), async (calls) => {
        const t = createTestCodexMetrics({ strict: true });
        try {
          let view = t.metrics as unknown as Loose;
          const acc: Account = { counterSum: 0, observations: 0 };
          for (const call of calls) view = run(view, call, acc);
          const points = await t.snapshot();
          expect(wireViolation(points, { strict: true, stats: t.metrics.stats() })).toBeUndefined();
          const totals = wireTotals(points);
          expect(closeEnough(totals.counterSum, acc.counterSum), `counter sum ${totals.counterSum} on the wire, ${acc.counterSum} accepted`).toBe(true);
          expect(totals.observations).toBe(acc.observations);
          // Strict mode throws instead of counting.
          expect(t.metrics.stats()).toEqual({ dropped: {}, sanitized: {} });
        } finally {
          await t.shutdown();
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('strict mode regressions: the cache and timer start fields', () => {
  it('the same call gets the same verdict whatever was recorded before (fields inherited through the prototype)', () => {
    const t = createTestCodexMetrics({ strict: true });
    const m = t.metrics as unknown as Loose;
    const inherited = () => Object.create({ tool: 'git', success: true }) as object;
    const first = capture(() => m.add('tool.call', inherited()));
    m.add('tool.call', { tool: 'git', success: true });
    const second = capture(() => m.add('tool.call', inherited()));
    expect((second as CodexMetricsError | undefined)?.code).toBe((first as CodexMetricsError | undefined)?.code);
  });

  it('timer start fields that are not an object throw invalid_fields even when stop fields are given', () => {
    const t = createTestCodexMetrics({ strict: true });
    const m = t.metrics as unknown as Loose;
    expect(() => m.startTimer('tool.call.duration_ms', 42)(undefined)).toThrow(CodexMetricsError);
    expect(() => m.startTimer('tool.call.duration_ms', 'shell')).toThrow(/invalid_fields/);
  });

  it('a getter that throws: strict mode lets the caller\'s own exception through unchanged (documented here)', () => {
    const t = createTestCodexMetrics({ strict: true });
    const fields = Object.defineProperty({ tool: 'shell' }, 'success', { get: () => { throw new RangeError('from the getter'); }, enumerable: true });
    expect(() => t.metrics.add('tool.call', fields as never)).toThrow(RangeError);
  });
});
