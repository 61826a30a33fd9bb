// Names the code blocks of README.md and docs/ leave to the reader, declared once for the type check
// of test/docs/code-blocks.test.ts (see docs/development.md, "Every code block is checked"). A block
// imports everything else it uses; a new name of this kind is added here, typed.
import type { MeterProvider } from '@opentelemetry/api';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { CodexMetrics, DefaultTags } from 'codex-otel-metrics';

declare global {
  /** The default tags the example's agent sets once. */
  const defaults: DefaultTags;
  /** A MeterProvider the host already has. */
  const meterProvider: MeterProvider;
  /** The host's exporter, e.g. `new OTLPMetricExporter()`. */
  const exporter: PushMetricExporter;
  /** The reader's code under test, given the metrics it records into. */
  function runTurn(metrics: CodexMetrics): Promise<void>;
}
