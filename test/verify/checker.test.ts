import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FieldSpec, MetricSpec } from '../../src/catalog/spec.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import type { ConformanceCheckerOptions } from '../../src/verify/checker.js';
import { encodeMetricsProtobuf } from '../../src/verify/otlp-proto.js';
import type { OtlpKeyValue, OtlpMetricsRequest } from '../../src/verify/otlp-types.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import { DEFAULTS, gauge, histogram, postBytes, postJson, request, sum } from './payloads.js';

const field = (name: string, type: FieldSpec['type'], values?: string[]): FieldSpec => ({ name, type, description: name, ...(values ? { values } : {}) });
const STATUS = field('status', 'int', ['none']);
const SUCCESS = field('success', 'boolean');
const spec = (name: string, kind: MetricSpec['kind'], unit: string, required: FieldSpec[], optional: FieldSpec[] = []): MetricSpec => ({
  name,
  kind,
  unit,
  description: name,
  section: 'test',
  tags: 'session',
  required: required.map((f) => f.name),
  optional: optional.map((f) => f.name),
  fields: Object.fromEntries([...required, ...optional].map((f) => [f.name, f])),
});

const SPECS: MetricSpec[] = [
  spec('api_request', 'counter', '1', [STATUS, SUCCESS]),
  spec('api_request.duration_ms', 'histogram', 'ms', [STATUS, SUCCESS]),
  spec('turn.token_usage', 'histogram', '{token}', [field('token_type', 'string', ['input', 'output'])]),
  spec('mcp.call', 'counter', '1', [field('status', 'string')], [field('tool', 'string')]),
];
const DEFAULT_TAGS: Record<string, FieldSpec> = {
  auth_mode: field('auth_mode', 'string', ['ApiKey', 'Chatgpt', 'unknown']),
  originator: field('originator', 'string'),
  session_source: field('session_source', 'string'),
  model: field('model', 'string'),
  'app.version': field('app.version', 'string'),
};

const OK = { ...DEFAULTS, status: '200', success: 'true' };

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** Posts each request (JSON, or protobuf when asked), then checks everything received. */
async function verify(requests: OtlpMetricsRequest[], options: Partial<ConformanceCheckerOptions> & { protobuf?: boolean } = {}) {
  for (const body of requests) {
    const res = options.protobuf
      ? await postBytes(receiver.metricsUrl, encodeMetricsProtobuf(body), { 'content-type': 'application/x-protobuf' })
      : await postJson(receiver.metricsUrl, body);
    expect(res.status).toBe(200);
  }
  const checker = createConformanceChecker({ specs: SPECS, defaultTags: DEFAULT_TAGS, ...options });
  const violations = checker.check(receiver.points());
  return { violations, report: checker.report() };
}

/** The report holds exactly one distinct violation; returns it. */
function only(report: Awaited<ReturnType<typeof verify>>['report']) {
  expect(report.violations).toHaveLength(1);
  return report.violations[0];
}

describe('a conforming stream', () => {
  it('has no violations over protobuf (and counters may omit the unit)', async () => {
    const { report } = await verify(
      [
        request(
          sum('codex.api_request', [[3, OK], [1, { ...OK, status: 'none', success: 'false' }]]),
          sum('codex.mcp.call', [[1, { ...DEFAULTS, status: 'ok' }]], { unit: '' }),
          histogram('codex.api_request.duration_ms', [[2, OK]]),
          histogram('codex.turn.token_usage', [[1, { ...DEFAULTS, token_type: 'input' }]], { unit: '{token}', temporality: 1 }),
        ),
      ],
      { protobuf: true },
    );
    expect(report).toMatchObject({ ok: true, pointsChecked: 5, violations: [] });
    expect(report.metricsSeen).toEqual(['codex.api_request', 'codex.api_request.duration_ms', 'codex.mcp.call', 'codex.turn.token_usage']);
  });
});

