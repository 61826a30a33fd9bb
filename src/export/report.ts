// How the export side speaks: through the OpenTelemetry diag logger and, when the host has not
// installed one, on stderr. Without that fallback a collector that is down goes unnoticed, since
// diag discards everything by default.
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';

/** Where @opentelemetry/api 1.x keeps its globals (the diag logger among them), shared by every copy of the API. */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

export function hostHasDiagLogger(): boolean {
  const registry = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[API_GLOBAL];
  return registry?.diag !== undefined;
}

/** One line, already free of credentials. */
export function reportLine(level: 'error' | 'warn' | 'info', line: string): void {
  diag[level](line);
  if (hostHasDiagLogger()) return;
  try {
    process.stderr.write(`${line}\n`);
  } catch {
    // stderr closed: nothing else to tell
  }
}

export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * Installs a DiagConsoleLogger at `level` (asked for by option or CODEX_OTEL_METRICS_LOG_LEVEL).
 * `none` installs a silent logger: the SDK, the exporters and this package then print nothing.
 */
export function installConsoleDiag(level: LogLevel): void {
  const logLevel = DiagLogLevel[level.toUpperCase() as Uppercase<LogLevel>];
  diag.setLogger(new DiagConsoleLogger(), { logLevel, suppressOverrideMessage: true });
}
