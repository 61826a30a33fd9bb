// Shared pieces of the fault suite: a collector whose behaviour the test switches at will, a guard
// that catches anything escaping to the host, a ledger of what was recorded and the totals a
// collector ends up with.
import { createServer } from 'node:net';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { vi } from 'vitest';
import { DEFAULT_TAG_KEYS } from '../../src/index.js';
import type { CodexMetrics } from '../../src/index.js';
import { startOtlpReceiver, type IncomingOtlpRequest, type OtlpReceiver, type RespondDecision } from '../../src/verify/receiver.js';
import type { ReceivedPoint } from '../../src/verify/points.js';

export const DEFAULTS = {
  auth_mode: 'api_key',
  originator: 'codex_cli_rs',
  session_source: 'cli',
  model: 'gpt-5.1-codex',
  'app.version': '0.64.0',
} as const;

// ---------------------------------------------------------------------------------------------
// Nothing may escape to the host.

export interface HostGuard {
  readonly events: string[];
  dispose(): void;
}

/** Records every unhandled rejection and uncaught exception while installed. */
export function hostGuard(): HostGuard {
  const events: string[] = [];
  const onRejection = (reason: unknown) => events.push(`unhandledRejection: ${String(reason)}`);
  const onException = (err: unknown) => events.push(`uncaughtException: ${String(err)}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    events,
    dispose() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

export interface DiagCapture {
  readonly lines: string[];
  count(pattern: RegExp): number;
  dispose(): void;
}

/**
 * Captures what the OpenTelemetry diag logger is told (default: every level). At debug level the
 * exporter logs whole batches: pass a lower level where memory is measured.
 */
export function captureDiag(logLevel: DiagLogLevel = DiagLogLevel.ALL): DiagCapture {
  const lines: string[] = [];
  const sink =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      lines.push(`${level} ${message} ${args.map((a) => (a instanceof Error ? `${a.name}: ${a.message} ${a.stack ?? ''}` : safeString(a))).join(' ')}`);
    };
  const logger: DiagLogger = { error: sink('error'), warn: sink('warn'), info: sink('info'), debug: sink('debug'), verbose: sink('verbose') };
  diag.setLogger(logger, { logLevel, suppressOverrideMessage: true });
  return {
    lines,
    count: (pattern) => lines.filter((l) => pattern.test(l)).length,
    dispose: () => diag.disable(),
  };
}

function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Lines written to stderr while captured (swallowed); restore with vi.restoreAllMocks(). */
export function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stderr.write);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// A collector the test controls.

export type Behaviour = (request: IncomingOtlpRequest) => RespondDecision;

export const healthy: Behaviour = () => undefined;

export interface Collector {
  readonly receiver: OtlpReceiver;
  readonly url: string;
  /** Switches how the next requests are answered. */
  behave(behaviour: Behaviour): void;
  /** Requests answered (or hung) by a fault so far. */
  faulted(): number;
  /** Request headers as the collector received them, in arrival order. */
  headers(): IncomingOtlpRequest['headers'][];
  /** Resolves once `n` more faulted requests than `since` have arrived. */
  waitForFaults(n: number, since?: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCollector(initial: Behaviour = healthy, port = 0): Promise<Collector> {
  let behaviour = initial;
  let faulted = 0;
  const headers: IncomingOtlpRequest['headers'][] = [];
  const receiver = await startOtlpReceiver({
    port,
    respond(request) {
      headers.push(request.headers);
      const decision = behaviour(request);
      if (decision !== undefined) faulted++;
      return decision;
    },
  });
  return {
    receiver,
    url: receiver.url,
    behave: (next) => {
      behaviour = next;
    },
    faulted: () => faulted,
    headers: () => [...headers],
    waitForFaults: (n, since = 0, timeoutMs = 5000) => until(() => faulted >= since + n, timeoutMs, `${n} faulted request(s)`),
    close: () => receiver.close(),
  };
}

/** A loopback port that was just listening and is now closed: connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Times `work` next to a plain timer of `deadlineMs` (what shutdown's own deadline is). On a loaded
 * machine timers fire late; `lateness` is how late that reference timer was (or, if it had not run
 * yet, how far past its deadline the work ended), so a bound can be checked as
 * `ms <= bound + lateness` without flaking under CPU starvation, while a shutdown that actually
 * waits for the network still fails it.
 */
export async function timeAgainstTimer(work: () => Promise<unknown>, deadlineMs: number): Promise<{ ms: number; lateness: number }> {
  const started = performance.now();
  let firedAt: number | undefined;
  const reference = setTimeout(() => (firedAt = performance.now() - started), deadlineMs);
  await work();
  const ms = performance.now() - started;
  clearTimeout(reference);
  // Work that ends past the deadline before the reference timer could run means the event loop
  // itself was held up (CPU starvation, synchronous work) at least that long. Work that waits for
  // the network leaves the loop idle, so the timer fires on time and the bound stays strict.
  const lateness = firedAt !== undefined ? firedAt - deadlineMs : ms - deadlineMs;
  return { ms, lateness: Math.max(0, lateness) };
}

/**
 * What a test allows `shutdown()`/`forceFlush()` with export timeout `timeoutMillis`: the documented
 * bound (timeout + 50 ms) plus slack relative to the timeout, generous enough for a busy 2-core
 * machine (descheduling, the final collection's CPU work) and still far below what a shutdown that
 * waits for the network takes (a hung collector: forever; a retry: a 1 s backoff; the default
 * 10 s timeout instead of the configured one).
 */
export function shutdownBound(timeoutMillis: number): number {
  return timeoutMillis + 50 + Math.max(1_000, 4 * timeoutMillis);
}

/** Resolves true when `promise` is already settled (it gets one macrotask turn). */
export async function settledAlready(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

export async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// What was recorded, and what a collector ended up with.

export interface Totals {
  /** Counter sums, or histogram observation counts. */
  count: number;
  /** Histogram sums (counters: equal to count). */
  sum: number;
}

/** Series key: wire name plus the non-default attributes, all as strings. */
export function seriesKey(metric: string, attributes: Readonly<Record<string, unknown>>): string {
  const defaults = new Set<string>(DEFAULT_TAG_KEYS);
  const own = Object.entries(attributes)
    .filter(([k]) => !defaults.has(k))
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort();
  return `${metric}{${own.join(',')}}`;
}

/** Records through the package and remembers what a lossless pipeline must deliver. */
export class Ledger {
  readonly totals = new Map<string, Totals>();

  add(metrics: CodexMetrics, name: string, fields: Record<string, unknown>, increment = 1): void {
    (metrics.add as (n: string, f: unknown, i: number) => void).call(metrics, name, fields, increment);
    this.bump(seriesKey(`codex.${name}`, fields), increment, increment);
  }

  record(metrics: CodexMetrics, name: string, value: number, fields: Record<string, unknown> = {}): void {
    (metrics.record as (n: string, v: number, f: unknown) => void).call(metrics, name, value, fields);
    this.bump(seriesKey(`codex.${name}`, fields), 1, value);
  }

  /** Accounts for calls made directly (hot loops), by series key. */
  expect(key: string, count: number, sum: number): void {
    this.bump(key, count, sum);
  }

  private bump(key: string, count: number, sum: number): void {
    const t = this.totals.get(key) ?? { count: 0, sum: 0 };
    t.count += count;
    t.sum += sum;
    this.totals.set(key, t);
  }

  asObject(): Record<string, Totals> {
    return Object.fromEntries([...this.totals].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/**
 * One round of a small, realistic workload over six series (four counters, two histograms).
 * Values are integers, so sums are exact.
 */
export function workload(ledger: Ledger, metrics: CodexMetrics, round: number): void {
  ledger.add(metrics, 'tool.call', { tool: 'shell', success: true });
  ledger.add(metrics, 'tool.call', { tool: 'apply_patch', success: false }, 2);
  ledger.add(metrics, 'api_request', { status: 200, success: true });
  if (round % 3 === 0) ledger.add(metrics, 'api_request', { status: 'none', success: false });
  ledger.record(metrics, 'api_request.duration_ms', 100 + (round % 7) * 13, { status: 200, success: true });
  ledger.record(metrics, 'turn.e2e_duration_ms', 1000 + round);
}

function pointTotals(p: ReceivedPoint): Totals {
  if (p.kind === 'histogram') return { count: p.count ?? 0, sum: p.sum ?? 0 };
  return { count: p.value ?? 0, sum: p.value ?? 0 };
}

/** Cumulative: the newest point of each series (by its timestamp, not by arrival) holds the totals. */
export function latestTotals(points: readonly ReceivedPoint[]): Record<string, Totals> {
  const latest = new Map<string, ReceivedPoint>();
  for (const p of points) {
    if (!p.metric.startsWith('codex.')) continue;
    const key = seriesKey(p.metric, p.attributes);
    const prev = latest.get(key);
    if (!prev || BigInt(p.timeUnixNano) > BigInt(prev.timeUnixNano)) latest.set(key, p);
  }
  return Object.fromEntries([...latest].map(([k, p]) => [k, pointTotals(p)] as const).sort(([a], [b]) => a.localeCompare(b)));
}

/** Delta: a series' total is the sum of every point received. */
export function deltaTotals(points: readonly ReceivedPoint[]): Record<string, Totals> {
  const sums = new Map<string, Totals>();
  for (const p of points) {
    if (!p.metric.startsWith('codex.')) continue;
    const key = seriesKey(p.metric, p.attributes);
    const t = sums.get(key) ?? { count: 0, sum: 0 };
    const add = pointTotals(p);
    t.count += add.count;
    t.sum += add.sum;
    sums.set(key, t);
  }
  return Object.fromEntries([...sums].filter(([, t]) => t.count > 0).sort(([a], [b]) => a.localeCompare(b)));
}

export function sameTotals(a: Record<string, Totals>, b: Record<string, Totals>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
