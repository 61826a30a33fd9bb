// Lenient mode never throws; it counts what it dropped or repaired and says so through the
// OpenTelemetry diag logger, rate-limited so a hot loop of bad calls cannot flood the host's logs.
import { diag } from '@opentelemetry/api';
import type { CodexMetricsErrorCode } from './errors.js';

export interface DropStats {
  /** Measurements not recorded, by reason. */
  readonly dropped: Readonly<Partial<Record<CodexMetricsErrorCode, number>>>;
  /** Measurements recorded with a repaired attribute (sanitized value, removed field), by reason. */
  readonly sanitized: Readonly<Partial<Record<CodexMetricsErrorCode, number>>>;
}

const WINDOW_MS = 60_000;
const MESSAGES_PER_WINDOW = 10;

export class DropLog {
  private readonly dropped: Partial<Record<CodexMetricsErrorCode, number>> = {};
  private readonly sanitized: Partial<Record<CodexMetricsErrorCode, number>> = {};
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;

  drop(code: CodexMetricsErrorCode, message: string): void {
    this.dropped[code] = (this.dropped[code] ?? 0) + 1;
    this.say(`dropped measurement: ${message}`);
  }

  repair(code: CodexMetricsErrorCode, message: string): void {
    this.sanitized[code] = (this.sanitized[code] ?? 0) + 1;
    this.say(`repaired measurement: ${message}`);
  }

  /** Counts without a message (the caller reports the condition once itself). */
  count(kind: 'dropped' | 'sanitized', code: CodexMetricsErrorCode): void {
    const counts = kind === 'dropped' ? this.dropped : this.sanitized;
    counts[code] = (counts[code] ?? 0) + 1;
  }

  stats(): DropStats {
    return { dropped: { ...this.dropped }, sanitized: { ...this.sanitized } };
  }

  private say(message: string): void {
    const now = Date.now();
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.suppressed > 0) diag.warn(`codex-otel-metrics: ${this.suppressed} more bad measurements in the last minute (see stats())`);
      this.windowStart = now;
      this.inWindow = 0;
      this.suppressed = 0;
    }
    if (this.inWindow < MESSAGES_PER_WINDOW) {
      this.inWindow++;
      diag.warn(`codex-otel-metrics: ${message}`);
    } else {
      this.suppressed++;
    }
  }
}
