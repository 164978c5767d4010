import { connect, createServer, type Server, type Socket } from 'node:net';
import { loopbackHost } from '../../scripts/stack/ports.ts';

/**
 * A TCP proxy that breaks the network on command, between one service replica and one of its
 * dependencies (PostgreSQL, NATS, a Kafka broker). Written on node:net rather than taken from npm:
 * the maintained fault proxy (Toxiproxy) is a Go server the stack would have to install and run,
 * and the plain Node proxies on npm have no fault modes. The faults:
 * - `resetConnections()`: every current connection is reset (RST both ways), as a middlebox or a
 *   restarted load balancer does; new connections go through as before;
 * - `setLatencyMs(ms)`: every chunk, both ways, is held `ms` before it is passed on (order kept);
 * - `setBlackholed(true)`: connections are accepted and kept, but nothing is passed on either way
 *   until `setBlackholed(false)`; what was held is then delivered, as TCP's retransmissions would
 *   after a silent drop heals;
 * - `setRefusing(true)`: cut off: current connections are reset and new ones reset at once, as a
 *   firewall's REJECT does, until `setRefusing(false)`.
 */
export type FaultProxy = {
  readonly name: string;
  /** The loopback port the proxy listens on: point the client here. */
  readonly port: number;
  /** Connections open now (client side counted once). */
  connectionCount(): number;
  resetConnections(): void;
  setLatencyMs(latencyMs: number): void;
  setBlackholed(blackholed: boolean): void;
  setRefusing(refusing: boolean): void;
  /** Heals every fault: no latency, no black hole, not refusing. */
  heal(): void;
  /** Stops listening and resets every connection. */
  close(): Promise<void>;
};

export type FaultProxyOptions = {
  name: string;
  /**
   * Where connections go, read at each new connection: a function when the target is known only
   * later (a Kafka broker must be told the proxy's port before it starts, see chaos-stack.ts).
   */
  targetPort: number | (() => number | undefined);
  targetHost?: string;
};

/** A fault's added latency stays small: it is to slow the services down, not to time them out. */
export const PROXY_LATENCY_MS_MAX = 1_000;

type ProxyState = { latencyMs: number; blackholed: boolean; refusing: boolean };

/** One direction of one connection: chunks wait here for their latency, or for a black hole to heal. */
type Pipe = { flush(): void; stop(): void };

type Link = { client: Socket; upstream: Socket; pipes: [Pipe, Pipe] };

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const state: ProxyState = { latencyMs: 0, blackholed: false, refusing: false };
  const links = new Set<Link>();
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    const targetPort = typeof options.targetPort === 'function' ? options.targetPort() : options.targetPort;
    if (state.refusing || targetPort === undefined) {
      client.resetAndDestroy();
      return;
    }
    links.add(openLink(client, targetPort, options.targetHost ?? loopbackHost, state, links));
  });
  const port = await listen(server);
  const resetAll = () => {
    for (const link of links) closeLink(link, links);
  };
  const setBlackholed = (blackholed: boolean) => {
    state.blackholed = blackholed;
    for (const link of links) setReading(link, !blackholed);
  };
  return {
    name: options.name,
    port,
    connectionCount: () => links.size,
    resetConnections: resetAll,
    setLatencyMs(latencyMs) {
      if (!Number.isInteger(latencyMs) || latencyMs < 0 || latencyMs > PROXY_LATENCY_MS_MAX)
        throw new Error(`latency must be 0–${PROXY_LATENCY_MS_MAX} ms, got ${latencyMs}`);
      state.latencyMs = latencyMs;
    },
    setBlackholed,
    setRefusing(refusing) {
      state.refusing = refusing;
      if (refusing) resetAll();
    },
    heal() {
      state.latencyMs = 0;
      state.refusing = false;
      setBlackholed(false);
    },
    async close() {
      resetAll();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(0, loopbackHost, () => {
      const address = server.address();
      resolvePort(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function openLink(
  client: Socket,
  targetPort: number,
  targetHost: string,
  state: ProxyState,
  links: Set<Link>,
): Link {
  // Half-open on both sides: an end is passed on only after the chunks queued before it.
  const upstream = connect({
    port: targetPort,
    host: targetHost,
    allowHalfOpen: true,
  });
  upstream.pause();
  const link: Link = {
    client,
    upstream,
    pipes: [createPipe(client, upstream, state), createPipe(upstream, client, state)],
  };
  // An error on either side (a reset, a refused upstream) resets the other; a clean end is
  // passed on once what was queued before it is delivered (see createPipe).
  for (const socket of [client, upstream]) {
    socket.setNoDelay(true);
    socket.on('error', () => closeLink(link, links));
    socket.on('close', () => {
      if (client.destroyed && upstream.destroyed) links.delete(link);
    });
  }
  setReading(link, !state.blackholed);
  return link;
}

function setReading(link: Link, reading: boolean): void {
  for (const socket of [link.client, link.upstream]) {
    if (reading) socket.resume();
    else socket.pause();
  }
  if (reading) for (const pipe of link.pipes) pipe.flush();
}

function closeLink(link: Link, links: Set<Link>): void {
  if (!links.delete(link)) return;
  for (const pipe of link.pipes) pipe.stop();
  for (const socket of [link.client, link.upstream]) {
    if (!socket.destroyed) socket.resetAndDestroy();
  }
}

/**
 * Passes `from`'s chunks to `to` in order, each no earlier than its arrival plus the latency in
 * force then, and none while black-holed. Writing stops reading when `to` pushes back.
 */
function createPipe(from: Socket, to: Socket, state: ProxyState): Pipe {
  const queue: { dueAtMs: number; chunk: Buffer }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let ended = false;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || state.blackholed) return;
    const nowMs = Date.now();
    while (queue.length > 0 && queue[0]!.dueAtMs <= nowMs) {
      const { chunk } = queue.shift()!;
      if (!to.write(chunk)) {
        from.pause();
        to.once('drain', () => {
          if (!state.blackholed) from.resume();
        });
      }
    }
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.dueAtMs - nowMs);
    else if (ended) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ dueAtMs: Date.now() + state.latencyMs, chunk });
    if (timer === undefined) flush();
  });
  from.on('end', () => {
    ended = true;
    if (timer === undefined) flush();
  });
  return {
    flush,
    stop() {
      stopped = true;
      clearTimeout(timer);
      queue.length = 0;
    },
  };
}
