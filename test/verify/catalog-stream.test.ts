// End to end against the real registry: the SDK, the OTLP exporters, the receiver and the checker.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DEFAULT_TAGS, METRICS } from '../../src/generated/catalog.js';
import { createConformanceChecker } from '../../src/verify/checker.js';
import { startOtlpReceiver } from '../../src/verify/receiver.js';
import type { OtlpReceiver } from '../../src/verify/receiver.js';
import { DEFAULTS } from './payloads.js';
import { sdkPipeline } from './sdk-export.js';
import type { SdkExportOptions } from './sdk-export.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const unitOf = (name: string) => METRICS.find((m) => m.name === name)!.unit;
/** Instrument options as the registry gives them: unit, and for histograms Codex's bucket boundaries. */
const histogramOptions = (name: string) => {
  const spec = METRICS.find((m) => m.name === name)!;
  return { unit: spec.unit, advice: { explicitBucketBoundaries: [...spec.buckets!.boundaries] } };
};

it.each([
  ['protobuf, cumulative', { protocol: 'protobuf' }],
  ['JSON + gzip, delta', { protocol: 'json', gzip: true, delta: true }],
] as const)('a clean stream of catalog metrics has no violations (%s)', async (_label, options: SdkExportOptions) => {
  const pipeline = sdkPipeline(receiver.metricsUrl, options);
  const { meter } = pipeline;
  const apiRequests = meter.createCounter('codex.api_request', { unit: unitOf('api_request') });
  const apiDuration = meter.createHistogram('codex.api_request.duration_ms', histogramOptions('api_request.duration_ms'));
  const tokens = meter.createHistogram('codex.turn.token_usage', histogramOptions('turn.token_usage'));
  const toolCalls = meter.createCounter('codex.tool.call', { unit: unitOf('tool.call') });
  const backfill = meter.createCounter('codex.db.backfill', { unit: unitOf('db.backfill') });

  for (let round = 0; round < 2; round++) {
    apiRequests.add(1, { ...DEFAULTS, status: '200', success: 'true' });
    apiRequests.add(1, { ...DEFAULTS, status: 'none', success: 'false' });
    apiDuration.record(120, { ...DEFAULTS, status: '200', success: 'true' });
    tokens.record(1500, { ...DEFAULTS, token_type: 'cached_input', tmp_mem_enabled: 'false' });
    toolCalls.add(1, { ...DEFAULTS, tool: 'apply_patch', success: 'true' });
    backfill.add(1, { ...DEFAULTS, status: 'upserted' });
    // Two exports, so the monotonicity check compares cumulative values across them.
    await pipeline.flush();
  }
  await pipeline.shutdown();

  const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS });
  checker.check(receiver.points());
  const report = checker.report();
  expect(report.violations).toEqual([]);
  expect(report.metricsSeen).toEqual([
    'codex.api_request',
    'codex.api_request.duration_ms',
    'codex.db.backfill',
    'codex.tool.call',
    'codex.turn.token_usage',
  ]);
  expect(receiver.requests().length).toBeGreaterThanOrEqual(2);
});

it('the same stream with catalog mistakes is caught', async () => {
  const pipeline = sdkPipeline(receiver.metricsUrl);
  pipeline.meter.createCounter('codex.db.backfill').add(1, { ...DEFAULTS, status: 'done' });
  pipeline.meter.createHistogram('codex.turn.token_usage', { unit: 'tokens' }).record(3, { ...DEFAULTS, token_type: 'input' });
  pipeline.meter.createHistogram('codex.tool.call.duration_ms', { unit: 'ms' }).record(3, { ...DEFAULTS, tool: 'exec_command', success: 'true' });
  await pipeline.shutdown();
  const checker = createConformanceChecker({ specs: METRICS, defaultTags: DEFAULT_TAGS });
  checker.check(receiver.points());
  expect(checker.report().violations.map((v) => [v.code, v.metric, v.field])).toEqual([
    ['invalid_value', 'codex.db.backfill', 'status'],
    ['missing_field', 'codex.turn.token_usage', 'tmp_mem_enabled'],
    // The SDK's default boundaries, not Codex's 34: quantiles over mixed data would be wrong. (Token
    // usage is fine: Codex itself records it with the SDK defaults.)
    ['wrong_buckets', 'codex.tool.call.duration_ms', undefined],
    ['wrong_unit', 'codex.turn.token_usage', undefined],
  ]);
});
