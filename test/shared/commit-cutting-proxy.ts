import net from 'node:net';
import path from 'node:path';

/**
 * A byte-for-byte TCP proxy in front of the test's PostgreSQL that can lose a connection at the
 * worst moment: after a chosen statement committed and before its answer reaches the service
 * (the "commit sent, reply lost" case of issue 12), or refuse every connection (database down
 * before anything was sent). The service speaks to it like to PostgreSQL; PostgreSQL sees a
 * client on its own socket.
 */
export type CommitCuttingProxy = {
  /** The database URL, aimed at the proxy. */
  url: string;
  /**
   * The next client message containing `marker` (e.g. a user id among a statement's parameters) is
   * forwarded; once PostgreSQL has answered it with ReadyForQuery (the statement's implicit
   * transaction committed), that connection is cut both ways and the answer dropped. Resolves then.
   */
  cutAfterCommitOf(marker: string): Promise<void>;
  /** Closes every connection and refuses new ones (ECONNREFUSED). */
  refuseConnections(): Promise<void>;
  close(): Promise<void>;
};

/** ReadyForQuery: 'Z', length 5; PostgreSQL sends it after a statement's transaction ended. */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

export async function startCommitCuttingProxy(databaseUrl: string): Promise<CommitCuttingProxy> {
  const target = new URL(databaseUrl);
  const socketDir = target.searchParams.get('host');
  const connectUpstream = () =>
    socketDir
      ? net.connect({ path: path.join(socketDir, `.s.PGSQL.${target.port || 5432}`) })
      : net.connect({ host: target.hostname, port: Number(target.port || 5432) });
  const sockets = new Set<net.Socket>();
  let armed: { marker: Buffer; cut: () => void } | undefined;

  const server = net.createServer((client) => {
    const upstream = connectUpstream();
    sockets.add(client);
    sockets.add(upstream);
    let cutting: (() => void) | undefined;
    client.on('data', (chunk: Buffer) => {
      if (armed && chunk.includes(armed.marker)) {
        cutting = armed.cut;
        armed = undefined;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutting && chunk.includes(READY_FOR_QUERY)) {
        client.destroy();
        upstream.destroy();
        cutting();
        return;
      }
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  url.searchParams.delete('host');

  const closeAll = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    url: url.toString(),
    cutAfterCommitOf(marker) {
      return new Promise<void>((resolve) => {
        armed = { marker: Buffer.from(marker), cut: resolve };
      });
    },
    refuseConnections: closeAll,
    close: () => (server.listening ? closeAll() : Promise.resolve()),
  };
}
