// A test-only model of the OpenTelemetry Collector (contrib) path into Prometheus: OTLP/HTTP receiver
// -> resource processor -> transform processor -> deltatocumulative processor -> prometheus exporter,
// scraped by a real Prometheus. No Collector binary exists here, so this follows the components'
// documented rules (and the code they point at), and nothing else:
//
// - receiver: `client.address` is the peer's IP without the port; `metadata.<header>` needs
//   `include_metadata: true` (processor/attributesprocessor/README.md, "from_context";
//   internal/coreinternal/clientutil/client.go).
// - resource processor: `insert` only when the key is absent, `upsert` always, `delete`; values from
//   `value` or `from_context` (processor/resourceprocessor/README.md -> attributesprocessor actions).
// - transform processor: `replace_pattern(attributes["k"], regex, replacement)` in the datapoint
//   context; `aggregate_on_attributes("sum")` in the metric context adds up the points of one metric
//   whose attributes (and time, and start time for delta) are then equal, in the same request
//   (processor/transformprocessor, internal/coreinternal/aggregateutil/aggregate.go); `set(time,
//   Now())` and `set(start_time_unix_nano, 0)` on delta points stamp them on arrival (the OTTL
//   datapoint context's `time` and `start_time_unix_nano`), as Google's Ops Agent does before
//   deltatocumulative so that it adds every point of a stream.
// - deltatocumulative (processor/deltatocumulativeprocessor/README.md, internal/delta/delta.go):
//   a stream is resource + scope + metric + point attributes; the first delta point starts it; a
//   point starting before the stream is dropped (ErrOlderStart: "consider checking for multiple
//   processes sending the exact same series"), one not later than the stream's last is dropped
//   (ErrOutOfOrder), any other is added; a stream without a new point for `max_stale` (default 5m)
//   is removed; past `max_streams` new streams are dropped. Cumulative input passes unchanged.
// - prometheus exporter (exporter/prometheusexporter/README.md, accumulator.go, collector.go,
//   utils.go): a series is metric name + type + scope + point attributes + `job`
//   (service.namespace/service.name) + `instance` (service.instance.id): no other resource
//   attribute, so two writers that differ only there overwrite each other; a cumulative point older
//   than the stored one is ignored, any other replaces it; a delta sum is added when it starts where
//   the stored point ended, else replaces it (a reset); a delta histogram that starts before that is
//   dropped; a series not updated for `metric_expiration` (default 5m) is no longer served;
//   `target_info` carries the other resource attributes, one per job + instance, and only when both
//   exist; `resource_to_telemetry_conversion` copies every resource attribute onto the points first;
//   scope name and version become `otel_scope_name` / `otel_scope_version` unless `without_scope_info`.
//   Names follow `translation_strategy` (the dashboard's `collector` naming, src/dashboard/naming.ts;
//   pkg/translator/prometheus).
//
// `fromCollectorConfig()` builds the model from a Collector YAML file (examples/otel-collector.yaml)
// and refuses any component or key it does not model, so the tested recipe is the shipped one.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { parse } from 'yaml';
import type { MetricSpec } from '../../src/catalog/spec.js';
import { prometheusLabelName, prometheusMetricName, type PrometheusNaming } from '../../src/dashboard/naming.js';
import type { AttributeValue, Attributes, ReceivedPoint } from '../../src/verify/points.js';
import { flattenRequest } from '../../src/verify/points.js';
import { decodeRequestBody } from '../../src/verify/request-body.js';

export interface ResourceAction {
  readonly key: string;
  readonly action: 'insert' | 'upsert' | 'delete';
  readonly value?: string;
  /** `client.address` or `metadata.<header>`. */
  readonly fromContext?: string;
}

