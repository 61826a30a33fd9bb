// Lenient mode (the default) under fuzzed input: it never throws, every exported point is what the
// Rust emitter could have sent, and every measurement is either on the wire or counted as dropped.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestCodexMetrics } from '../../src/testing/index.js';
import {
  anyCall,
  CALLS_PER_RUN,
  closeEnough,
  materialize,
  badTimerStart,
  mergedTimerFields,
  MIN_CALLS_PER_FILE,
  nameProblem,
  numberProblem,
  wireTotals,
  wireViolation,
  type Call,
  type FieldsSpec,
  type Loose,
} from './model.js';

const DEFAULTS = { auth_mode: 'chatgpt', originator: 'codex_cli_rs', session_source: 'cli', model: 'gpt-5.1-codex', 'app.version': '0.64.0' } as const;
const RUNS = 300;
let generatedCalls = 0;

interface Account {
  counterSum: number;
  observations: number;
  dropped: number;
}

function throwsOnAccess(f: FieldsSpec): boolean {
  return f.shape === 'object' && (f.hostile === 'getter' || f.hostile === 'proxy');
}

/** Lenient drops a measurement whose fields are not an object (or cannot be read at all). */
function dropsFields(spec: FieldsSpec, value: unknown): boolean {
  if (throwsOnAccess(spec)) return true;
  if (value === undefined || value === null) return false;
  return typeof value !== 'object' || Array.isArray(value);
}

/** `detached`: the methods are called without their object (`const { add } = metrics`). */
function run(view: Loose, call: Call, acc: Account, detached = false): Loose {
  generatedCalls++;
  const { add, record, startTimer, withDefaults } = view;
  switch (call.op) {
    case 'add': {
      const fields = materialize(call.fields);
      if (detached) add(call.name, fields, call.increment);
      else view.add(call.name, fields, call.increment);
      const increment = call.increment === undefined ? 1 : call.increment;
      if (nameProblem(call.name, 'counter') || numberProblem(increment) || dropsFields(call.fields, fields)) acc.dropped++;
      else acc.counterSum += increment as number;
      return view;
    }
    case 'record': {
      const fields = materialize(call.fields);
      if (detached) record(call.name, call.value, fields);
      else view.record(call.name, call.value, fields);
      if (nameProblem(call.name, 'histogram') || numberProblem(call.value) || dropsFields(call.fields, fields)) acc.dropped++;
      else acc.observations++;
      return view;
    }
    case 'timer': {
      const start = materialize(call.start);
      const stop = detached ? startTimer(call.name, start) : view.startTimer(call.name, start);
      expect(typeof stop).toBe('function');
      const stopFields = materialize(call.stop);
      const ms = stop(stopFields);
      if (call.stops === 2) expect(stop(stopFields)).toBe(ms); // a timer records once
      if (nameProblem(call.name, 'histogram') || badTimerStart(start)) {
        expect(ms).toBe(0);
        acc.dropped++;
        return view;
      }
      expect(Number.isInteger(ms) && ms >= 0).toBe(true);
      // Hostile objects only reach the merge alone (see the known-bug tests), never spread.
      const merged = mergedTimerFields(start, stopFields);
      const mergedSpec = merged === start ? call.start : merged === stopFields ? call.stop : ({ shape: 'absent' } as const);
      if (dropsFields(mergedSpec, merged)) acc.dropped++;
      else acc.observations++;
      return view;
    }
    case 'withDefaults': {
      const next = detached ? withDefaults(materialize(call.defaults)) : view.withDefaults(materialize(call.defaults));
      expect(typeof next.add).toBe('function');
      return next;
    }
  }
}

