// A loopback stand-in for the OpenAI Responses API, enough for the Codex CLI to run a turn offline:
// `POST /v1/responses` answered with scripted SSE streams (or HTTP errors), and the WebSocket
// transport (`GET /v1/responses` upgrade) answered with the same events as JSON messages. Every
// reply comes from the scenario's script; nothing leaves 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One scripted answer to a model request; `inputTokens` is the usage its `response.completed` reports (default 1,200: high values trigger auto-compaction). */
export type ScriptedReply = ReplyBody & { readonly inputTokens?: number };

type ReplyBody =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'exec_command'; readonly args: Readonly<Record<string, unknown>> }
  /** A call of a namespaced tool, e.g. MCP tool `echo` in namespace `mcp__echo`. */
  | { readonly kind: 'tool_call'; readonly namespace: string; readonly name: string; readonly args: Readonly<Record<string, unknown>> }
  | { readonly kind: 'http_error'; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly message: string }
  /** A freeform (custom) tool call, e.g. `apply_patch` with the raw patch text as input. */
  | { readonly kind: 'custom_tool_call'; readonly name: string; readonly input: string }
  /** The SSE stream (or WebSocket) ends after `response.created` and one output item, before `response.completed`. */
  | { readonly kind: 'cut_stream'; readonly text: string };

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

function usage(inputTokens: number): Record<string, unknown> {
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 200 },
    output_tokens: 300,
    output_tokens_details: { reasoning_tokens: 80 },
    total_tokens: inputTokens + 300,
  };
}

type Event = Record<string, unknown> & { type: string };

/** The events of one answer; `cut` ends the stream before `response.completed`. */
interface Answer {
  readonly events: readonly Event[];
  readonly cut?: boolean;
}

function messageItem(id: string, text: string): Record<string, unknown> {
  return { type: 'message', role: 'assistant', id: `msg_${id}`, content: [{ type: 'output_text', text }] };
}

/** A scripted HTTP error as the WebSocket transport reports it: an `error` event. */
function wsError(status: number, message: string): Event {
  return { type: 'error', status, error: { type: 'server_error', message } };
}

/** Last item of a request's `input`, for the log and for recognising compaction requests. */
function lastInput(body: Record<string, unknown>): { type: string; text: string } {
  const input = Array.isArray(body.input) ? (body.input as Record<string, unknown>[]) : [];
  const last = input[input.length - 1] ?? {};
  const content = Array.isArray(last.content) ? (last.content as { text?: unknown }[]) : [];
  const text = content.map((c) => (typeof c.text === 'string' ? c.text : '')).join(' ');
  return { type: String(last.type ?? 'none'), text };
}

/** Codex's local compaction asks the model for a summary with this prompt (codex-rs templates/compact/prompt.md). */
const LOCAL_COMPACTION_PROMPT = /CONTEXT CHECKPOINT COMPACTION/;

export async function startMockResponsesApi(options: MockResponsesApiOptions): Promise<MockResponsesApi> {
  const log: string[] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  let sequence = 0;
  const events = (id: string, items: readonly Record<string, unknown>[], inputTokens = 1200): Answer => ({
    events: [
      { type: 'response.created', response: { id } },
      ...items.map((item) => ({ type: 'response.output_item.done', item })),
      { type: 'response.completed', response: { id, usage: usage(inputTokens) } },
    ],
  });

  /** The answer (or HTTP error) for one model request body, and what the log says about it. */
  const answer = (body: Record<string, unknown>): { what: string; reply: Answer | Extract<ScriptedReply, { kind: 'http_error' }> } => {
    const id = `resp_${++sequence}`;
    // Prewarm requests (`generate: false`) only open the response.
    if (body.generate === false) return { what: 'prewarm', reply: events(id, []) };
    const last = lastInput(body);
    // Remote compaction v2: the history plus a `compaction_trigger` item, answered by one `compaction` item.
    if (last.type === 'compaction_trigger') return { what: 'compaction_trigger', reply: events(id, [{ type: 'compaction', encrypted_content: `scripted-compaction-${id}` }]) };
    // Local compaction: a summary request; answered with a summary, never with the script's next reply.
    if (LOCAL_COMPACTION_PROMPT.test(last.text)) return { what: 'local compaction', reply: events(id, [messageItem(id, 'scripted summary of the conversation')]) };
    // Automatic approval review: Codex asks for JSON matching its schema.
    const format = (body.text as { format?: { type?: string; schema?: { properties?: Record<string, unknown> } } } | undefined)?.format;
    if (format?.type === 'json_schema' && format.schema?.properties && 'outcome' in format.schema.properties) {
      const outcome = options.reviewOutcome ?? 'allow';
      const verdict = { outcome, risk_level: 'low', user_authorization: 'high', rationale: 'scripted review' };
      return { what: 'review', reply: events(id, [messageItem(id, outcome === 'invalid' ? 'no verdict' : JSON.stringify(verdict))]) };
    }
    const reply = options.replies[next++] ?? { kind: 'message', text: 'done' };
    const what = `${reply.kind} (model ${String(body.model)}, last input ${last.type})`;
    switch (reply.kind) {
      case 'http_error':
        return { what, reply };
      case 'message':
        return { what, reply: events(id, [messageItem(id, reply.text)], reply.inputTokens) };
      case 'cut_stream':
        return { what, reply: { events: [{ type: 'response.created', response: { id } }, { type: 'response.output_item.done', item: messageItem(id, reply.text) }], cut: true } };
      case 'custom_tool_call':
        return { what, reply: events(id, [{ type: 'custom_tool_call', id: `ctc_${id}`, call_id: `call_${id}`, name: reply.name, input: reply.input }], reply.inputTokens) };
      case 'exec_command':
        return { what, reply: events(id, [{ type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: 'exec_command', arguments: JSON.stringify(reply.args) }], reply.inputTokens) };
      case 'tool_call':
        return { what, reply: events(id, [{ type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: reply.name, namespace: reply.namespace, arguments: JSON.stringify(reply.args) }], reply.inputTokens) };
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        // Compressed or odd bodies still get the next scripted answer.
      }
      if (req.method === 'POST' && path === '/v1/responses/compact') {
        // Remote compaction v1: the compacted history as one JSON document.
        log.push(`POST ${path}`);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ output: [{ type: 'compaction', encrypted_content: 'scripted-compaction' }] }));
        return;
      }
      if (req.method !== 'POST' || path !== '/v1/responses') {
        // Analytics uploads and anything else: accepted and ignored.
        log.push(`${req.method} ${path}`);
        res.writeHead(req.method === 'POST' ? 200 : 404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      const { what, reply } = answer(body);
      log.push(`POST ${path}: ${what}`);
      if ('kind' in reply) {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(JSON.stringify({ error: { message: reply.message, type: 'server_error', code: null } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const text = reply.events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
      // A cut stream: the connection drops once the events are out, without the chunked body's end.
      if (reply.cut) res.write(text, () => res.destroy());
      else res.end(text);
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
        const { what, reply } = answer(body);
        log.push(`websocket response.create: ${what}`);
        if ('kind' in reply) {
          ws.send(JSON.stringify(wsError(reply.status, reply.message)));
          return;
        }
        for (const event of reply.events) ws.send(JSON.stringify(event));
        // A cut stream on the WebSocket transport: the connection drops mid-response.
        if (reply.cut) ws.terminate();
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
