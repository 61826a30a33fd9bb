// Coverage of the documented metrics and its gates (`verify --require`, `--min-coverage`), and how
// `--require` selectors resolve.
import { describe, expect, it } from 'vitest';
import { METRICS, RETIRED_METRICS } from '../../src/generated/catalog.js';
import { coverageTargets, createCoverageTracker } from '../../src/verify/coverage.js';
import type { CoverageTarget } from '../../src/verify/coverage.js';
import { flattenRequest } from '../../src/verify/points.js';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { RequireError, resolveRequired } from '../../src/verify/required-metrics.js';
import { DEFAULTS, gauge, histogram, request, sum } from './payloads.js';

const TARGETS = coverageTargets(METRICS);
const points = (...metrics: Parameters<typeof request>): ReceivedPoint[] => flattenRequest(request(...metrics), { contentType: 'application/json', requestIndex: 0 });
const OK = { ...DEFAULTS, status: '200', success: 'true' };
const sections = [...new Set(METRICS.map((m) => m.section))];

describe('coverage tracker', () => {
  it('has one target per registry metric, with its wire name, kind, section and required fields', () => {
    expect(TARGETS).toHaveLength(METRICS.length);
    expect(TARGETS.find((t) => t.metric === 'codex.api_request')).toEqual({ metric: 'codex.api_request', kind: 'counter', section: 'Runtime and model transport', required: ['status', 'success'] });
    expect(coverageTargets(METRICS, 'x.')[0].metric).toBe(`x.${METRICS[0].name}`);
  });

  it('reports arrived / documented per section in documentation order, always', () => {
    const tracker = createCoverageTracker(TARGETS);
    tracker.observe(points(sum('codex.api_request', [[1, OK]]), histogram('codex.api_request.duration_ms', [[1, OK]])));
    const report = tracker.report();
    expect(report).toMatchObject({ ok: true, documented: METRICS.length, arrived: 2, percent: Math.round((2 / METRICS.length) * 1000) / 10 });
    expect(report.required).toBeUndefined();
    expect(report.minPercent).toBeUndefined();
    expect(report.sections.map((s) => s.section)).toEqual(sections);
    const runtime = report.sections[0];
    const documented = METRICS.filter((m) => m.section === runtime.section).length;
    expect(runtime).toMatchObject({ documented, arrived: 2, percent: Math.round((2 / documented) * 1000) / 10 });
    expect(runtime.missing).not.toContain('codex.api_request');
    expect(runtime.missing).toHaveLength(documented - 2);
    expect(report.sections.slice(1).every((s) => s.arrived === 0 && s.percent === 0 && s.missing.length === s.documented)).toBe(true);
  });

  it('counts a metric as arrived on its name and kind only: other problems do not undo arrival', () => {
    const tracker = createCoverageTracker(TARGETS);
    tracker.observe(
      points(
        // Wrong kind: a gauge, and a non-monotonic sum, named like counters: not arrived.
        gauge('codex.api_request', 1, OK),
        sum('codex.sse_event', [[1, OK]], { monotonic: false }),
        // Right kind, wrong unit, undocumented field, missing required field: arrived.
        sum('codex.tool.call', [[1, { ...DEFAULTS, nope: 'x' }]], { unit: 'ms' }),
        // Not in the registry, or a histogram where a counter is documented: not counted.
        sum('codex.tool_call', [[1, OK]]),
        histogram('codex.websocket.request', [[1, OK]]),
      ),
    );
    const { arrived, sections: bySection } = tracker.report();
    expect(arrived).toBe(1);
    expect(bySection.flatMap((s) => s.missing)).toEqual(expect.arrayContaining(['codex.api_request', 'codex.sse_event', 'codex.websocket.request']));
    expect(bySection.flatMap((s) => s.missing)).not.toContain('codex.tool.call');
  });

  it('--require: names the required metrics that never arrived and the required fields never seen', () => {
    const required = resolveRequired(['api_request', 'tool.call', 'codex.sse_event'], TARGETS);
    const tracker = createCoverageTracker(TARGETS, { required });
    // api_request arrives complete over two points; tool.call never carries `success`; sse_event never arrives.
    tracker.observe(points(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200' }], [1, { ...DEFAULTS, success: 'true' }]])));
    tracker.observe(points(sum('codex.tool.call', [[1, { ...DEFAULTS, tool: 'shell' }]])));
    const report = tracker.report();
    expect(report.ok).toBe(false);
    expect(report.required).toEqual({
      selectors: ['api_request', 'tool.call', 'codex.sse_event'],
      metrics: 3,
      missing: ['codex.sse_event'],
      missingFields: [{ metric: 'codex.tool.call', fields: ['success'] }],
    });
    tracker.observe(points(sum('codex.sse_event', [[1, { ...DEFAULTS, kind: 'x', success: 'true' }]]), sum('codex.tool.call', [[1, { ...DEFAULTS, tool: 'shell', success: 'false' }]])));
    expect(tracker.report()).toMatchObject({ ok: true, required: { missing: [], missingFields: [] } });
  });

  it('--min-coverage: judged on the exact ratio over every target, not the rounded percent', () => {
    const targets: CoverageTarget[] = [0, 1, 2].map((i) => ({ metric: `m${i}`, kind: 'counter', section: 'S', required: [] }));
    const tracker = (minPercent: number) => {
      const t = createCoverageTracker(targets, { minPercent });
      t.observe(points(sum('m0', [[1, {}]])));
      return t.report();
    };
    // 1/3 = 33.333…%, shown as 33.3.
    expect(tracker(33.3)).toMatchObject({ ok: true, percent: 33.3, minPercent: 33.3 });
    expect(tracker(33.34)).toMatchObject({ ok: false, percent: 33.3 });
    expect(tracker(0).ok).toBe(true);
    expect(createCoverageTracker(targets, { minPercent: 100 }).report().ok).toBe(false);
  });

  it('counts targets of another convention passed in beside the registry (the later GenAI view)', () => {
    const genAi: CoverageTarget = { metric: 'gen_ai.client.token.usage', kind: 'histogram', section: 'GenAI (semantic conventions)', required: ['gen_ai.token.type'] };
    const targets = [...TARGETS, genAi];
    const tracker = createCoverageTracker(targets, { required: resolveRequired(['GenAI'], targets) });
    expect(tracker.report().required?.missing).toEqual(['gen_ai.client.token.usage']);
    tracker.observe(points(histogram('gen_ai.client.token.usage', [[1, { 'gen_ai.token.type': 'input' }]], { unit: '{token}' })));
    const report = tracker.report();
    expect(report).toMatchObject({ ok: true, documented: METRICS.length + 1, arrived: 1 });
    expect(report.sections.at(-1)).toEqual({ section: 'GenAI (semantic conventions)', documented: 1, arrived: 1, percent: 100, missing: [] });
  });

  it('keeps state bounded by the targets: unknown names are not remembered', () => {
    const tracker = createCoverageTracker(TARGETS);
    for (let i = 0; i < 1000; i++) tracker.observe(points(sum(`codex.unknown_${i}`, [[1, OK]])));
    expect(tracker.report().arrived).toBe(0);
  });
});

describe('--require selectors', () => {
  const names = (selectors: string[]) => resolveRequired(selectors, TARGETS, { retired: RETIRED_METRICS }).metrics;
  const failure = (selectors: string[]) => {
    try {
      resolveRequired(selectors, TARGETS, { retired: RETIRED_METRICS });
    } catch (err) {
      return err as RequireError;
    }
    throw new Error(`${selectors.join(' ')} resolved`);
  };

  it('all, metric names with or without the prefix, in documentation order and once each', () => {
    expect(names(['all'])).toEqual(TARGETS.map((t) => t.metric));
    expect(names(['ALL', 'api_request'])).toHaveLength(METRICS.length);
    expect(names(['tool.call', 'codex.api_request', 'api_request'])).toEqual(['codex.api_request', 'codex.tool.call']);
    expect(names(['api_request,tool.call , codex.sse_event'])).toEqual(['codex.api_request', 'codex.sse_event', 'codex.tool.call']);
  });

  it('a section title, or the start of exactly one, case-insensitive; a whole title wins over a comma list', () => {
    const windows = METRICS.filter((m) => m.section === 'Windows sandbox').map((m) => `codex.${m.name}`);
    expect(names(['Windows sandbox'])).toEqual(windows);
    expect(names(['windows'])).toEqual(windows);
    expect(names(['Threads, tasks, and features'])).toHaveLength(METRICS.filter((m) => m.section === 'Threads, tasks, and features').length);
    expect(names(['Codex 0.171.0: automatic'])).toHaveLength(METRICS.filter((m) => m.section === 'Codex 0.171.0: automatic approval review').length);
  });

  it('rejects what names nothing or is ambiguous, saying what would match', () => {
    expect(failure(['Codex'])).toMatchObject({ code: 'ambiguous_section', message: expect.stringContaining('Codex 0.171.0: transport and start-up; Codex 0.171.0: tools') });
    expect(failure(['tool_call'])).toMatchObject({ code: 'unknown_selector', message: expect.stringContaining('did you mean codex.tool.call?') });
    expect(failure(['api_request,nope'])).toMatchObject({ code: 'unknown_selector', message: expect.stringContaining('--require nope') });
    expect(failure(['  '])).toMatchObject({ code: 'empty_selector' });
    const retired = failure(['cloud_requirements.load']);
    expect(retired.code).toBe('retired_metric');
    expect(retired.message).toMatch(/retired .*require codex\.cloud_config_bundle\./);
    expect(failure(['codex.model_warning']).code).toBe('retired_metric');
  });
});
