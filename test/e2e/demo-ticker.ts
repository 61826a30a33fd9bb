// Keeps the demo workload recording (a new seed each tick) while Prometheus scrapes, so every rate
// is positive and every quantile finite; the first error is kept for the tests to report.
import { runDemoWorkload } from '../../src/demo/workload.js';
import type { CodexMetrics } from '../../src/runtime/types.js';

export interface DemoTicker {
  stop(): void;
  /** The first error a tick threw, if any. */
  error(): unknown;
}

export function startDemoTicker(metrics: CodexMetrics, everyMs: number): DemoTicker {
  let seed = 1;
  let failure: unknown;
  const tick = (): void => runDemoWorkload(metrics, { seed: seed++ });
  tick();
  const timer = setInterval(() => {
    try {
      tick();
    } catch (err) {
      failure ??= err;
    }
  }, everyMs);
  return { stop: () => clearInterval(timer), error: () => failure };
}
