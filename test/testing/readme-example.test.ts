// The example of docs/testing.md, as written there (runTurn stands for the user's code).
import { expect, it } from 'vitest';
import type { CodexMetrics } from '../../src/index.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';

async function runTurn(metrics: CodexMetrics): Promise<void> {
  metrics.add('tool.call', { tool: 'shell', success: true });
}

it('counts a tool call', async () => {
  const t = createTestCodexMetrics({ defaults: { model: 'o4-mini' }, strict: true });
  await runTurn(t.metrics); // your code, given the CodexMetrics it records into
  const points = await t.snapshot();
  expect(points.find((p) => p.name === 'codex.tool.call')).toMatchObject({
    kind: 'counter',
    unit: '1',
    value: 1,
    attributes: { tool: 'shell', success: 'true', model: 'o4-mini', auth_mode: 'unknown' },
  });
  await t.shutdown();
});

it('delta temporality: each snapshot holds what was recorded since the previous one', async () => {
  const t = createTestCodexMetrics({ temporality: 'delta' });
  t.metrics.record('api_request.duration_ms', 5, { status: 200, success: true });
  expect((await t.snapshot()).map((p) => p.count)).toEqual([1]);
  t.metrics.record('api_request.duration_ms', 7, { status: 200, success: true });
  t.metrics.record('api_request.duration_ms', 9, { status: 200, success: true });
  expect((await t.snapshot()).map((p) => [p.count, p.sum])).toEqual([[2, 16]]);
  await t.shutdown();
});
