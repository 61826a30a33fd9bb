// A minimal JSON-RPC client of `codex app-server` over stdio (one JSON message per line), as an IDE
// extension drives it: initialize with the client's name (Codex's originator), start a thread, run
// one turn until `turn/completed`, then close stdin so the server exits and flushes its metrics.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface AppServerTurnOptions {
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** `clientInfo.name` of `initialize`: Codex's originator for the session (e.g. `codex_vscode`). */
  readonly clientName: string;
  readonly prompt: string;
  readonly timeoutMs: number;
}

type Message = { id?: number | string; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message?: string } };

export function runAppServerTurn(options: AppServerTurnOptions): Promise<{ exitCode: number | null; output: string }> {
  const child = spawn(options.bin, ['app-server'], { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  const keep = (text: string) => (output = (output + text).slice(-6000));
  child.stderr.on('data', (chunk: Buffer) => keep(chunk.toString()));
  const pending = new Map<number, (m: Message) => void>();
  const waiters = new Map<string, () => void>();
  let nextId = 0;
  const send = (message: Record<string, unknown>) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const request = (method: string, params: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((ok, fail) => {
      const id = ++nextId;
      pending.set(id, (m) => (m.error ? fail(new Error(`${method}: ${m.error.message ?? 'error'}`)) : ok(m.result ?? {})));
      send({ id, method, params });
    });
  const notified = (method: string) => new Promise<void>((ok) => waiters.set(method, ok));

  createInterface({ input: child.stdout }).on('line', (line) => {
    let m: Message;
    try {
      m = JSON.parse(line) as Message;
    } catch {
      keep(`${line}\n`);
      return;
    }
    if (m.method === undefined && typeof m.id === 'number') {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    } else if (m.method !== undefined && m.id !== undefined) {
      // A server request (an approval): the turn runs without approvals, so none is expected.
      keep(`unexpected server request ${m.method}\n`);
      send({ id: m.id, error: { code: -32601, message: 'not supported by the interop client' } });
    } else if (m.method !== undefined) {
      if (m.method === 'error') keep(`${line}\n`);
      waiters.get(m.method)?.();
    }
  });

  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const session = (async () => {
    await request('initialize', { clientInfo: { name: options.clientName, title: 'Interop test client', version: '0.0.0' } });
    send({ method: 'initialized' });
    const started = await request('thread/start', { cwd: options.cwd, approvalPolicy: 'never', sandbox: 'danger-full-access' });
    const threadId = (started.thread as { id?: string } | undefined)?.id;
    if (!threadId) throw new Error(`thread/start returned no thread id: ${JSON.stringify(started).slice(0, 300)}`);
    const completed = notified('turn/completed');
    await request('turn/start', { threadId, input: [{ type: 'text', text: options.prompt, text_elements: [] }] });
    await completed;
  })();
  // A server that dies mid-session answers nothing more: fail the turn instead of waiting for the timeout.
  const early = exited.then((code) => {
    throw new Error(`app-server exited (${code}) before the turn completed`);
  });
  return Promise.race([session, early]).then(
    async () => {
      // End of input: the server shuts down, flushing its metrics.
      child.stdin.end();
      const exitCode = await exited;
      clearTimeout(timer);
      return { exitCode, output };
    },
    async (err: unknown) => {
      keep(`\n${err instanceof Error ? err.message : String(err)}\n`);
      child.kill('SIGKILL');
      await exited;
      clearTimeout(timer);
      return { exitCode: 1, output };
    },
  );
}
