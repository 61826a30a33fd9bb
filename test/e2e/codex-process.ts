// Stand-ins for running Codex CLI processes, built from the real exports committed under
// test/fixtures/codex-0.171.0/ (OTLP/JSON request bodies): each export repeats one captured
// request's deltas with Codex's resource shape (service.name = originator, service.version, env,
// os, os_version, no service.instance.id unless given), restamped the way the Rust SDK's delta
// reader stamps them (start = the previous export, or the process start; time = now).
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ReceivedPoint } from '../../src/verify/points.js';
import { FIXTURE_DIR, readManifest } from '../interop/fixtures.js';

type Json = Record<string, any>;

/** The JSON-protocol captures, by scenario (one request each). */
export function codexJsonExports(): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const entry of readManifest().entries) {
    if (entry.protocol !== 'json') continue;
    out.set(entry.scenario, JSON.parse(gunzipSync(readFileSync(join(FIXTURE_DIR, entry.file))).toString('utf8')) as Json);
  }
  return out;
}

export interface CodexProcessOptions {
  /** Resource attributes set over Codex's own (e.g. env, os_version, or a service.instance.id from OTEL_RESOURCE_ATTRIBUTES). */
  readonly resource?: Readonly<Record<string, string>>;
  /** Attribute values replaced on every point (e.g. session_source). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Local address the process exports from (its host, for `client.address`): 127.0.0.x. */
  readonly localAddress?: string;
  /** Headers of its [otel] exporter config. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Process start, ms since the epoch. */
  readonly startedAt: number;
}

/** One simulated Codex process exporting the same captured interval again and again. */
export class CodexProcess {
  private last: bigint;
  exports = 0;

  constructor(
    private readonly capture: Json,
    readonly options: CodexProcessOptions,
  ) {
    this.last = BigInt(options.startedAt) * 1_000_000n;
  }

  /** The next export's body: the captured deltas from the previous export (or the start) to `now`. */
  nextBody(now: number): string {
    const time = BigInt(now) * 1_000_000n;
    const start = this.last;
    this.last = time;
    this.exports++;
    const body = structuredClone(this.capture);
    for (const rm of body.resourceMetrics) {
      const attrs: Json[] = rm.resource.attributes.filter((a: Json) => !(a.key in (this.options.resource ?? {})));
      for (const [key, value] of Object.entries(this.options.resource ?? {})) attrs.push({ key, value: { stringValue: value } });
      rm.resource.attributes = attrs;
      for (const sm of rm.scopeMetrics) {
        for (const m of sm.metrics) {
          for (const dp of (m.sum ?? m.histogram ?? m.gauge).dataPoints) {
            dp.startTimeUnixNano = String(start);
            dp.timeUnixNano = String(time);
            for (const a of dp.attributes ?? []) if (this.options.attributes && a.key in this.options.attributes) a.value = { stringValue: this.options.attributes[a.key] };
          }
        }
      }
    }
    return JSON.stringify(body);
  }

  /** Exports to an OTLP/HTTP endpoint from the process's own address; rejects on a non-2xx answer. */
  export(url: string, now = Date.now()): Promise<void> {
    const body = this.nextBody(now);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(this.options.headers ?? {}) },
          ...(this.options.localAddress ? { localAddress: this.options.localAddress } : {}),
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`export answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** Points of one captured export as a given process would send them (for feeding a model directly). */
export function restamp(points: readonly ReceivedPoint[], startNs: bigint, timeNs: bigint, resource: ReceivedPoint['resource']): ReceivedPoint[] {
  return points.map((p) => ({ ...p, startTimeUnixNano: String(startNs), timeUnixNano: String(timeNs), resource }));
}
