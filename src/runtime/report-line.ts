// How the package speaks when something is not recorded or not exported: through the
// OpenTelemetry diag logger and, when the host has not installed one, on stderr. Without that
// fallback such a line goes nowhere, since diag discards everything by default.
import { diag } from '@opentelemetry/api';

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
