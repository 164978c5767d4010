import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

export const loopbackHost = '127.0.0.1';

const connectTimeoutMs = 500;

/**
 * A free loopback port for a server that may listen on it again after a crash (a broker, a
 * database or a service restarted on its own ports). It is picked below the kernel's ephemeral
 * range: a port from that range, once its server dies, can become the local end of any outgoing
 * connection on the machine, and the restart then fails with EADDRINUSE. That is how a Kafka
 * broker SIGKILLed in the test suite failed to come back in half the full-suite runs. Where the
 * range leaves no room below it, the kernel picks.
 */
export async function findFreePort(): Promise<number> {
  const below = portsBelowEphemeralRange();
  for (let attempt = 0; below && attempt < pickAttempts; attempt += 1) {
    const port = below.low + Math.floor(Math.random() * (below.high - below.low + 1));
    if (await canListen(port)) return port;
  }
  return listenAndRelease(0);
}

const pickAttempts = 50;
// Under 10000 live the ports people run things on (5432, 8080, 9092, …).
const lowestPickedPort = 10_000;
const ephemeralRangeFile = '/proc/sys/net/ipv4/ip_local_port_range';

function portsBelowEphemeralRange(): { low: number; high: number } | undefined {
  if (!existsSync(ephemeralRangeFile)) return undefined;
  const ephemeralLow = Number(readFileSync(ephemeralRangeFile, 'utf8').trim().split(/\s+/)[0]);
  if (!Number.isInteger(ephemeralLow) || ephemeralLow - 1 <= lowestPickedPort) return undefined;
  return { low: lowestPickedPort, high: ephemeralLow - 1 };
}

function canListen(port: number): Promise<boolean> {
  return listenAndRelease(port).then(
    () => true,
    () => false,
  );
}

/** Listens on `port` (0: the kernel's pick) and closes again, giving the port that was bound. */
function listenAndRelease(port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, loopbackHost, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(bound));
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
