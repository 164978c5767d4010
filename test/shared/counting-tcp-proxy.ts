import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a broker that counts the connections clients open through it. In
 * `stalled` mode it accepts connections and never answers, as a broker does when it hangs
 * (a full disk, a long GC pause, a SIGSTOP): the client's request waits for its timeout.
 */
export type CountingTcpProxy = {
  address: string;
  connectionsOpened(): number;
  stop(): Promise<void>;
};

export async function startCountingTcpProxy(options: {
  target?: { host: string; port: number };
  stalled?: boolean;
}): Promise<CountingTcpProxy> {
  let opened = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    opened += 1;
    track(client);
    if (options.stalled || !options.target) return;
    const upstream = createConnection(options.target);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    connectionsOpened: () => opened,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
