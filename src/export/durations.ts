// Duration settings (export interval, export timeout, exit timeout) held to documented ranges. Node runs a timer
// longer than 2^31-1 ms after 1 ms instead (with a TimeoutOverflowWarning), so
// OTEL_METRIC_EXPORT_INTERVAL=2147483648 used to export a thousand times a second. Past a range:
// strict mode throws, lenient mode clamps with one warning. Variables are whole milliseconds in
// decimal digits; other spellings Number() would take (0x10, 1e3, 1.5, Infinity) are refused.
import { ExportConfigError } from './errors.js';
import { reportLine } from './report.js';

/** The longest delay Node's timers honour (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface DurationRange {
  readonly min: number;
  readonly max: number;
}

/** Documented in docs/failure-behaviour.md. The interval's floor keeps a typo from turning into an export storm. */
export const DURATION_RANGES = {
  exportIntervalMillis: { min: 10, max: MAX_TIMER_MS },
  exportTimeoutMillis: { min: 1, max: MAX_TIMER_MS },
  exitTimeoutMillis: { min: 1, max: MAX_TIMER_MS },
} as const satisfies Record<string, DurationRange>;

type Env = Record<string, string | undefined>;

/** An option in milliseconds: not a positive number is a TypeError (as always); out of range, an error (strict) or clamped. */
export function durationOption(value: number | undefined, name: keyof typeof DURATION_RANGES, strict: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return inRange(value, DURATION_RANGES[name], `the ${name} option`, strict);
}

/** A variable in whole milliseconds: unset or blank is undefined; 0 or not decimal digits is an error (strict) or ignored with a warning. */
export function durationFromEnv(env: Env, variable: string, option: keyof typeof DURATION_RANGES, strict: boolean): number | undefined {
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) === 0) {
    // Not quoted beyond 32 characters: the variable could hold anything.
    const message = `${variable} ${JSON.stringify(raw.slice(0, 32))} is not a positive whole number of milliseconds in decimal digits (hex, exponents, fractions and signs are refused)`;
    if (strict) throw new ExportConfigError('invalid_option', message);
    reportLine('warn', `codex-otel-metrics: ignoring ${message}`);
    return undefined;
  }
  return inRange(Number(raw), DURATION_RANGES[option], variable, strict);
}

function inRange(value: number, range: DurationRange, source: string, strict: boolean): number {
  if (value >= range.min && value <= range.max) return value;
  const clamped = value < range.min ? range.min : range.max;
  const message = `${source} is ${value > 1e15 ? 'over 10^15' : value} ms, outside ${range.min}..${range.max} ms`;
  if (strict) throw new ExportConfigError('invalid_option', message);
  reportLine('warn', `codex-otel-metrics: ${message}; using ${clamped} ms`);
  return clamped;
}