describe('each violation code is reported once, with metric and field', () => {
  it('unknown_metric, with a did-you-mean suggestion', async () => {
    const { report, violations } = await verify([request(sum('codex.api_requests', [[1, OK], [2, { ...OK, status: '500' }]]))]);
    expect(violations).toHaveLength(2);
    expect(only(report)).toMatchObject({ code: 'unknown_metric', metric: 'codex.api_requests', suggestion: 'codex.api_request', count: 2 });
    expect(only(report).message).toContain('did you mean codex.api_request?');
  });

  it('unknown_metric suggests the prefixed name and stays quiet when nothing is close', async () => {
    const { report } = await verify([request(sum('api_request', [[1, OK]]), sum('codex.something.else.entirely', [[1, OK]]))]);
    expect(report.violations.map((v) => [v.metric, v.suggestion])).toEqual([
      ['api_request', 'codex.api_request'],
      ['codex.something.else.entirely', undefined],
    ]);
  });

  it('wrong_kind: a counter sent as a non-monotonic sum', async () => {
    const { report } = await verify([request(sum('codex.api_request', [[1, OK]], { monotonic: false }))]);
    expect(only(report)).toMatchObject({ code: 'wrong_kind', metric: 'codex.api_request' });
    expect(only(report).field).toBeUndefined();
  });

  it('wrong_kind: a histogram sent as a gauge', async () => {
    const { report } = await verify([request(gauge('codex.api_request.duration_ms', 5, OK, 'ms'))]);
    expect(only(report)).toMatchObject({ code: 'wrong_kind', metric: 'codex.api_request.duration_ms' });
  });

  it('wrong_temporality: unspecified aggregation temporality', async () => {
    const { report } = await verify([request(histogram('codex.api_request.duration_ms', [[1, OK]], { temporality: 0 }))]);
    expect(only(report)).toMatchObject({ code: 'wrong_temporality', metric: 'codex.api_request.duration_ms' });
  });

  it('wrong_unit', async () => {
    const { report } = await verify([request(histogram('codex.api_request.duration_ms', [[1, OK]], { unit: 's' }))], { protobuf: true });
    expect(only(report)).toMatchObject({ code: 'wrong_unit', metric: 'codex.api_request.duration_ms' });
    expect(only(report).message).toContain('"ms"');
  });

  it('missing_field', async () => {
    const { success: _, ...noSuccess } = OK;
    const { report } = await verify([request(sum('codex.api_request', [[1, noSuccess]]))]);
    expect(only(report)).toMatchObject({ code: 'missing_field', metric: 'codex.api_request', field: 'success' });
  });

  it('optional fields may be absent or present', async () => {
    const { report } = await verify([request(sum('codex.mcp.call', [[1, { ...DEFAULTS, status: 'ok' }], [1, { ...DEFAULTS, status: 'ok', tool: 'shell' }]]))]);
    expect(report.violations).toEqual([]);
  });

  it('undocumented_field', async () => {
    const { report } = await verify([request(sum('codex.api_request', [[1, { ...OK, user_id: 'u1' }]]))]);
    expect(only(report)).toMatchObject({ code: 'undocumented_field', metric: 'codex.api_request', field: 'user_id' });
  });

  it('missing_default_tag, unless default tags are not required', async () => {
    const { auth_mode: _, ...noAuth } = OK;
    const payload = request(sum('codex.api_request', [[1, noAuth]]));
    expect(only((await verify([payload])).report)).toMatchObject({ code: 'missing_default_tag', metric: 'codex.api_request', field: 'auth_mode' });
    const checker = createConformanceChecker({ specs: SPECS, defaultTags: DEFAULT_TAGS, requireDefaultTags: false });
    expect(checker.check(receiver.points())).toEqual([]);
  });

  it.each([
    ['success', 'is not true/false (3 chars)', 'yes'],
    ['success', 'is not a string (bool)', true],
    ['status', 'is not a decimal integer nor one of none (3 chars)', 'abc'],
    ['status', 'is not a string (int)', 200],
    ['model', 'has characters outside [A-Za-z0-9._/-] (5 chars)', 'gpt 5'],
    ['model', 'is empty', ''],
    ['model', 'is longer than 256 (312 chars)', 'x'.repeat(312)],
    ['auth_mode', 'is not one of ApiKey | Chatgpt | unknown (5 chars)', 'oauth'],
  ] as const)('invalid_value: %s %s (without echoing the value)', async (key, problem, value) => {
    const { report } = await verify([request(sum('codex.api_request', [[1, { ...OK, [key]: value }]]))]);
    expect(only(report)).toMatchObject({ code: 'invalid_value', metric: 'codex.api_request', field: key });
    expect(only(report).message).toBe(`codex.api_request field ${key} ${problem}`);
    if (value !== '') expect(only(report).message).not.toContain(String(value));
  });

  it('invalid_value: a closed set of a histogram field', async () => {
    const { report } = await verify([request(histogram('codex.turn.token_usage', [[1, { ...DEFAULTS, token_type: 'bogus' }]], { unit: '{token}' }))]);
    expect(only(report)).toMatchObject({ code: 'invalid_value', metric: 'codex.turn.token_usage', field: 'token_type' });
    expect(only(report).message).toContain('not one of input | output');
    expect(only(report).message).not.toContain('bogus');
  });

  it('non_monotonic: a cumulative counter going down within one series', async () => {
    const { report } = await verify([
      request(sum('codex.api_request', [[5, OK]], { step: 1 })),
      request(sum('codex.api_request', [[3, OK]], { step: 2 })),
    ]);
    expect(only(report)).toMatchObject({ code: 'non_monotonic', metric: 'codex.api_request', count: 1 });
    expect(only(report).message).toContain('from 5 to 3');
  });

  it('non_monotonic: a negative delta increment', async () => {
    const { report } = await verify([request(sum('codex.api_request', [[-1, OK]], { temporality: 1 }))]);
    expect(only(report)).toMatchObject({ code: 'non_monotonic', metric: 'codex.api_request' });
  });

  it('a series restart (new start time) or a different series is not a decrease', async () => {
    const restarted = request(sum('codex.api_request', [[1, OK]], { step: 2 }));
    restarted.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].startTimeUnixNano = '1700000001500000000';
    const { report } = await verify([
      request(sum('codex.api_request', [[5, OK]], { step: 1 })),
      restarted,
      request(sum('codex.api_request', [[2, { ...OK, status: '500' }]], { step: 3 })),
    ]);
    expect(report.violations).toEqual([]);
  });
});

