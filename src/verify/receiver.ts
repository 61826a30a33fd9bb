// A minimal OTLP/HTTP metrics receiver (POST /v1/metrics) for tests and `verify`: it decodes every
// export, keeps the flattened data points in memory (unless told not to) and never lets a bad
// request crash the process. Everything a client controls is bounded: body size, decoded points,
// attributes, objects and nesting per request, the time to send a request, open connections (idle
// ones make room for newcomers, see connection-slots.ts) and requests in progress; each request
// past a bound is answered with an error and counted.
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { RpcStatus, errorMessage } from './otlp-proto.js';
import { boundText } from './bounded-text.js';
import { ConnectionSlots } from './connection-slots.js';
import { flattenRequest } from './points.js';
import type { ReceivedPoint } from './points.js';
import { RequestError, bodyFormat, decodeRequestBody, mediaType } from './request-body.js';
import type { RequestErrorCode } from './request-body.js';
import { resolveRequestLimits } from './request-limits.js';
import type { RequestLimits } from './request-limits.js';

export const METRICS_PATH = '/v1/metrics';
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Headers, and then the body, must each arrive within this. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Open connections, and requests in progress (pipelining included). */
export const DEFAULT_MAX_CONNECTIONS = 16;
/** How long an idle keep-alive connection stays open (announced to clients in `Keep-Alive: timeout=65`). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** The longest delay Node's timers honour; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /** Status answered; `0` while unanswered (e.g. a `'hang'` from the respond hook) or never answered (`aborted`). */
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

