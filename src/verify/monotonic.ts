// Tracks cumulative series across exports to catch counters (and histogram counts) going down.
import type { Attributes, ReceivedPoint } from './points.js';

/**
 * A series is one metric + attributes + start time from one resource and scope: a process restart
 * starts a new series (new start time), so a reset is not a decrease. Points arriving out of order
 * (an older timestamp than the last seen) are ignored rather than compared.
 */
export class MonotonicTracker {
  private readonly last = new Map<string, { time: bigint; value: number }>();

  /** Returns the previous value when `point` goes below it, else undefined. */
  observe(point: ReceivedPoint, value: number): number | undefined {
    const key = seriesKey(point);
    const time = toBigInt(point.timeUnixNano);
    const previous = this.last.get(key);
    if (previous && time < previous.time) return undefined;
    this.last.set(key, { time, value });
    if (previous && time > previous.time && value < previous.value) return previous.value;
    return undefined;
  }
}

function seriesKey(point: ReceivedPoint): string {
  return JSON.stringify([point.metric, sorted(point.attributes), point.startTimeUnixNano, sorted(point.resource), point.scopeName]);
}

function sorted(attributes: Attributes): [string, unknown][] {
  return Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function toBigInt(nanos: string): bigint {
  try {
    return BigInt(nanos);
  } catch {
    return 0n;
  }
}
