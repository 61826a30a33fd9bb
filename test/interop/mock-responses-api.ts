// A loopback stand-in for the OpenAI Responses API, enough for the Codex CLI to run a turn offline:
// `POST /v1/responses` answered with scripted SSE streams (or HTTP errors), and the WebSocket
// transport (`GET /v1/responses` upgrade) answered with the same events as JSON messages. Every
// reply comes from the scenario's script; nothing leaves 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One scripted answer to a model request. */
export type ScriptedReply =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'exec_command'; readonly args: Readonly<Record<string, unknown>> }
  /** A call of a namespaced tool, e.g. MCP tool `echo` in namespace `mcp__echo`. */
  | { readonly kind: 'tool_call'; readonly namespace: string; readonly name: string; readonly args: Readonly<Record<string, unknown>> }
  | { readonly kind: 'http_error'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly message: string };

export interface MockResponsesApiOptions {
  /** Answers for the turn's model requests, in order; once used up every request gets a final message. */
  readonly replies: readonly ScriptedReply[];
  /** Accept the WebSocket transport (default false: the upgrade is refused with 404). */
  readonly websocket?: boolean;
  /** Verdict of automatic approval reviews (requests with Codex's review JSON schema); `invalid` answers prose. */
  readonly reviewOutcome?: 'allow' | 'deny' | 'invalid';
}

export interface MockResponsesApi {
  /** `http://127.0.0.1:PORT/v1`, the `openai_base_url` / provider `base_url`. */
  readonly baseUrl: string;
  /** `METHOD path [transport]` of every request seen, for failure messages. */
  requests(): string[];
  close(): Promise<void>;
}

const USAGE = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 200 },
  output_tokens: 300,
  output_tokens_details: { reasoning_tokens: 80 },
  total_tokens: 1500,
};

type Event = Record<string, unknown> & { type: string };

function responseEvents(id: string, items: readonly Record<string, unknown>[]): Event[] {
  return [
    { type: 'response.created', response: { id } },
    ...items.map((item) => ({ type: 'response.output_item.done', item })),
    { type: 'response.completed', response: { id, usage: USAGE } },
  ];
}

/** A scripted HTTP error as the WebSocket transport reports it: an `error` event. */
function wsError(reply: ScriptedReply): Event {
  const status = reply.kind === 'http_error' ? reply.status : 500;
  const message = reply.kind === 'http_error' ? reply.message : 'scripted error';
  return { type: 'error', status, error: { type: 'server_error', message } };
}

function messageItem(id: string, text: string): Record<string, unknown> {
  return { type: 'message', role: 'assistant', id: `msg_${id}`, content: [{ type: 'output_text', text }] };
}

export async function startMockResponsesApi(options: MockResponsesApiOptions): Promise<MockResponsesApi> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  let sequence = 0;

  /** The events (or HTTP error) for one model request body. */
  const answer = (body: Record<string, unknown>): ScriptedReply | Event[] => {
    const id = `resp_${++sequence}`;
    // Prewarm requests (`generate: false`) only open the response.
    if (body.generate === false) return responseEvents(id, []);
    // Automatic approval review: Codex asks for JSON matching its schema.
    const format = (body.text as { format?: { type?: string; schema?: { properties?: Record<string, unknown> } } } | undefined)?.format;
    if (format?.type === 'json_schema' && format.schema?.properties && 'outcome' in format.schema.properties) {
      const outcome = options.reviewOutcome ?? 'allow';
      const verdict = { outcome, risk_level: 'low', user_authorization: 'high', rationale: 'scripted review' };
      return responseEvents(id, [messageItem(id, outcome === 'invalid' ? 'no verdict' : JSON.stringify(verdict))]);
    }
    const reply = options.replies[next++] ?? { kind: 'message', text: 'done' };
    if (reply.kind === 'http_error') return reply;
    if (reply.kind === 'message') return responseEvents(id, [messageItem(id, reply.text)]);
    const call =
      reply.kind === 'exec_command'
        ? { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: 'exec_command', arguments: JSON.stringify(reply.args) }
        : { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: reply.name, namespace: reply.namespace, arguments: JSON.stringify(reply.args) };
    return responseEvents(id, [call]);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      log.push(`${req.method} ${path}`);
      if (req.method !== 'POST' || path !== '/v1/responses') {
        // Analytics uploads and anything else: accepted and ignored.
        res.writeHead(req.method === 'POST' ? 200 : 404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // Compressed or odd bodies still get the next scripted answer.
      }
      const reply = answer(body);
      if (!Array.isArray(reply)) {
        if (reply.kind !== 'http_error') throw new Error('unreachable');
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify({ error: { message: reply.message, type: 'server_error', code: null } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of reply) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      res.end();
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    log.push(`GET ${(req.url ?? '/').split('?')[0]} websocket`);
    if (!options.websocket) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('message', (data) => {
        let body: Record<string, unknown> = {};
        try {
          body = JSON.parse(String(data)) as Record<string, unknown>;
        } catch {
          return;
        }
        if (body.type !== 'response.create') return;
        const reply = answer(body);
        const events = Array.isArray(reply) ? reply : [wsError(reply)];
        for (const event of events) ws.send(JSON.stringify(event));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => [...log],
    async close() {
      for (const client of wss.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
