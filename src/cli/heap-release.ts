// A long `verify` run must not keep the memory of its largest export. V8 lets garbage grow to a
// multiple of the last live heap before it collects (so after a 200,000-point export the process
// stays hundreds of MB above what it uses); a full collection after each large request returns
// that memory at once. The collector is reached through `--expose-gc` set at run time, the only
// way without a command-line flag; where that is unavailable this does nothing.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Requests with bodies at least this large are followed by a full collection. */
export const LARGE_REQUEST_BYTES = 256 * 1024;

let collector: (() => void) | undefined | null = null;
let scheduled = false;

/** Runs a full garbage collection once the current request's work is done (at most one pending). */
export function releaseHeapSoon(): void {
  if (scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    collect();
  });
}

function collect(): void {
  if (collector === null) {
    try {
      setFlagsFromString('--expose-gc');
      const gc: unknown = runInNewContext('gc');
      collector = typeof gc === 'function' ? (gc as () => void) : undefined;
    } catch {
      collector = undefined;
    }
  }
  collector?.();
}