export interface CollectorModelConfig {
  readonly naming: PrometheusNaming;
  /** Receiver `include_metadata`: headers visible to `from_context: metadata.*`. */
  readonly includeMetadata?: boolean;
  readonly resource?: readonly ResourceAction[];
  /** Transform processor: `replace_pattern` on one point attribute (RE2 pattern, anchored by the caller). */
  readonly replacePattern?: { readonly attribute: string; readonly pattern: string; readonly replacement: string };
  /** Transform processor: `aggregate_on_attributes("sum")` after the replacement. */
  readonly aggregateOnAttributes?: boolean;
  /** Transform processor: delta points stamped on arrival (`set(time, Now())`, `set(start_time_unix_nano, 0)`), after the aggregation. */
  readonly stampDeltaOnArrival?: boolean;
  /** The deltatocumulative processor; absent: not in the pipeline. */
  readonly deltaToCumulative?: { readonly maxStaleMs: number; readonly maxStreams: number };
  readonly metricExpirationMs?: number;
  readonly resourceToTelemetry?: boolean;
  readonly withoutScopeInfo?: boolean;
  /** Wall clock of the model (expiry); default Date.now. */
  readonly now?: () => number;
}

/** Where a request came from, as the receiver sees it. */
export interface RequestContext {
  readonly clientAddress?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ModelStats {
  received: number;
  olderStart: number;
  outOfOrder: number;
  streamLimit: number;
  staleStreams: number;
  /** Points the exporter dropped or ignored (older than the stored point, misaligned delta histogram). */
  exporterDropped: number;
  /** Exporter series that replaced one with another start (a reset Prometheus will see). */
  exporterResets: number;
  expiredSeries: number;
  /** Points of kinds the exporter turns into neither counter nor histogram (gauges, up-down counters). */
  skipped: number;
}

interface Value {
  start: bigint;
  time: bigint;
  value: number;
  buckets: number[];
  bounds: readonly number[];
  count: number;
  sum: number;
}

interface Stream extends Value {
  lastSeen: number;
}

interface Entry {
  readonly point: ReceivedPoint;
  readonly resource: Attributes;
  readonly attributes: Attributes;
  value: Value;
  updated: number;
  /** Family name and sorted labels, computed when stored (a scrape may render 100,000 lines). */
  readonly family: string;
  readonly labels: readonly [string, string][];
}

const DEFAULT_STALE_MS = 5 * 60_000;
const SERVICE_KEYS = new Set(['service.name', 'service.namespace', 'service.instance.id']);

export class CollectorModel {
  readonly stats: ModelStats = { received: 0, olderStart: 0, outOfOrder: 0, streamLimit: 0, staleStreams: 0, exporterDropped: 0, exporterResets: 0, expiredSeries: 0, skipped: 0 };
  private readonly streams = new Map<string, Stream>();
  private readonly series = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly pattern: RegExp | undefined;

  constructor(readonly config: CollectorModelConfig) {
    this.now = config.now ?? Date.now;
    this.pattern = config.replacePattern ? new RegExp(config.replacePattern.pattern) : undefined;
  }

  /** One OTLP request's points, through the pipeline. */
  receive(points: readonly ReceivedPoint[], context: RequestContext = {}): void {
    this.stats.received += points.length;
    this.expireStreams();
    const resources = new Map<Attributes, Attributes>();
    let out = points.map((p) => {
      let resource = resources.get(p.resource);
      if (!resource) resources.set(p.resource, (resource = this.processResource(p.resource, context)));
      return { ...p, resource, attributes: this.transformAttributes(p.attributes) };
    });
    if (this.config.aggregateOnAttributes) out = aggregateOnAttributes(out);
    if (this.config.stampDeltaOnArrival) {
      out = out.map((p) => (p.temporality === 'delta' ? { ...p, startTimeUnixNano: '0', timeUnixNano: this.arrival() } : p));
    }
    for (const p of out) {
      if (p.kind !== 'counter' && p.kind !== 'histogram') {
        this.stats.skipped++;
        continue;
      }
      const converted = this.deltaToCumulative(p);
      if (converted) this.export(p, converted.value, converted.temporality);
    }
  }

