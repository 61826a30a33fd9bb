// The final export at shutdown() gets the exit timeout (default 2 s, at most the export timeout),
// not the export timeout (10 s): the OTLP exporters retry a refused connection with backoff for as
// long as their timeout allows (1 + 1.5 + 2.25 + 3.4 s: about 8 s), and a short-lived process would
// wait that long at every exit with the collector down. Periodic exports and forceFlush() keep the
// export timeout. The final export goes through a second OTLP exporter built with the exit timeout
// (the exporters take their timeout at construction), created when shutdown begins.
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';

export class ExitTimeoutExporter implements PushMetricExporter {
  private exiting = false;
  private final: PushMetricExporter | undefined;
  readonly selectAggregationTemporality: PushMetricExporter['selectAggregationTemporality'];
  readonly selectAggregation: PushMetricExporter['selectAggregation'];

  constructor(
    private readonly periodic: PushMetricExporter,
    /** Builds the exporter of the final export; undefined: the periodic one is used (a custom exporter). */
    private readonly createFinal: (() => PushMetricExporter) | undefined,
  ) {
    this.selectAggregationTemporality = periodic.selectAggregationTemporality?.bind(periodic);
    this.selectAggregation = periodic.selectAggregation?.bind(periodic);
  }

  /** From now on exports go through the exporter of the final export. */
  beginExit(): void {
    this.exiting = true;
  }

  get isExiting(): boolean {
    return this.exiting;
  }

  export(metrics: ResourceMetrics, resultCallback: Parameters<PushMetricExporter['export']>[1]): void {
    const target = this.exiting && this.createFinal ? (this.final ??= this.createFinal()) : this.periodic;
    target.export(metrics, resultCallback);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.periodic.forceFlush(), this.final?.forceFlush()]);
  }

  async shutdown(): Promise<void> {
    await Promise.all([this.periodic.shutdown(), this.final?.shutdown()]);
  }
}
