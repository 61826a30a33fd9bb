// Receiver lockout (issue #21): with the connection cap at 16, sixteen sockets that send nothing,
// or sixteen idle keep-alive clients, used to lock out every other exporter for as long as they
// stayed. Now a newcomer at the cap takes an idle connection's place (the peer holding the most
// first), and a peer past its fair share gives up a request whose body is still arriving.
// Legitimate exports get through while the idle sockets are held. Loopback only: the "attacker"
// connects from 127.0.0.2, the exporter from 127.0.0.1.
import { request as httpRequest, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS, startOtlpReceiver, type OtlpReceiver, type RequestRecord } from '../../src/verify/receiver.js';
import { startCodexMetrics } from '../../src/index.js';
import { DEFAULTS, request, sum } from './payloads.js';

const ATTACKER = '127.0.0.2';
const GOOD = JSON.stringify(request(sum('codex.api_request', [[1, { ...DEFAULTS, status: '200', success: 'true' }]])));

let receiver: OtlpReceiver | undefined;
const sockets: Socket[] = [];
const agents: Agent[] = [];
let stopAttack = () => {};
afterEach(async () => {
  stopAttack();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const agent of agents.splice(0)) agent.destroy();
  await receiver?.close();
  receiver = undefined;
});

async function start(): Promise<{ r: OtlpReceiver; errors: RequestRecord[] }> {
  const errors: RequestRecord[] = [];
  receiver = await startOtlpReceiver({ retainPoints: false, onError: (e) => errors.push(e) });
  return { r: receiver, errors };
}

/** A socket from `localAddress` that sends `initial` (or nothing) and then holds on. */
function hold(port: number, localAddress: string, initial?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
      if (initial) socket.write(initial);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.resume();
    socket.once('error', reject);
    sockets.push(socket);
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

async function post(url: string): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: GOOD });
  await res.arrayBuffer();
  return res.status;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('idle connections never lock exporters out', () => {
  it(`${DEFAULT_MAX_CONNECTIONS} sockets that send nothing: an export gets through, one idle socket makes room, nothing is refused`, async () => {
    const { r } = await start();
    const idle = await Promise.all(Array.from({ length: DEFAULT_MAX_CONNECTIONS }, () => hold(r.port, ATTACKER)));
    expect(await post(r.metricsUrl)).toBe(200);
    expect(r.stats()).toMatchObject({ points: 1, refusedConnections: 0, closedIdleConnections: 1 });
    // The oldest idle socket went; the others are still open.
    await closed(idle[0]);
    expect(idle.filter((s) => s.destroyed)).toHaveLength(1);
  });

  it(`${DEFAULT_MAX_CONNECTIONS} idle keep-alive clients: the real exporter's export gets through`, async () => {
    const { r } = await start();
    // Each client sends one good export and keeps its connection open (keep-alive), idle.
    await Promise.all(
      Array.from({ length: DEFAULT_MAX_CONNECTIONS }, async () => {
        const agent = new Agent({ keepAlive: true, localAddress: ATTACKER });
        agents.push(agent);
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(r.metricsUrl, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          req.on('error', reject);
          req.end(GOOD);
        });
      }),
    );
    expect(r.stats().points).toBe(DEFAULT_MAX_CONNECTIONS);
    const session = startCodexMetrics({ endpoint: r.url, defaults: DEFAULTS, env: {}, exportIntervalMillis: 60_000, exportTimeoutMillis: 5_000 });
    session.metrics.add('tool.call', { tool: 'shell', success: true });
    await session.forceFlush();
    await session.shutdown();
    expect(session.exportStats()).toMatchObject({ failed: 0 });
    expect(session.exportStats().succeeded).toBeGreaterThanOrEqual(1);
    expect(r.stats()).toMatchObject({ refusedConnections: 0 });
    expect(r.stats().closedIdleConnections).toBeGreaterThanOrEqual(1);
  });

  it('an attacker that reconnects at once to keep every slot: five exports in a row get through', async () => {
    const { r } = await start();
    let attacking = true;
    stopAttack = () => (attacking = false);
    const attack = async (): Promise<void> => {
      while (attacking) {
        const socket = await hold(r.port, ATTACKER).catch(() => undefined);
        if (socket && !attacking) socket.destroy();
        if (socket) await closed(socket);
      }
    };
    const attackers = Array.from({ length: DEFAULT_MAX_CONNECTIONS + 4 }, () => attack());
    await until(() => r.stats().refusedConnections + r.stats().closedIdleConnections > 0, 'the slots to be full');
    for (let i = 0; i < 5; i++) expect(await post(r.metricsUrl)).toBe(200);
    expect(r.stats().points).toBe(5);
    stopAttack();
    await receiver!.close(); // ends every attacker's loop (their connections are refused from now on)
    await Promise.all(attackers);
  });

  it('every slot busy with a slow body from one peer: the fair share gives one up for another peer (503 busy, counted)', async () => {
    const { r, errors } = await start();
    const head = `POST /v1/metrics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${GOOD.length}\r\n\r\n{`;
    const slow = await Promise.all(Array.from({ length: DEFAULT_MAX_CONNECTIONS }, () => hold(r.port, ATTACKER, head)));
    await until(() => r.stats().requests === DEFAULT_MAX_CONNECTIONS, 'the slow requests');
    expect(await post(r.metricsUrl)).toBe(200);
    expect(r.stats()).toMatchObject({ points: 1, refusedConnections: 0, closedIdleConnections: 0 });
    await until(() => errors.length === 1, 'the given-up request');
    expect(errors[0]).toMatchObject({ status: 503, error: { code: 'busy', message: expect.stringMatching(/^closed after 1 body bytes to make room for another peer: this peer held 16 of the 16 connections/) } });
    expect(slow.filter((s) => s.destroyed)).toHaveLength(1);
  });
});
