// Test-only stand-in for the OpenTelemetry Collector's `prometheus` exporter: Prometheus 2.42 has no
// OTLP receiver, so OTLP points (the real Codex CLI exports committed under test/fixtures/) are
// accumulated here and served in the Prometheus text exposition format for a scrape, named with the
// same rules the dashboard uses (src/dashboard/naming.ts). Like the Collector exporter, it sets `job`
// from the resource's service.namespace/service.name (scrape it with `honor_labels: true`), adds
// delta points onto the running total (Prometheus needs cumulative series; Codex exports delta) and
// keeps the last cumulative point.
import { createServer, type Server } from 'node:http';
import type { MetricSpec } from '../../src/catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from '../../src/dashboard/naming.js';
import type { ReceivedPoint } from '../../src/verify/points.js';

interface CounterState {
  readonly kind: 'counter';
  value: number;
}
interface HistogramState {
  readonly kind: 'histogram';
  readonly bounds: readonly number[];
  buckets: number[];
  count: number;
  sum: number;
}
interface Series {
  readonly family: string;
  readonly labels: string;
  readonly state: CounterState | HistogramState;
}

export class OtlpExposition {
  private readonly series = new Map<string, Series>();
  /** Replays add the same point objects again: name them once. */
  private readonly names = new WeakMap<ReceivedPoint, { family: string; labels: string; key: string }>();
  /** Points of a kind the Collector exporter would not turn into a counter or classic histogram. */
  skipped = 0;

  constructor(private readonly naming: PrometheusNaming) {}

  add(points: readonly ReceivedPoint[]): void {
    for (const p of points) {
      if (p.kind !== 'counter' && p.kind !== 'histogram') {
        this.skipped++;
        continue;
      }
      const { family, labels, key } = this.nameOf(p);
      const delta = p.temporality === 'delta';
      const existing = this.series.get(key);
      if (p.kind === 'counter') {
        const state = (existing?.state as CounterState | undefined) ?? { kind: 'counter', value: 0 };
        state.value = delta ? state.value + (p.value ?? 0) : (p.value ?? 0);
        this.series.set(key, { family, labels, state });
      } else {
        const bounds = p.explicitBounds ?? [];
        const counts = p.bucketCounts ?? [];
        const prior = existing?.state as HistogramState | undefined;
        const state: HistogramState =
          prior && delta && prior.bounds.join() === bounds.join() ? prior : { kind: 'histogram', bounds, buckets: counts.map(() => 0), count: 0, sum: 0 };
        state.buckets = counts.map((c, i) => (delta ? state.buckets[i] + c : c));
        state.count = delta ? state.count + (p.count ?? 0) : (p.count ?? 0);
        state.sum = delta ? state.sum + (p.sum ?? 0) : (p.sum ?? 0);
        this.series.set(key, { family, labels, state });
      }
    }
  }

  /** Text exposition format 0.0.4, one block per family. */
  render(): string {
    const families = new Map<string, Series[]>();
    for (const s of this.series.values()) {
      const list = families.get(s.family);
      if (list) list.push(s);
      else families.set(s.family, [s]);
    }
    const lines: string[] = [];
    for (const [family, members] of families) {
      lines.push(`# TYPE ${family} ${members[0].state.kind}`);
      for (const { labels, state } of members) {
        if (state.kind === 'counter') {
          lines.push(`${family}{${labels}} ${state.value}`);
          continue;
        }
        let cumulative = 0;
        state.bounds.forEach((bound, i) => {
          cumulative += state.buckets[i] ?? 0;
          lines.push(`${family}_bucket{${withLabel(labels, 'le', String(bound))}} ${cumulative}`);
        });
        lines.push(`${family}_bucket{${withLabel(labels, 'le', '+Inf')}} ${state.count}`);
        lines.push(`${family}_sum{${labels}} ${state.sum}`);
        lines.push(`${family}_count{${labels}} ${state.count}`);
      }
    }
    return `${lines.join('\n')}\n`;
  }

  private nameOf(p: ReceivedPoint): { family: string; labels: string; key: string } {
    let named = this.names.get(p);
    if (!named) {
      const spec: Pick<MetricSpec, 'name' | 'kind' | 'unit'> = { name: p.metric.replace(/^codex\./, ''), kind: p.kind as MetricSpec['kind'], unit: p.unit };
      const family = prometheusMetricName(spec, this.naming);
      const labels = this.labels(p);
      named = { family, labels, key: `${family}{${labels}}` };
      this.names.set(p, named);
    }
    return named;
  }

  private labels(p: ReceivedPoint): string {
    const pairs: [string, string][] = [];
    const service = String(p.resource['service.name'] ?? 'unknown_service');
    const namespace = p.resource['service.namespace'];
    pairs.push(['job', namespace ? `${String(namespace)}/${service}` : service]);
    if (p.resource['service.instance.id'] !== undefined) pairs.push(['instance', String(p.resource['service.instance.id'])]);
    for (const [key, value] of Object.entries(p.attributes)) pairs.push([prometheusLabelName(key, this.naming), String(value)]);
    return pairs
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}="${escapeValue(v)}"`)
      .join(',');
  }
}

function withLabel(labels: string, name: string, value: string): string {
  return labels === '' ? `${name}="${value}"` : `${labels},${name}="${value}"`;
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Serves `render(path)` over loopback HTTP; any path the callback does not know answers 404. */
export async function serveExposition(render: (path: string) => string | undefined): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const body = render(req.url ?? '/');
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
