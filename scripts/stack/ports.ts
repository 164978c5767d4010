import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const loopbackHost = '127.0.0.1';

const connectTimeoutMs = 500;

/** Asks the kernel for a free port on the loopback interface. */
export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, loopbackHost, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = loopbackHost): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = new Socket();
    const finish = (open: boolean) => {
      socket.destroy();
      resolveOpen(open);
    };
    socket.setTimeout(connectTimeoutMs);
    socket.once('connect', () => finish(true));
    socket.once('timeout', () => finish(false));
    socket.once('error', () => finish(false));
    socket.connect(port, host);
  });
}

/**
 * The port to use for a part: the one the env names, else the one it had last time if it is
 * still free (so a developer's settings survive a restart), else a fresh one.
 */
export async function choosePort(envName: string, previousPort: number | undefined): Promise<number> {
  const fromEnv = process.env[envName];
  if (fromEnv) {
    const port = Number(fromEnv);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`${envName}=${fromEnv} is not a TCP port number`);
    }
    if (await isPortOpen(port)) throw new Error(`port ${port} (from ${envName}) is already in use`);
    return port;
  }
  if (previousPort && !(await isPortOpen(previousPort))) return previousPort;
  return findFreePort();
}

/** The port a part had last time it ran in this dir, if any. */
export function readRememberedPort(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const port = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export function rememberPort(file: string, port: number): void {
  writeFileSync(file, `${port}\n`);
}