export interface OtlpReceiverOptions extends Partial<RequestLimits> {
  /** Interface to bind; loopback by default so nothing is exposed. */
  readonly host?: string;
  /** 0 (default) picks an ephemeral port. */
  readonly port?: number;
  /** Larger bodies (compressed or decompressed) are answered 413. Default 8 MiB. */
  readonly maxBodyBytes?: number;
  /**
   * Request headers must arrive within this many ms of the connection (or of the previous request),
   * and the body within this many ms of the headers; otherwise 408, counted as rejected. Default 30 s.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Open connections. At the cap a new one takes the place of an idle one (counted in
   * `stats().closedIdleConnections`), else of a request still sending its body from a peer past
   * its fair share (answered 503 `busy`); else it is closed at once and counted in
   * `stats().refusedConnections`. Also the number of requests in progress: a pipelined request
   * past it is answered 503. Default 16.
   */
  readonly maxConnections?: number;
  /** Called for each refused connection. Exceptions are swallowed. */
  readonly onConnectionRefused?: () => void;
  readonly respond?: (request: IncomingOtlpRequest) => RespondDecision | Promise<RespondDecision>;
  /** Called after each accepted export with its points. Exceptions thrown here are swallowed. */
  readonly onPoints?: (points: readonly ReceivedPoint[], request: RequestRecord) => void;
  /** Called for each rejected request (bad body, wrong path or method, over a limit, timed out, aborted). Exceptions are swallowed. */
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
  /** Requests rejected as malformed or over a limit (those with an `error`). */
  readonly rejected: number;
  readonly points: number;
  /** Connections closed on arrival because `maxConnections` were open, all with a request in progress. */
  readonly refusedConnections: number;
  /** Idle connections (no request in progress) closed to make room for a new one at `maxConnections`. */
  readonly closedIdleConnections: number;
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
  /** Stops listening and destroys open sockets, hanging requests included; no callback runs once it resolves. */
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
  const requestTimeoutMs = positive('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, MAX_TIMER_MS);
  const maxConnections = positive('maxConnections', options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  const limits = resolveRequestLimits(options);
  const points: ReceivedPoint[] = [];
  const records: RequestRecord[] = [];
  const stats = { requests: 0, rejected: 0, points: 0, refusedConnections: 0 };
  const slots = new ConnectionSlots(maxConnections);
  /** Socket bytes read when its last request ended: more means a request is under way. */
  const settledBytes = new WeakMap<Socket, number>();
  /** Sockets whose request body is being read: their errors are the request handler's to count. */
  const reading = new WeakSet<Socket>();
  let inFlight = 0;
  // Decoding runs one request at a time (in arrival order), so at most one decoded request is in
  // memory, whatever the number of clients. Each job first yields to the event loop, so sockets
  // are read (and timers run) between two large requests.
  let decoding: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = decoding.then(nextTurn).then(work);
    decoding = run.catch(() => undefined);
    return run;
  };
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

  type MutableRecord = { -readonly [K in keyof RequestRecord]: RequestRecord[K] };

  function newRecord(fields: Pick<RequestRecord, 'method' | 'path' | 'contentType' | 'contentEncoding'>): MutableRecord {
    const record: MutableRecord = { index: stats.requests++, ...fields, bytes: 0, status: 0, points: 0 };
    records.push(record);
    if (records.length > maxRequestRecords) records.shift();
    return record;
  }

  /** Marks `record` rejected, counts it and tells onError; the caller answers (or cannot). */
  function reject(record: MutableRecord, failure: RequestError): void {
    record.status = failure.status;
    record.error = { code: failure.code, message: failure.message };
    stats.rejected++;
    try {
      options.onError?.({ ...record });
    } catch {
      // Documented: exceptions from onError are swallowed.
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const record = newRecord({
      method: req.method ?? '',
      path,
      contentType: mediaType(req.headers['content-type']),
      contentEncoding: (req.headers['content-encoding'] ?? '').toLowerCase(),
    });
    // Requests in progress are bounded like connections (pipelining would otherwise queue bodies).
    const busy = inFlight >= maxConnections;
    if (!busy) inFlight++;
    const socket = req.socket;
    slots.requestStarted(socket);
    res.once('close', () => slots.requestEnded(socket));
    try {
      await handleBody(req, res, record, path, busy);
    } finally {
      if (!busy) inFlight--;
    }
  }

  async function handleBody(req: IncomingMessage, res: ServerResponse, record: MutableRecord, path: string, busy: boolean): Promise<void> {
    const index = record.index;
    reading.add(req.socket);
    slots.reading(req.socket, true);
    const { body, bytes, outcome } = await readBody(req, busy ? 0 : maxBodyBytes, requestTimeoutMs);
    reading.delete(req.socket);
    slots.reading(req.socket, false);
    record.bytes = bytes;
    if (closed) return;
    const givenUp = slots.givenUpAt(req.socket);
    if (outcome === 'aborted' && givenUp !== undefined) {
      // Nobody left to answer: the connection was closed for another peer (fair share).
      reject(record, new RequestError(503, 'busy', `closed after ${bytes} body bytes to make room for another peer: this peer held ${givenUp} of the ${maxConnections} connections, all busy (limit maxConnections)`));
      return;
    }
    if (outcome === 'aborted') {
      // Status 0: there is no one left to answer.
      reject(record, new RequestError(0, 'aborted', `the client closed the connection after ${bytes} body bytes, before the body was complete`));
      return;
    }
    settledBytes.set(req.socket, req.socket.bytesRead);
    if (outcome === 'timeout') {
      const failure = new RequestError(408, 'request_timeout', `the body did not arrive within ${requestTimeoutMs} ms (${bytes} bytes received)`);
      reject(record, failure);
      answerError(res, record.contentType, failure, () => req.socket.destroy());
      return;
    }
    if (busy) {
      const failure = new RequestError(503, 'busy', `more than ${maxConnections} requests in progress (limit maxConnections)`);
      reject(record, failure);
      answerError(res, record.contentType, failure);
      return;
    }

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
    await serially(() => decodeAndAnswer(req, res, record, path, body, bytes));
  }

  async function decodeAndAnswer(req: IncomingMessage, res: ServerResponse, record: MutableRecord, path: string, body: Buffer, bytes: number): Promise<void> {
    if (closed) return;
    let received: ReceivedPoint[];
    try {
      if (path !== METRICS_PATH) throw new RequestError(404, 'not_found', `no handler for ${boundText(path)}; metrics go to ${METRICS_PATH}`);
      if (req.method !== 'POST') throw new RequestError(405, 'method_not_allowed', `${req.method} ${boundText(path)}; only POST is allowed`);
      if (bytes > maxBodyBytes) throw new RequestError(413, 'too_large', `body of ${bytes} bytes exceeds ${maxBodyBytes}`);
      const decoded = await decodeRequestBody({
        contentType: req.headers['content-type'],
        contentEncoding: req.headers['content-encoding'],
        body,
        maxBytes: maxBodyBytes,
        limits,
      });
      received = flattenRequest(decoded, { contentType: record.contentType, requestIndex: record.index });
    } catch (err) {
      const failure = err instanceof RequestError ? err : new RequestError(500, 'internal_error', errorMessage(err));
      reject(record, failure);
      answerError(res, record.contentType, failure);
      return;
    }
    if (retainPoints) for (const point of received) points.push(point);
    stats.points += received.length;
    record.points = received.length;
    record.status = 200;
    answerSuccess(res, record.contentType);
    options.onPoints?.(received, { ...record });
    settleWaiters();
  }

  // Node's own whole-request timer is off (0): the body timer is readBody's, which answers 408 and
  // counts the request. Node still enforces the headers timeout (through clientError below).
  const checkEveryMs = Math.max(50, Math.min(1_000, requestTimeoutMs));
  const server = createServer({ headersTimeout: requestTimeoutMs, requestTimeout: 0, connectionsCheckingInterval: checkEveryMs }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last resort (a throwing respond hook): answer 500 rather than crash or hang the client.
      // A throwing onPoints/onError runs after the answer and is dropped here.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(errorMessage(err));
      }
    });
  });
  // Decoding and checking a large export blocks the event loop for seconds; an idle keep-alive
  // timer that expires meanwhile fires before the next request (already in the socket) is read,
  // and the client's export is lost to an EPIPE. Node's 5 s default is too close to that.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Admission is the slots' (not server.maxConnections, which refuses newcomers while idle sockets hold every slot).
  server.on('connection', (socket) => {
    if (slots.admit(socket) === 'refused') {
      socket.destroy();
      stats.refusedConnections++;
      try {
        options.onConnectionRefused?.();
      } catch {
        // Documented: exceptions from onConnectionRefused are swallowed.
      }
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Headers that never complete, or are not HTTP, end here (not in the request handler). A request
  // under way is counted as rejected; an idle connection or a client vanishing is just closed.
  server.on('clientError', (err, duplex) => {
    const socket = duplex as Socket;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const partial = !reading.has(socket) && socket.bytesRead > (settledBytes.get(socket) ?? 0);
    if (!closed && partial && (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code.startsWith('HPE_'))) {
      const failure =
        code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? new RequestError(408, 'request_timeout', `the request headers did not arrive within ${requestTimeoutMs} ms`)
          : new RequestError(400, 'bad_request', `not a valid HTTP request (${code})`);
      reject(newRecord({ method: '', path: '', contentType: '', contentEncoding: '' }), failure);
      if (socket.writable && socket.bytesWritten === 0) {
        socket.write(`HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      }
    }
    socket.destroy();
  });

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
    stats: () => ({ ...stats, closedIdleConnections: slots.closedIdle }),
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
      // A decode under way finishes (its answer goes nowhere) before close() resolves, so no
      // callback runs after it.
      await decoding;
    },
  };
}

function positive(name: string, value: number, max = Infinity): number {
  if (!(value > 0 && value <= max)) throw new RangeError(`${name} must be a positive number${max < Infinity ? ` up to ${max}` : ''}, got ${value}`);
  return value;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface BodyRead {
  /** Empty unless the body is complete and at most `limit` bytes. */
  readonly body: Buffer;
  readonly bytes: number;
  readonly outcome: 'complete' | 'aborted' | 'timeout';
}

/**
 * Reads the whole body but keeps at most `limit` bytes, so oversize uploads are drained, not
 * stored. Gives up after `timeoutMs` (a body trickling in byte by byte) or when the client goes away.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (outcome: BodyRead['outcome']): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      // Whatever else arrives is discarded.
      if (outcome !== 'complete') req.resume();
      resolve({ body: outcome === 'complete' && bytes <= limit ? Buffer.concat(chunks) : Buffer.alloc(0), bytes, outcome });
    };
    // The check waits for one turn of the event loop, so a body already received while the loop
    // was busy (decoding another request) is read before it is judged late.
    const timer = setTimeout(() => setImmediate(() => finish('timeout')), timeoutMs);
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
      else chunks.length = 0;
    };
    req.on('data', onData);
    req.on('end', () => finish('complete'));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish(req.complete ? 'complete' : 'aborted'));
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

/**
 * OTLP/HTTP errors carry a google.rpc.Status in the request's encoding (JSON when unknown). Answers
 * that end the exchange early (too large, busy, timed out) close the connection.
 */
function answerError(res: ServerResponse, contentType: string, failure: RequestError, afterwards?: () => void): void {
  if (res.headersSent || res.destroyed) return;
  const status = { code: failure.status === 503 ? GRPC_UNAVAILABLE : GRPC_INVALID_ARGUMENT, message: failure.message };
  const headers: Record<string, string> = CLOSING_STATUSES.has(failure.status) ? { connection: 'close' } : {};
  if (failure.status === 503) headers['retry-after'] = '1';
  if (bodyFormat(contentType) === 'protobuf') {
    res.writeHead(failure.status, { ...headers, 'content-type': 'application/x-protobuf' });
    res.end(RpcStatus.encode(RpcStatus.fromObject(status)).finish(), afterwards);
  } else {
    res.writeHead(failure.status, { ...headers, 'content-type': 'application/json' });
    res.end(JSON.stringify(status), afterwards);
  }
}

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAVAILABLE = 14;
const CLOSING_STATUSES = new Set([408, 413, 503]);
