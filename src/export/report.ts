// How the export side speaks: through the OpenTelemetry diag logger and, when the host has not
// installed one, on stderr (runtime/report-line.ts, shared with the runtime's own warnings).
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';

export { hostHasDiagLogger, reportLine } from '../runtime/report-line.js';

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
