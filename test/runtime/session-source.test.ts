// session_source values with a thread id in them (`subagent_thread_spawn_<uuid>_d<n>`, what Codex
// sends for sub-agents spawned by a thread) are folded once per set of default tags: bounded series,
// and the measurement path is untouched (the folded defaults are the same interned view).
import { describe, expect, it } from 'vitest';
import { foldSessionSource, SESSION_SOURCE_FOLD_PATTERN, SESSION_SOURCE_FOLDED } from '../../src/runtime/session-source.js';
import { createTestCodexMetrics } from '../../src/testing/index.js';

const SPAWNED = (n: number) => `subagent_thread_spawn_019a${String(n).padStart(4, '0')}-1c2d-7e3f-8a9b-0c1d2e3f4a5b_d${(n % 3) + 1}`;

describe('session_source folding', () => {
  it('folds thread-spawn sources and nothing else', () => {
    expect(foldSessionSource(SPAWNED(1))).toBe(SESSION_SOURCE_FOLDED);
    expect(foldSessionSource('subagent_thread_spawn_x')).toBe(SESSION_SOURCE_FOLDED);
    for (const kept of ['cli', 'vscode', 'exec', 'mcp', 'unknown', 'subagent_review', 'subagent_compact', 'subagent_thread_spawn', 'subagent_thread_spawn_'])
      expect(foldSessionSource(kept), kept).toBe(kept);
    expect(SESSION_SOURCE_FOLD_PATTERN).toBe('subagent_thread_spawn_.+');
  });

  it('default: 50 sub-agent sessions record into one series per metric, through one shared view', async () => {
    const t = createTestCodexMetrics({ defaults: { session_source: 'cli', model: 'gpt-5' }, strict: true });
    const views = Array.from({ length: 50 }, (_, i) => t.metrics.withDefaults({ session_source: SPAWNED(i) }));
    expect(new Set(views).size, 'one interned view: folding happened at withDefaults').toBe(1);
    for (const view of views) view.add('api_request', { status: 200, success: true });
    t.metrics.add('api_request', { status: 200, success: true });
    const points = (await t.snapshot()).filter((p) => p.name === 'codex.api_request');
    expect(points.map((p) => [p.attributes.session_source, p.value]).sort()).toEqual([
      ['cli', 1],
      [SESSION_SOURCE_FOLDED, 50],
    ]);
    await t.shutdown();
  });

  it('folds the session_source given to createCodexMetrics itself', async () => {
    const t = createTestCodexMetrics({ defaults: { session_source: SPAWNED(7) } });
    t.metrics.add('tool.call', { tool: 'shell', success: true });
    const [point] = await t.snapshot();
    expect(point.attributes.session_source).toBe(SESSION_SOURCE_FOLDED);
    await t.shutdown();
  });

  it('foldSessionSource: false sends the values as given', async () => {
    const t = createTestCodexMetrics({ defaults: { session_source: 'cli' }, foldSessionSource: false });
    t.metrics.withDefaults({ session_source: SPAWNED(1) }).add('api_request', { status: 200, success: true });
    t.metrics.withDefaults({ session_source: SPAWNED(2) }).add('api_request', { status: 200, success: true });
    const sources = (await t.snapshot()).map((p) => p.attributes.session_source).sort();
    expect(sources).toEqual([SPAWNED(1), SPAWNED(2)].sort());
    await t.shutdown();
  });
});
