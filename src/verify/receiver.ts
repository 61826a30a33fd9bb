// A minimal OTLP/HTTP metrics receiver (POST /v1/metrics) for tests and `verify`: it decodes every
// export, keeps the flattened data points in memory (unless told not to) and never lets a bad
// request crash the process.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RpcStatus, errorMessage } from './otlp-proto.js';
import { flattenRequest } from './points.js';
import type { ReceivedPoint } from './points.js';
import { RequestError, bodyFormat, decodeRequestBody, mediaType } from './request-body.js';
import type { RequestErrorCode } from './request-body.js';

export const METRICS_PATH = '/v1/metrics';
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** One HTTP request as the receiver saw it. */
export interface RequestRecord {
  /** 0-based arrival order over every request, whatever its path. */
  readonly index: number;
  readonly method: string;
  readonly path: string;
  /** Media type without parameters, `''` when absent. */
  readonly contentType: string;
  /** `''` when absent. */
  readonly contentEncoding: string;
  /** Body size on the wire (before decompression). */
  readonly bytes: number;
  /** Status answered; `0` while unanswered (e.g. a `'hang'` from the respond hook). */
  readonly status: number;
  /** Data points accepted from this request. */
  readonly points: number;
  /** Set when the request was rejected as malformed. */
  readonly error?: { readonly code: RequestErrorCode; readonly message: string };
  /** True when the respond hook answered (or hung) instead of the receiver. */
  readonly injected?: boolean;
}

/** What the respond hook sees of a request; the body is complete but not yet decoded. */
export interface IncomingOtlpRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * Fault injection, decided per request before decoding:
 * - `{ status, headers?, body? }`: answer this instead; the request's points are NOT recorded.
 * - `{ delayMs }`: wait, then handle the request normally.
 * - `'hang'`: never answer (the socket is destroyed by `close()`).
 * - `undefined`: handle normally.
 */
export type RespondDecision =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string | Uint8Array }
  | { readonly delayMs: number }
  | 'hang'
  | undefined;

export interface OtlpReceiverOptions {
  /** Interface to bind; loopback by default so nothing is exposed. */
  readonly host?: string;
  /** 0 (default) picks an ephemeral port. */
  readonly port?: number;
  /** Larger bodies (compressed or decompressed) are answered 413. Default 8 MiB. */
  readonly maxBodyBytes?: number;
  readonly respond?: (request: IncomingOtlpRequest) => RespondDecision | Promise<RespondDecision>;
  /** Called after each accepted export with its points. Exceptions thrown here are swallowed. */
  readonly onPoints?: (points: readonly ReceivedPoint[], request: RequestRecord) => void;
  /** Called for each rejected request (bad body, wrong path or method, too large). Exceptions are swallowed. */
  readonly onError?: (request: RequestRecord) => void;
  /**
   * Keep every point for `points()` and `waitForPoints()`. Default true. A long-running consumer
   * that only needs `onPoints` (the `verify` CLI) sets false so memory does not grow with the run.
   */
  readonly retainPoints?: boolean;
  /** Keep only the most recent N records in `requests()`/`errors()`; `stats()` still counts all. Default: all. */
  readonly maxRequestRecords?: number;
}