  /** What a scrape of the exporter's /metrics returns: text exposition format 0.0.4. */
  render(): string {
    const now = this.now();
    const expiration = this.config.metricExpirationMs ?? DEFAULT_STALE_MS;
    const families = new Map<string, { kind: 'counter' | 'histogram'; lines: string[] }>();
    const targets = new Map<string, string>();
    for (const [key, entry] of this.series) {
      if (now - entry.updated > expiration) {
        this.series.delete(key);
        this.stats.expiredSeries++;
        continue;
      }
      const job = jobOf(entry.resource);
      const instance = entry.resource['service.instance.id'];
      if (job !== undefined && instance !== undefined) {
        const target = this.targetInfo(entry.resource, job, String(instance));
        targets.set(target, target);
      }
      const { point, value, family, labels } = entry;
      let f = families.get(family);
      if (!f) families.set(family, (f = { kind: point.kind as 'counter' | 'histogram', lines: [] }));
      if (point.kind === 'counter') {
        f.lines.push(`${family}${braces(labels)} ${value.value}`);
        continue;
      }
      let cumulative = 0;
      value.bounds.forEach((bound, i) => {
        cumulative += value.buckets[i] ?? 0;
        f!.lines.push(`${family}_bucket${braces([...labels, ['le', String(bound)]])} ${cumulative}`);
      });
      f.lines.push(`${family}_bucket${braces([...labels, ['le', '+Inf']])} ${value.count}`);
      f.lines.push(`${family}_sum${braces(labels)} ${value.sum}`);
      f.lines.push(`${family}_count${braces(labels)} ${value.count}`);
    }
    const lines: string[] = [];
    if (targets.size > 0) lines.push('# TYPE target_info gauge', ...[...targets.values()].map((t) => `${t} 1`));
    for (const [family, { kind, lines: members }] of families) lines.push(`# TYPE ${family} ${kind}`, ...members);
    return `${lines.join('\n')}\n`;
  }

  private lastArrival = 0n;
  /** `Now()` in nanoseconds; strictly increasing, as the Collector's clock is at that resolution. */
  private arrival(): string {
    const now = BigInt(this.now()) * 1_000_000n;
    this.lastArrival = now > this.lastArrival ? now : this.lastArrival + 1n;
    return String(this.lastArrival);
  }

  /** Streams deltatocumulative tracks now (after expiry). */
  trackedStreams(): number {
    this.expireStreams();
    return this.streams.size;
  }

  private processResource(resource: Attributes, context: RequestContext): Attributes {
    const actions = this.config.resource ?? [];
    if (actions.length === 0) return resource;
    const out: Attributes = { ...resource };
    for (const a of actions) {
      if (a.action === 'delete') {
        delete out[a.key];
        continue;
      }
      const value = a.value ?? this.fromContext(a.fromContext, context);
      if (value === undefined) continue; // "If the key doesn't exist, no action is performed."
      if (a.action === 'insert' && a.key in out) continue;
      out[a.key] = value;
    }
    return out;
  }

  private fromContext(key: string | undefined, context: RequestContext): string | undefined {
    if (key === 'client.address') return context.clientAddress;
    if (key?.startsWith('metadata.') && this.config.includeMetadata) return context.headers?.[key.slice('metadata.'.length).toLowerCase()];
    return undefined;
  }

  private transformAttributes(attributes: Attributes): Attributes {
    const r = this.config.replacePattern;
    if (!r || !this.pattern) return attributes;
    const value = attributes[r.attribute];
    if (typeof value !== 'string' || !this.pattern.test(value)) return attributes;
    return { ...attributes, [r.attribute]: value.replace(this.pattern, r.replacement) };
  }