describe('lenient mode under fuzzed input', () => {
  afterAll(() => {
    // The suite's budget: at least 10,000 generated calls across lenient and strict (strict.test.ts).
    expect(generatedCalls).toBeGreaterThanOrEqual(MIN_CALLS_PER_FILE);
  });

  it('never throws; every point is valid on the wire; every measurement is exported or counted as dropped', async () => {
    // Through the producer (the default) or the SDK path, sometimes with a tiny series limit (the
    // overflow series), methods called on their object or detached.
    const setUp = fc.record({
      withDefaults: fc.boolean(),
      aggregateInPackage: fc.boolean(),
      maxSeriesPerMetric: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      detached: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(anyCall({ hostile: true, hostileMerges: false }), CALLS_PER_RUN), setUp, async (calls, options) => {
        const t = createTestCodexMetrics({
          ...(options.withDefaults ? { defaults: DEFAULTS } : {}),
          aggregateInPackage: options.aggregateInPackage,
          ...(options.maxSeriesPerMetric ? { maxSeriesPerMetric: options.maxSeriesPerMetric } : {}),
        });
        try {
          let view = t.metrics as unknown as Loose;
          const acc: Account = { counterSum: 0, observations: 0, dropped: 0 };
          for (const call of calls) view = run(view, call, acc, options.detached);
          const points = await t.snapshot();
          const stats = t.metrics.stats();
          expect(wireViolation(points, { strict: false, stats })).toBeUndefined();
          const totals = wireTotals(points);
          expect(closeEnough(totals.counterSum, acc.counterSum), `counter sum ${totals.counterSum} on the wire, ${acc.counterSum} recorded`).toBe(true);
          expect(totals.observations).toBe(acc.observations);
          const dropped = Object.values(stats.dropped).reduce((a, b) => a + (b ?? 0), 0);
          expect(dropped).toBe(acc.dropped);
        } finally {
          await t.shutdown();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('closed sets: lenient keeps a valid value outside the set and counts it as value_not_allowed (documented)', async () => {
    const t = createTestCodexMetrics({ defaults: DEFAULTS });
    const m = t.metrics as unknown as Loose;
    m.add('task.compact', { type: 'manual', manual: true });
    m.record('turn.token_usage', 5, { token_type: 'bogus tokens', tmp_mem_enabled: false });
    const points = await t.snapshot();
    expect(points.find((p) => p.name === 'codex.task.compact')!.attributes.type).toBe('manual');
    expect(points.find((p) => p.name === 'codex.turn.token_usage')!.attributes.token_type).toBe('bogus_tokens');
    expect(m.stats()).toEqual({ dropped: {}, sanitized: { value_not_allowed: 1, invalid_value: 1 } });
    await t.shutdown();
  });
});

describe('lenient mode regressions: hostile objects outside add/record never throw', () => {
  const getter = () => Object.defineProperty({}, 'model', { get: () => { throw new Error('getter'); }, enumerable: true });
  const proxy = () => new Proxy({}, { ownKeys: () => { throw new Error('proxy'); } });

  it('withDefaults with a getter that throws does not throw', () => {
    const t = createTestCodexMetrics();
    expect(() => (t.metrics as unknown as Loose).withDefaults(getter())).not.toThrow();
  });

  it('withDefaults with a proxy whose traps throw does not throw', () => {
    const t = createTestCodexMetrics();
    expect(() => (t.metrics as unknown as Loose).withDefaults(proxy())).not.toThrow();
  });

  // Same root cause, at creation: createCodexMetrics -> normalizeDefaults.
  it('createCodexMetrics({ defaults }) with a getter that throws does not throw', () => {
    expect(() => createTestCodexMetrics({ defaults: getter() as never })).not.toThrow();
  });

  it('a timer with fields at start and at stop, one of them a getter that throws, does not throw at stop', () => {
    const t = createTestCodexMetrics();
    const stop = (t.metrics as unknown as Loose).startTimer('tool.call.duration_ms', { tool: 'shell' });
    expect(() => stop(Object.defineProperty({}, 'success', { get: () => { throw new Error('getter'); }, enumerable: true }))).not.toThrow();
  });

  it('a timer with a proxy as start fields and fields at stop does not throw at stop', () => {
    const t = createTestCodexMetrics();
    const stop = (t.metrics as unknown as Loose).startTimer('tool.call.duration_ms', proxy());
    expect(() => stop({ success: true })).not.toThrow();
  });
});
