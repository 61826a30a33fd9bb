// Tracks cumulative series across exports to catch counters (and histogram counts) going down.
import { createHash } from 'node:crypto';
import type { Attributes, ReceivedPoint } from './points.js';

/** Series whose last value is kept; past it new series are not tracked (counted in `untracked`). */
export const DEFAULT_MAX_SERIES = 100_000;

/**
 * A series is one metric + attributes + start time from one resource and scope: a process restart
 * starts a new series (new start time), so a reset is not a decrease. Points arriving out of order
 * (an older timestamp than the last seen) are ignored rather than compared.
 *
 * Memory is bounded: a series is stored under its identity, or a fixed-size hash of it when that is
 * longer (attribute values may be long), and at most `maxSeries` series are tracked; points of further series are counted in
 * `untracked` and not compared.
 */
export class MonotonicTracker {
  private readonly last = new Map<string, { time: bigint; value: number }>();
  /** Resource identities, computed once per resource object (points of one export share it). */
  private readonly resourceKeys = new WeakMap<Attributes, string>();
  /** Points not compared because the tracker was full when their series first appeared. */
  untracked = 0;

  constructor(readonly maxSeries: number = DEFAULT_MAX_SERIES) {}

  get size(): number {
    return this.last.size;
  }

  /** Returns the previous value when `point` goes below it, else undefined. */
  observe(point: ReceivedPoint, value: number): number | undefined {
    const key = this.seriesKey(point);
    const time = toBigInt(point.timeUnixNano);
    const previous = this.last.get(key);
    if (!previous && this.last.size >= this.maxSeries) {
      this.untracked++;
      return undefined;
    }
    if (previous && time < previous.time) return undefined;
    this.last.set(key, { time, value });
    if (previous && time > previous.time && value < previous.value) return previous.value;
    return undefined;
  }

  private seriesKey(point: ReceivedPoint): string {
    let resource = this.resourceKeys.get(point.resource);
    if (resource === undefined) {
      resource = bounded(JSON.stringify(sorted(point.resource)));
      this.resourceKeys.set(point.resource, resource);
    }
    return bounded(JSON.stringify([point.metric, sorted(point.attributes), point.startTimeUnixNano, resource, point.scopeName]));
  }
}

/** Keys longer than a hash are stored as their hash (a collision is 2^-128 likely). */
function bounded(key: string): string {
  return key.length <= 128 ? key : hash(key);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('base64');
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