  /** The cumulative value the exporter receives, or undefined when deltatocumulative drops the point. */
  private deltaToCumulative(p: ReceivedPoint): { value: Value; temporality: 'cumulative' | 'delta' } | undefined {
    const d2c = this.config.deltaToCumulative;
    const value = valueOf(p);
    if (!d2c || p.temporality !== 'delta') return { value, temporality: p.temporality === 'delta' ? 'delta' : 'cumulative' };
    const id = streamKey(p);
    const state = this.streams.get(id);
    if (!state) {
      if (d2c.maxStreams > 0 && this.streams.size >= d2c.maxStreams) {
        this.stats.streamLimit++;
        return undefined;
      }
      const stream: Stream = { ...value, buckets: [...value.buckets], lastSeen: this.now() };
      this.streams.set(id, stream);
      return { value: { ...stream, buckets: [...stream.buckets] }, temporality: 'cumulative' };
    }
    if (value.start < state.start) {
      this.stats.olderStart++;
      return undefined;
    }
    if (value.time <= state.time) {
      this.stats.outOfOrder++;
      return undefined;
    }
    addInto(state, value);
    state.time = value.time;
    state.lastSeen = this.now();
    return { value: { ...state, buckets: [...state.buckets] }, temporality: 'cumulative' };
  }

  private expireStreams(): void {
    const d2c = this.config.deltaToCumulative;
    if (!d2c) return;
    const now = this.now();
    for (const [id, s] of this.streams) {
      if (now - s.lastSeen > d2c.maxStaleMs) {
        this.streams.delete(id);
        this.stats.staleStreams++;
      }
    }
  }

  /** The exporter's accumulator (accumulator.go). */
  private export(p: ReceivedPoint, value: Value, temporality: 'cumulative' | 'delta'): void {
    const attributes: Attributes = this.config.resourceToTelemetry ? { ...p.resource, ...p.attributes } : p.attributes;
    const key = signature(p, attributes);
    const stored = this.series.get(key);
    const now = this.now();
    if (!stored) {
      this.series.set(key, this.entry(p, attributes, value, now));
      return;
    }
    if (value.time < stored.value.time) {
      this.stats.exporterDropped++;
      return;
    }
    let next = value;
    if (temporality === 'delta') {
      if (value.start === stored.value.time) {
        next = { ...stored.value, buckets: [...stored.value.buckets] };
        addInto(next, value);
        next.time = value.time;
      } else if (p.kind === 'histogram' && value.start <= stored.value.time) {
        this.stats.exporterDropped++;
        return;
      } else this.stats.exporterResets++;
    } else if (value.start !== stored.value.start) this.stats.exporterResets++;
    // The same series: same name and labels; the resource (target_info) is the latest one.
    this.series.set(key, p.resource === stored.resource ? { ...stored, value: next, updated: now } : this.entry(p, attributes, next, now));
  }

  private entry(point: ReceivedPoint, attributes: Attributes, value: Value, updated: number): Entry {
    const spec: Pick<MetricSpec, 'name' | 'kind' | 'unit'> = { name: point.metric.replace(/^codex\./, ''), kind: point.kind as MetricSpec['kind'], unit: point.unit };
    const pairs = new Map<string, string>();
    for (const [k, v] of Object.entries(attributes)) pairs.set(prometheusLabelName(k, this.config.naming), stringOf(v));
    const job = jobOf(point.resource);
    if (job !== undefined) pairs.set('job', job);
    if (point.resource['service.instance.id'] !== undefined) pairs.set('instance', stringOf(point.resource['service.instance.id']));
    if (!this.config.withoutScopeInfo) {
      if (point.scopeName) pairs.set('otel_scope_name', point.scopeName);
      if (point.scopeVersion) pairs.set('otel_scope_version', point.scopeVersion);
    }
    const labels = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { point, resource: point.resource, attributes, value, updated, family: prometheusMetricName(spec, this.config.naming), labels };
  }

