// OTLP partial success: a collector may answer 200 with `partial_success.rejected_data_points` > 0
// (some points refused, e.g. invalid ones). The OpenTelemetry JS exporters count that as a success
// and only diag.warn it (unbounded, and discarded when the host has no diag logger), so the package
// reads the response itself: the exporter's HTTP agent is created here and sees every response of
// a 2xx status beside the exporter. Partial success is then a failure kind of its own
// (export-failures.ts). The collector's text is bounded and its control characters escaped.
import { readFileSync } from 'node:fs';
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { reportLine } from './report.js';
import { decodePartialSuccess } from './otlp-response.js';

export interface PartialSuccess {
  readonly rejectedDataPoints: number;
  /** Bounded and escaped, safe to print. */
  readonly errorMessage: string;
}

/** Bytes of a 2xx response body read for a partial success (a real one is a few hundred). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Characters of the collector's error message shown. */
export const MAX_COLLECTOR_TEXT = 256;

/** Responses of one exporter's requests, as the package sees them. */
export class ResponseWatch {
  private last: PartialSuccess | undefined;

  constructor(private readonly protocol: 'http/protobuf' | 'http/json') {}

  /** The partial success of the latest 2xx response, once (the exporter's success callback follows it). */
  take(): PartialSuccess | undefined {
    const last = this.last;
    this.last = undefined;
    return last;
  }

  /**
   * The exporter's `httpAgentOptions` factory: the keep-alive agent it would create itself, with
   * the TLS files of OTEL_EXPORTER_OTLP_(METRICS_)CERTIFICATE, _CLIENT_CERTIFICATE and _CLIENT_KEY
   * (a factory replaces the exporter's own, which reads them), watching each request.
   */
  readonly agentFactory = async (protocol: string): Promise<Agent> => {
    const secure = protocol !== 'http:';
    // Loaded here, as the exporter does, so instrumentation-http can patch them first.
    const { Agent: HttpAgent } = secure ? await import('node:https') : await import('node:http');
    const tls = secure ? tlsFiles() : {};
    const agent = new HttpAgent({ keepAlive: true, ...tls }) as Agent & { addRequest?: (req: ClientRequest, options: unknown) => void };
    const addRequest = agent.addRequest;
    // addRequest is how every request reaches an agent (in Node since 0.x, not in the typings).
    if (typeof addRequest === 'function') {
      agent.addRequest = (req, options) => {
        req.once('response', (res) => this.read(res));
        return addRequest.call(agent, req, options);
      };
    }
    return agent;
  };

  private read(res: IncomingMessage): void {
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) return;
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_RESPONSE_BYTES) chunks.push(chunk);
    });
    // Runs before the exporter's success callback, which waits for a promise of the same 'end'.
    res.on('end', () => {
      this.last = size > 0 && size <= MAX_RESPONSE_BYTES ? parsePartialSuccess(Buffer.concat(chunks), res.headers['content-type'], this.protocol) : undefined;
    });
  }
}

/** The partial success of an ExportMetricsServiceResponse body, if it holds one; never throws. */
export function parsePartialSuccess(body: Uint8Array, contentType: string | undefined, protocol: 'http/protobuf' | 'http/json'): PartialSuccess | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const json = type === 'application/json' || (type === '' && protocol === 'http/json');
  try {
    const partial = json
      ? (JSON.parse(Buffer.from(body).toString('utf8')) as { partialSuccess?: { rejectedDataPoints?: unknown; errorMessage?: unknown } } | null)?.partialSuccess
      : decodePartialSuccess(body);
    if (partial === null || typeof partial !== 'object') return undefined;
    // int64 in OTLP/JSON is a decimal string; a number is accepted too.
    const rejected = Number(partial.rejectedDataPoints ?? 0);
    const message = typeof partial.errorMessage === 'string' ? partial.errorMessage : '';
    const count = rejected > 0 ? (Number.isSafeInteger(rejected) ? rejected : Number.MAX_SAFE_INTEGER) : 0;
    if (message === '' && count === 0) return undefined;
    return { rejectedDataPoints: count, errorMessage: collectorText(message) };
  } catch {
    return undefined; // not a response the package can read; the exporter warns about it itself
  }
}

/**
 * The collector's free text, safe on one log line: control characters (C0, DEL, C1, line and
 * paragraph separators, bidirectional overrides) escaped as \u{…}, cut to MAX_COLLECTOR_TEXT
 * characters with `...[N chars]`.
 */
export function collectorText(text: string): string {
  const cut = text.length > MAX_COLLECTOR_TEXT ? `${text.slice(0, MAX_COLLECTOR_TEXT)}...[${text.length} chars]` : text;
  return cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** What the exporter's own agent factory would read from the environment for TLS. */
function tlsFiles(): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const file = (specific: string, general: string, what: string): Buffer | undefined => {
    const path = process.env[specific] ?? process.env[general];
    if (path === undefined || path === '') return undefined;
    try {
      return readFileSync(resolve(process.cwd(), path));
    } catch {
      reportLine('warn', `codex-otel-metrics: cannot read the ${what} file named by ${process.env[specific] !== undefined ? specific : general}`);
      return undefined;
    }
  };
  const ca = file('OTEL_EXPORTER_OTLP_METRICS_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CERTIFICATE', 'root certificate');
  const cert = file('OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE', 'client certificate');
  const key = file('OTEL_EXPORTER_OTLP_METRICS_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_CLIENT_KEY', 'client key');
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