/** Totals over the whole run, whatever is retained. */
export interface ReceiverStats {
  readonly requests: number;
  /** Requests rejected as malformed (those with an `error`). */
  readonly rejected: number;
  readonly points: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43117`. */
  readonly url: string;
  /** `${url}/v1/metrics`, what OTEL_EXPORTER_OTLP_METRICS_ENDPOINT should be. */
  readonly metricsUrl: string;
  readonly host: string;
  readonly port: number;
  /** Every point received so far (a copy); always empty with `retainPoints: false`. */
  points(): ReceivedPoint[];
  /** Every request received so far, or the last `maxRequestRecords` of them (a copy). */
  requests(): RequestRecord[];
  /** The rejected requests among `requests()`. */
  errors(): RequestRecord[];
  stats(): ReceiverStats;
  /**
   * Resolves with all points once `predicate(allPoints)` holds (checked now and after every
   * export); rejects after `timeoutMs` (default 5000) or when the receiver closes. Needs retained
   * points: with `retainPoints: false` it rejects at once rather than time out.
   */
  waitForPoints(predicate: (points: readonly ReceivedPoint[]) => boolean, timeoutMs?: number): Promise<ReceivedPoint[]>;
  /** Stops listening and destroys open sockets, hanging requests included. */
  close(): Promise<void>;
}

interface Waiter {
  readonly predicate: (points: readonly ReceivedPoint[]) => boolean;
  readonly resolve: (points: ReceivedPoint[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const retainPoints = options.retainPoints ?? true;
  const maxRequestRecords = options.maxRequestRecords ?? Infinity;
  const points: ReceivedPoint[] = [];
  const records: RequestRecord[] = [];
  const stats = { requests: 0, rejected: 0, points: 0 };
  const waiters = new Set<Waiter>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const settleWaiters = (): void => {
    for (const waiter of waiters) {
      if (!waiter.predicate(points)) continue;
      waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve([...points]);
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const index = stats.requests++;
    const path = (req.url ?? '/').split('?')[0];
    const record: { -readonly [K in keyof RequestRecord]: RequestRecord[K] } = {
      index,
      method: req.method ?? '',
      path,
      contentType: mediaType(req.headers['content-type']),
      contentEncoding: (req.headers['content-encoding'] ?? '').toLowerCase(),
      bytes: 0,
      status: 0,
      points: 0,
    };
    records.push(record);
    if (records.length > maxRequestRecords) records.shift();
    const { body, bytes } = await readBody(req, maxBodyBytes);
    record.bytes = bytes;

    const decision = await options.respond?.({ index, method: record.method, path, headers: req.headers, body });
    if (decision === 'hang') {
      record.injected = true;
      return;
    }
    if (decision && 'status' in decision) {
      record.injected = true;
      record.status = decision.status;
      res.writeHead(decision.status, decision.headers);
      res.end(decision.body);
      return;
    }
    if (decision && 'delayMs' in decision) await sleep(decision.delayMs);
    if (closed) return;

    let received: ReceivedPoint[];
    try {
      if (path !== METRICS_PATH) throw new RequestError(404, 'not_found', `no handler for ${path}; metrics go to ${METRICS_PATH}`);
      if (req.method !== 'POST') throw new RequestError(405, 'method_not_allowed', `${req.method} ${path}; only POST is allowed`);
      if (bytes > maxBodyBytes) throw new RequestError(413, 'too_large', `body of ${bytes} bytes exceeds ${maxBodyBytes}`);
      const decoded = await decodeRequestBody({
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        body,
        maxBytes: maxBodyBytes,
      });
      received = flattenRequest(decoded, { contentType: record.contentType, requestIndex: index });
    } catch (err) {
      const failure = err instanceof RequestError ? err : new RequestError(500, 'internal_error', errorMessage(err));
      record.status = failure.status;
      record.error = { code: failure.code, message: failure.message };
      stats.rejected++;
      answerError(res, record.contentType, failure);
      options.onError?.({ ...record });
      return;
    }
    if (retainPoints) points.push(...received);
    stats.points += received.length;
    record.points = received.length;
    record.status = 200;
    answerSuccess(res, record.contentType);
    options.onPoints?.(received, { ...record });
    settleWaiters();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last resort (a throwing respond hook): answer 500 rather than crash or hang the client.
      // A throwing onPoints/onError runs after the answer and is dropped here.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(errorMessage(err));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // A client vanishing mid-request must not take the process down.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url,
    metricsUrl: `${url}${METRICS_PATH}`,
    host,
    port,
    points: () => [...points],
    requests: () => records.map((r) => ({ ...r })),
    errors: () => records.filter((r) => r.error).map((r) => ({ ...r })),
    stats: () => ({ ...stats }),
    waitForPoints(predicate, timeoutMs = 5000) {
      if (!retainPoints) return Promise.reject(new Error('waitForPoints needs retainPoints: true'));
      if (predicate(points)) return Promise.resolve([...points]);
      if (closed) return Promise.reject(new Error('receiver is closed'));
      return new Promise<ReceivedPoint[]>((resolve, reject) => {
        const waiter: Waiter = {
          predicate,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`waitForPoints timed out after ${timeoutMs} ms with ${points.length} point(s) received`));
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error('receiver closed before the expected points arrived'));
      }
      waiters.clear();
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await done;
    },
  };
}

/** Reads the whole body but keeps at most `limit` + 1 bytes, so oversize uploads are drained, not stored. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; bytes: number }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      if (bytes <= limit) chunks.push(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => resolve({ body: bytes <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), bytes }));
    // An aborted upload resolves with what arrived; the answer goes to a closed socket, harmlessly.
    req.on('error', () => resolve({ body: Buffer.alloc(0), bytes }));
  });
}

/** An empty ExportMetricsServiceResponse: no bytes in protobuf, `{}` in JSON. */
function answerSuccess(res: ServerResponse, contentType: string): void {
  if (bodyFormat(contentType) === 'json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  } else {
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  }
}

/** OTLP/HTTP errors carry a google.rpc.Status in the request's encoding (JSON when unknown). */
function answerError(res: ServerResponse, contentType: string, failure: RequestError): void {
  const status = { code: GRPC_INVALID_ARGUMENT, message: failure.message };
  const headers: Record<string, string> = failure.status === 413 ? { connection: 'close' } : {};
  if (bodyFormat(contentType) === 'protobuf') {
    res.writeHead(failure.status, { ...headers, 'content-type': 'application/x-protobuf' });
    res.end(RpcStatus.encode(RpcStatus.fromObject(status)).finish());
  } else {
    res.writeHead(failure.status, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(status));
  }
}

const GRPC_INVALID_ARGUMENT = 3;