  private targetInfo(resource: Attributes, job: string, instance: string): string {
    const pairs = new Map<string, string>();
    for (const [k, v] of Object.entries(resource)) {
      if (SERVICE_KEYS.has(k)) continue;
      const label = prometheusLabelName(k, this.config.naming);
      pairs.set(label, pairs.has(label) ? `${pairs.get(label)};${stringOf(v)}` : stringOf(v));
    }
    pairs.set('job', job);
    pairs.set('instance', instance);
    return `target_info${braces([...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  }
}

/**
 * One OTLP/HTTP endpoint (`POST /v1/metrics`: JSON or protobuf, gzip) feeding every model, as
 * Collectors with the same receiver would be, and each model's scrape at `GET /metrics/<name>`.
 */
export async function serveCollectors(models: Readonly<Record<string, CollectorModel>>): Promise<ModelServer> {
  const server: Server = createServer((req, res) => {
    const scrape = /^\/metrics\/([\w-]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && scrape && Object.hasOwn(models, scrape[1])) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(models[scrape[1]].render());
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/metrics') {
      res.writeHead(404).end();
      return;
    }
    void readBody(req).then(async (body) => {
      try {
        const contentType = String(req.headers['content-type'] ?? '').split(';')[0].trim();
        const request = await decodeRequestBody({ contentType, contentEncoding: req.headers['content-encoding'], body, maxBytes: 64 * 1024 * 1024 });
        const points = flattenRequest(request, { contentType, requestIndex: 0 });
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(';') : String(v ?? '')]));
        for (const model of Object.values(models)) model.receive(points, { clientAddress: peerAddress(req), headers });
        // An empty ExportMetricsServiceResponse in either encoding.
        res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : '');
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    otlpUrl: `http://127.0.0.1:${address.port}/v1/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface ModelServer {
  readonly port: number;
  /** Where OTLP/HTTP senders export to. */
  readonly otlpUrl: string;
  close(): Promise<void>;
}

/** `aggregate_on_attributes("sum")`: the points of one metric with equal attributes and times (and start, for delta) added up. */
function aggregateOnAttributes(points: ReceivedPoint[]): ReceivedPoint[] {
  const groups = new Map<string, ReceivedPoint>();
  const out: ReceivedPoint[] = [];
  for (const p of points) {
    const key = JSON.stringify([
      sortedEntries(p.resource),
      p.scopeName,
      p.scopeVersion ?? '',
      p.metric,
      p.kind,
      p.temporality,
      sortedEntries(p.attributes),
      p.timeUnixNano,
      p.temporality === 'delta' ? p.startTimeUnixNano : '',
      p.explicitBounds ?? [],
    ]);
    const first = groups.get(key);
    if (!first) {
      const copy = { ...p };
      groups.set(key, copy);
      out.push(copy);
      continue;
    }
    const merged = first as { -readonly [K in keyof ReceivedPoint]: ReceivedPoint[K] };
    if (p.kind === 'counter') merged.value = (merged.value ?? 0) + (p.value ?? 0);
    else {
      merged.count = (merged.count ?? 0) + (p.count ?? 0);
      merged.sum = (merged.sum ?? 0) + (p.sum ?? 0);
      merged.bucketCounts = (merged.bucketCounts ?? []).map((c, i) => c + (p.bucketCounts?.[i] ?? 0));
    }
    if (BigInt(p.startTimeUnixNano) < BigInt(merged.startTimeUnixNano)) merged.startTimeUnixNano = p.startTimeUnixNano;
  }
  return out;
}

function valueOf(p: ReceivedPoint): Value {
  return {
    start: BigInt(p.startTimeUnixNano),
    time: BigInt(p.timeUnixNano),
    value: p.value ?? 0,
    buckets: [...(p.bucketCounts ?? [])],
    bounds: p.explicitBounds ?? [],
    count: p.count ?? 0,
    sum: p.sum ?? 0,
  };
}

function addInto(state: Value, dp: Value): void {
  state.value += dp.value;
  state.count += dp.count;
  state.sum += dp.sum;
  state.buckets = state.buckets.map((c, i) => c + (dp.buckets[i] ?? 0));
}

/** deltatocumulative's stream identity: resource, scope, metric (name, unit, type), point attributes. */
function streamKey(p: ReceivedPoint): string {
  return JSON.stringify([sortedEntries(p.resource), p.scopeName, p.scopeVersion ?? '', p.metric, p.unit, p.kind, p.monotonic ?? false, sortedEntries(p.attributes)]);
}

/** The exporter's timeseriesSignature: name, type, scope, point attributes, job, instance. */
function signature(p: ReceivedPoint, attributes: Attributes): string {
  return JSON.stringify([p.metric, p.kind, p.scopeName, p.scopeVersion ?? '', sortedEntries(attributes), jobOf(p.resource) ?? null, p.resource['service.instance.id'] ?? null]);
}

function jobOf(resource: Attributes): string | undefined {
  const name = resource['service.name'];
  if (name === undefined) return undefined;
  const namespace = resource['service.namespace'];
  return namespace !== undefined ? `${stringOf(namespace)}/${stringOf(name)}` : stringOf(name);
}

/** Sorted string pairs of an attribute set, computed once per object (points share their attribute objects). */
const SORTED = new WeakMap<Attributes, string>();
function sortedEntries(attributes: Attributes): string {
  let key = SORTED.get(attributes);
  if (key === undefined) {
    const pairs = Object.entries(attributes)
      .map(([k, v]): [string, string] => [k, stringOf(v)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    SORTED.set(attributes, (key = JSON.stringify(pairs)));
  }
  return key;
}

function stringOf(value: AttributeValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function braces(labels: readonly [string, string][]): string {
  return labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function peerAddress(req: IncomingMessage): string | undefined {
  const address = req.socket.remoteAddress;
  return address?.startsWith('::ffff:') ? address.slice(7) : address;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---- Collector YAML -> model ----

/** Keys of each component this model implements; any other key in the YAML is an error. */
const MODELLED_KEYS = {
  otlpHttp: ['endpoint', 'include_metadata'],
  resource: ['attributes'],
  resourceAction: ['key', 'action', 'value', 'from_context'],
  transform: ['error_mode', 'metric_statements'],
  deltatocumulative: ['max_stale', 'max_streams'],
  batch: [] as string[],
  prometheus: ['endpoint', 'translation_strategy', 'metric_expiration', 'resource_to_telemetry_conversion', 'without_scope_info'],
} as const;

const DELTA_WHERE = 'where metric.aggregation_temporality == AGGREGATION_TEMPORALITY_DELTA';
const DELTA_STAMPS = [`set(time, Now()) ${DELTA_WHERE}`, `set(start_time_unix_nano, 0) ${DELTA_WHERE}`];

/** The model of a Collector configuration's metrics pipeline (`service.pipelines.metrics`). */
export function fromCollectorConfig(yamlText: string, overrides: Partial<CollectorModelConfig> = {}): CollectorModel {
  const doc = parse(yamlText) as Record<string, any>;
  const pipeline = doc.service?.pipelines?.metrics;
  if (!pipeline) throw new Error('no service.pipelines.metrics');
  if (JSON.stringify(pipeline.receivers) !== '["otlp"]') throw new Error(`receivers ${JSON.stringify(pipeline.receivers)}: only [otlp] is modelled`);
  if (JSON.stringify(pipeline.exporters) !== '["prometheus"]') throw new Error(`exporters ${JSON.stringify(pipeline.exporters)}: only [prometheus] is modelled`);
  const http = doc.receivers?.otlp?.protocols?.http ?? {};
  checkKeys('receivers.otlp.protocols.http', http, MODELLED_KEYS.otlpHttp);
  const config: { -readonly [K in keyof CollectorModelConfig]: CollectorModelConfig[K] } = { naming: 'collector', includeMetadata: http.include_metadata === true };
  const resource: ResourceAction[] = [];
  let batched = false;
  for (const name of pipeline.processors as string[]) {
    const type = name.split('/')[0];
    const settings = doc.processors?.[name] ?? {};
    if (type === 'batch') {
      checkKeys(name, settings, MODELLED_KEYS.batch);
      batched = true;
    } else if (type === 'resource') {
      checkKeys(name, settings, MODELLED_KEYS.resource);
      for (const a of settings.attributes ?? []) {
        checkKeys(`${name} action`, a, MODELLED_KEYS.resourceAction);
        if (!['insert', 'upsert', 'delete'].includes(a.action)) throw new Error(`${name}: action ${a.action} is not modelled`);
        // The batch processor keeps no client metadata unless told which keys: context reads must come first.
        if (a.from_context && batched) throw new Error(`${name}: from_context after batch sees no client metadata`);
        resource.push({ key: a.key, action: a.action, ...(a.value !== undefined ? { value: String(a.value) } : {}), ...(a.from_context ? { fromContext: a.from_context } : {}) });
      }
    } else if (type === 'transform') {
      checkKeys(name, settings, MODELLED_KEYS.transform);
      const stamps = new Set<string>();
      for (const group of settings.metric_statements ?? []) {
        for (const statement of group.statements as string[]) {
          const replace = /^replace_pattern\(attributes\["([^"]+)"\], "((?:[^"\\]|\\.)*)", "([^"]*)"\)$/.exec(statement);
          if (group.context === 'datapoint' && replace) {
            config.replacePattern = { attribute: replace[1], pattern: JSON.parse(`"${replace[2]}"`), replacement: replace[3] };
          } else if (group.context === 'metric' && /^aggregate_on_attributes\("sum"\)$/.test(statement)) {
            config.aggregateOnAttributes = true;
          } else if (group.context === 'datapoint' && DELTA_STAMPS.includes(statement)) {
            stamps.add(statement);
          } else throw new Error(`${name}: statement not modelled (${group.context}): ${statement}`);
        }
      }
      // Both statements or neither: one alone still drops points.
      if (stamps.size === DELTA_STAMPS.length) config.stampDeltaOnArrival = true;
      else if (stamps.size > 0) throw new Error(`${name}: only one of ${DELTA_STAMPS.join(' / ')}`);
    } else if (type === 'deltatocumulative') {
      checkKeys(name, settings, MODELLED_KEYS.deltatocumulative);
      config.deltaToCumulative = { maxStaleMs: settings.max_stale ? durationMs(settings.max_stale) : DEFAULT_STALE_MS, maxStreams: settings.max_streams ?? 0 };
    } else throw new Error(`processor ${name} is not modelled`);
  }
  config.resource = resource;
  const prometheus = doc.exporters?.prometheus ?? {};
  checkKeys('exporters.prometheus', prometheus, MODELLED_KEYS.prometheus);
  if ((prometheus.translation_strategy ?? 'UnderscoreEscapingWithSuffixes') !== 'UnderscoreEscapingWithSuffixes') throw new Error(`translation_strategy ${prometheus.translation_strategy} is not modelled`);
  if (prometheus.metric_expiration) config.metricExpirationMs = durationMs(prometheus.metric_expiration);
  config.resourceToTelemetry = prometheus.resource_to_telemetry_conversion?.enabled === true;
  config.withoutScopeInfo = prometheus.without_scope_info === true;
  return new CollectorModel({ ...config, ...overrides });
}

function checkKeys(where: string, settings: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(settings ?? {})) if (!known.includes(key)) throw new Error(`${where}: key ${key} is not modelled`);
}

/** Go durations as the Collector writes them: `90s`, `5m`, `1h30m`, `500ms`. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = String(text).replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, unit: string) => {
    total += Number(n) * units[unit];
    return '';
  });
  if (rest !== '' || total === 0) throw new Error(`not a duration: ${text}`);
  return total;
}

/** Serves `render(path)` over loopback HTTP (a scrape target); any path the callback does not know answers 404. */
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
