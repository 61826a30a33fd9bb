// Failure lines are rate-limited per process, not per session (issue #21): 500 sessions to a dead
// collector printed 500 lines in 2.5 s. Now one line per kind and endpoint a minute for the whole
// process, and at most MAX_TRACKED_REPORTS + 1 distinct lines a minute whatever the endpoints.
// Every failure still reaches each session's onExportError and exportStats. Loopback only.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_TRACKED_REPORTS } from '../../src/export/export-failures.js';
import { startCodexMetrics, type CodexMetricsSession } from '../../src/index.js';
import { captureStderr, closedPort, DEFAULTS, hostGuard, until, type HostGuard } from './harness.js';

let sessions: CodexMetricsSession[] = [];
let guard: HostGuard | undefined;
afterEach(async () => {
  await Promise.all(sessions.map((s) => s.shutdown()));
  sessions = [];
  guard?.dispose();
  guard = undefined;
  vi.restoreAllMocks();
});

function startMany(endpoints: readonly string[]): number[] {
  const failures = endpoints.map(() => 0);
  endpoints.forEach((endpoint, i) => {
    const session = startCodexMetrics({ endpoint, defaults: DEFAULTS, env: {}, exportIntervalMillis: 1_000, exportTimeoutMillis: 300, onExportError: () => failures[i]++ });
    sessions.push(session);
    session.metrics.add('tool.call', { tool: 'shell', success: true });
  });
  return failures;
}

describe('failure lines per process', { timeout: 60_000 }, () => {
  it('500 sessions to one dead collector: one line, while every session sees its own failures', async () => {
    guard = hostGuard();
    const stderr = captureStderr();
    const port = await closedPort();
    const failures = startMany(Array.from({ length: 500 }, () => `http://127.0.0.1:${port}`));
    await until(() => failures.every((n) => n >= 1), 45_000, 'a failed export in every session');
    expect(stderr.filter((l) => l.includes(`127.0.0.1:${port}/`))).toHaveLength(1);
    expect(sessions.every((s) => s.exportStats().failed >= 1)).toBe(true);
    expect(guard.events).toEqual([]);
  });

  it(`sessions to ${MAX_TRACKED_REPORTS * 2} different dead endpoints: at most ${MAX_TRACKED_REPORTS + 1} lines`, async () => {
    const stderr = captureStderr();
    const ports = await Promise.all(Array.from({ length: MAX_TRACKED_REPORTS * 2 }, () => closedPort()));
    const failures = startMany(ports.map((p) => `http://127.0.0.1:${p}`));
    await until(() => failures.every((n) => n >= 1), 45_000, 'a failed export in every session');
    const lines = stderr.filter((l) => l.includes('failed: connection refused'));
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.length).toBeLessThanOrEqual(MAX_TRACKED_REPORTS + 1);
  });
});
