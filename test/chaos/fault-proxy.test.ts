import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loopbackHost } from '../../scripts/stack/ports.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';

// Real sockets on loopback: an echo server behind the proxy, a client in front of it.
const LATENCY_MS = 150;
// How long a test looks for bytes that must not arrive; a slow machine only makes it pass easier.
const QUIET_LOOK_MS = 300;

type EchoServer = { server: Server; port: number; received: () => string; sockets: Set<Socket> };

async function startEchoServer(): Promise<EchoServer> {
  let received = '';
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => {});
  });
  server.listen(0, loopbackHost);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, port, received: () => received, sockets };
}

type Client = { socket: Socket; read: () => string; closed: Promise<void> };

async function connectClient(port: number): Promise<Client> {
  const socket = connect({ port, host: loopbackHost });
  let read = '';
  socket.on('data', (chunk) => {
    read += chunk.toString();
  });
  socket.on('error', () => {});
  // Not events.once: it rejects on the 'error' a reset brings, and a reset is what we wait for.
  const closed = new Promise<void>((resolveClosed) => socket.once('close', () => resolveClosed()));
  await once(socket, 'connect');
  return { socket, read: () => read, closed };
}

async function waitForText(client: Client, text: string): Promise<void> {
  while (!client.read().includes(text)) await sleep(10);
}

describe('fault proxy', () => {
  let echo: EchoServer;
  let proxy: FaultProxy;

  beforeEach(async () => {
    echo = await startEchoServer();
    proxy = await startFaultProxy({ name: 'echo', targetPort: echo.port });
  });

  afterEach(async () => {
    await proxy.close();
    for (const socket of echo.sockets) socket.destroy();
    await new Promise((resolveClose) => echo.server.close(resolveClose));
  });

  it('passes bytes both ways, in order, when no fault is on', async () => {
    // Given a client connected through the proxy
    const client = await connectClient(proxy.port);
    // When it sends several chunks
    for (const word of ['one ', 'two ', 'three']) client.socket.write(word);
    // Then the echo comes back whole and in order
    await waitForText(client, 'one two three');
    expect(proxy.connectionCount()).toBe(1);
    client.socket.destroy();
  });

  it('resets every current connection, and takes new ones afterwards', async () => {
    // Given two connected clients
    const first = await connectClient(proxy.port);
    const second = await connectClient(proxy.port);
    // When the proxy resets its connections
    proxy.resetConnections();
    // Then both are closed, and a new client gets through
    await Promise.all([first.closed, second.closed]);
    expect(proxy.connectionCount()).toBe(0);
    const third = await connectClient(proxy.port);
    third.socket.write('after');
    await waitForText(third, 'after');
    third.socket.destroy();
  });

  it('holds each chunk for the added latency, both ways', async () => {
    // Given a latency of LATENCY_MS on the proxy
    proxy.setLatencyMs(LATENCY_MS);
    const client = await connectClient(proxy.port);
    // When a chunk goes out and its echo comes back
    const sentAtMs = Date.now();
    client.socket.write('slow');
    await waitForText(client, 'slow');
    // Then the round trip took at least the latency twice (a lower bound: load cannot break it)
    expect(Date.now() - sentAtMs).toBeGreaterThanOrEqual(2 * LATENCY_MS);
    expect(() => proxy.setLatencyMs(-1)).toThrow();
    client.socket.destroy();
  });

  it('black-holes: keeps connections, forwards nothing, then delivers what it held', async () => {
    // Given a connected client and a black hole
    const before = await connectClient(proxy.port);
    proxy.setBlackholed(true);
    // When the client sends, and another connects and sends
    before.socket.write('held-1');
    const during = await connectClient(proxy.port);
    during.socket.write('held-2');
    await sleep(QUIET_LOOK_MS);
    // Then nothing reached the server, and both connections are still open
    expect(echo.received()).toBe('');
    expect(proxy.connectionCount()).toBe(2);
    // When the black hole heals, both messages arrive and are echoed
    proxy.heal();
    await waitForText(before, 'held-1');
    await waitForText(during, 'held-2');
    before.socket.destroy();
    during.socket.destroy();
  });

  it('refuses: cuts current connections and resets new ones until healed', async () => {
    // Given a connected client
    const before = await connectClient(proxy.port);
    // When the proxy refuses
    proxy.setRefusing(true);
    // Then the client is cut off, and a new connection is closed before anything passes
    await before.closed;
    const refused = connect({ port: proxy.port, host: loopbackHost });
    refused.on('error', () => {});
    refused.write('lost');
    await new Promise((resolveClosed) => refused.once('close', resolveClosed));
    expect(echo.received()).toBe('');
    // When it heals, a new client gets through
    proxy.heal();
    const after = await connectClient(proxy.port);
    after.socket.write('back');
    await waitForText(after, 'back');
    after.socket.destroy();
  });

  it('passes a clean end on after the chunks queued before it', async () => {
    // Given a latency, a client that sends and then ends its side
    proxy.setLatencyMs(LATENCY_MS);
    const client = await connectClient(proxy.port);
    client.socket.end('last words');
    // Then the server still gets the words (the end did not overtake them)
    while (!echo.received().includes('last words')) await sleep(10);
  });
});