it('the summary counts occurrences and keeps distinct violations apart', async () => {
  const { report } = await verify([
    request(
      sum('codex.api_request', [[1, { ...OK, success: 'yes' }], [1, { ...OK, success: 'no', status: 'x' }]]),
      sum('codex.mcp.call', [[1, { ...DEFAULTS }]]),
    ),
  ]);
  expect(report.ok).toBe(false);
  expect(report.violations.map((v) => [v.code, v.metric, v.field, v.count])).toEqual([
    ['invalid_value', 'codex.api_request', 'status', 1],
    ['invalid_value', 'codex.api_request', 'success', 2],
    ['missing_field', 'codex.mcp.call', 'status', 1],
  ]);
});

it('ignore drops whole codes', async () => {
  const { auth_mode: _, ...noAuth } = OK;
  const { report } = await verify([request(sum('codex.api_request', [[1, noAuth]]))], { ignore: ['missing_default_tag'] });
  expect(report.violations).toEqual([]);
});

describe('attribute keys that are Object.prototype names', () => {
  /** `codex.api_request` with the given extra key-values; built by hand since an object literal cannot hold `__proto__` as a key. */
  function withExtra(attrs: Record<string, string>, ...extra: OtlpKeyValue[]): OtlpMetricsRequest {
    const body = request(sum('codex.api_request', [[1, attrs]]));
    body.resourceMetrics![0].scopeMetrics![0].metrics![0].sum!.dataPoints![0].attributes!.push(...extra);
    return body;
  }

  describe.each([false, true])('protobuf: %s', (protobuf) => {
    it.each(['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__'])('%s is an undocumented_field', async (key) => {
      const { report } = await verify([withExtra(OK, { key, value: { stringValue: 'x' } })], { protobuf });
      expect(only(report)).toMatchObject({ code: 'undocumented_field', metric: 'codex.api_request', field: key });
    });

    it('a __proto__ kvlist does not stand in for missing required fields or default tags', async () => {
      const { status: _s, success: _ok, auth_mode: _a, ...rest } = OK;
      const inherited = Object.entries({ status: '200', success: 'true', auth_mode: 'ApiKey' }).map(([key, v]) => ({ key, value: { stringValue: v } }));
      const hostile = { key: '__proto__', value: { kvlistValue: { values: inherited } } };
      const { report } = await verify([withExtra(rest, hostile)], { protobuf });
      expect(report.violations.map((v) => [v.code, v.field])).toEqual([
        ['missing_default_tag', 'auth_mode'],
        ['missing_field', 'status'],
        ['missing_field', 'success'],
        ['undocumented_field', '__proto__'],
      ]);
    });
  });
});
