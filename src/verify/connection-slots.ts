// Who gets one of the receiver's `maxConnections` slots. Closing new connections at the cap let
// sixteen sockets that send nothing, or sixteen idle keep-alive clients, lock every exporter out
// for as long as they stayed. Now a connection that arrives at the cap takes the place of an idle
// one (no request in progress: never sent one, still sending its headers, or kept alive between
// requests), taken from the peer holding the most connections, the longest idle first. When every
// connection has a request in progress, a peer holding more than its fair share (more than the
// newcomer's peer + 1) gives up its oldest request whose body is still arriving (answered as
// `busy`); otherwise the newcomer is refused. A request whose body has arrived is never given up.
import type { Socket } from 'node:net';

interface Slot {
  readonly peer: string;
  /** When the connection opened or its last request ended. */
  since: number;
  /** Requests in progress on it (more than one when pipelined). */
  requests: number;
  /** Its request body is being read (the only kind of request that may be given up). */
  reading: boolean;
}

export type Admission = 'admitted' | 'refused';

export class ConnectionSlots {
  private readonly slots = new Map<Socket, Slot>();
  private readonly perPeer = new Map<string, number>();
  /** Sockets whose request was given up, with how many connections their peer held then. */
  private readonly givenUp = new WeakMap<Socket, number>();
  /** Idle connections closed to make room. */
  closedIdle = 0;
  /** Requests given up (body still arriving) for a peer past its fair share. */
  gaveUpRequests = 0;

  constructor(
    private readonly max: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A new connection: admitted (after making room if need be) or refused (the caller closes it). */
  admit(socket: Socket): Admission {
    const peer = peerOf(socket);
    if (this.slots.size >= this.max && !this.makeRoom(peer)) return 'refused';
    this.slots.set(socket, { peer, since: this.now(), requests: 0, reading: false });
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1);
    socket.once('close', () => this.release(socket));
    return 'admitted';
  }

  requestStarted(socket: Socket): void {
    const slot = this.slots.get(socket);
    if (slot) slot.requests++;
  }

  requestEnded(socket: Socket): void {
    const slot = this.slots.get(socket);
    if (!slot) return;
    slot.requests = Math.max(0, slot.requests - 1);
    slot.since = this.now();
  }

  reading(socket: Socket, reading: boolean): void {
    const slot = this.slots.get(socket);
    if (slot) slot.reading = reading;
  }

  /** When this socket's request was given up to make room (not the client's doing): the connections its peer held. */
  givenUpAt(socket: Socket): number | undefined {
    return this.givenUp.get(socket);
  }

  private makeRoom(newcomer: string): boolean {
    let idle: [Socket, Slot] | undefined;
    for (const entry of this.slots) {
      const slot = entry[1];
      if (slot.requests > 0 || entry[0].destroyed) continue;
      if (idle === undefined || this.outranks(slot, idle[1])) idle = entry;
    }
    if (idle) {
      this.closedIdle++;
      this.close(idle[0]);
      return true;
    }
    // Every connection is busy: only a peer past its fair share gives one up.
    const mine = this.perPeer.get(newcomer) ?? 0;
    let busy: [Socket, Slot] | undefined;
    for (const entry of this.slots) {
      const slot = entry[1];
      if (!slot.reading || (this.perPeer.get(slot.peer) ?? 0) <= mine + 1 || entry[0].destroyed) continue;
      if (busy === undefined || this.outranks(slot, busy[1])) busy = entry;
    }
    if (!busy) return false;
    this.gaveUpRequests++;
    this.givenUp.set(busy[0], this.perPeer.get(busy[1].peer) ?? 0);
    this.close(busy[0]);
    return true;
  }

  /** The peer holding more connections goes first, then the connection idle (or open) longest. */
  private outranks(a: Slot, b: Slot): boolean {
    const shareA = this.perPeer.get(a.peer) ?? 0;
    const shareB = this.perPeer.get(b.peer) ?? 0;
    return shareA !== shareB ? shareA > shareB : a.since < b.since;
  }

  /** Frees the slot now (the socket's close event comes later), then closes the socket. */
  private close(socket: Socket): void {
    this.release(socket);
    socket.destroy();
  }

  private release(socket: Socket): void {
    const slot = this.slots.get(socket);
    if (!slot) return;
    this.slots.delete(socket);
    const left = (this.perPeer.get(slot.peer) ?? 1) - 1;
    if (left > 0) this.perPeer.set(slot.peer, left);
    else this.perPeer.delete(slot.peer);
  }
}

/** The remote address (IPv4-mapped IPv6 as IPv4); one peer per address, whatever the port. */
function peerOf(socket: Socket): string {
  const address = socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
