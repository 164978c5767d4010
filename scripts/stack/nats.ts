import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, StringCodec } from 'nats';
import { choosePort, loopbackHost, readRememberedPort, rememberPort } from './ports.ts';
import { isOurProcess, readLogTail, readPidFile, spawnDetached, stopProcess } from './processes.ts';
import type { NatsState } from './state.ts';
import { waitUntil } from './wait.ts';

const natsServerBinary = process.env.WALLET_NATS_SERVER_BIN ?? 'nats-server';
const readyTimeoutMs = 20_000;
const stopGraceMs = 10_000;
const probeTimeoutMs = 2_000;

export function natsLayout(dir: string) {
  const root = join(dir, 'nats');
  return {
    root,
    logFile: join(root, 'nats.log'),
    pidFile: join(root, 'nats.pid'),
    portFile: join(root, 'port'),
  };
}

export type StartNatsOptions = { dir: string; log: (line: string) => void };

export async function startNats(options: StartNatsOptions): Promise<NatsState> {
  const paths = natsLayout(options.dir);
  mkdirSync(paths.root, { recursive: true });
  const port = await choosePort('WALLET_NATS_PORT', readRememberedPort(paths.portFile));
  rememberPort(paths.portFile, port);
  options.log(`nats: starting on ${loopbackHost}:${port}`);
  const args = ['-a', loopbackHost, '-p', String(port), '-l', paths.logFile, '-P', paths.pidFile];
  const pid = spawnDetached(natsServerBinary, args, { cwd: paths.root, logFile: paths.logFile });
  const url = `nats://${loopbackHost}:${port}`;
  try {
    await waitUntil(() => probeNats(url), {
      what: 'nats',
      timeoutMs: readyTimeoutMs,
      check: () => {
        if (!isOurProcess(pid, paths.pidFile)) throw new Error('nats-server exited during startup');
      },
    });
  } catch (error) {
    await stopProcess(pid, paths.pidFile, stopGraceMs);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`nats failed to start: ${message}\n${readLogTail(paths.logFile)}`);
  }
  return { url, pid, managed: true };
}

export async function stopNats(dir: string): Promise<void> {
  const paths = natsLayout(dir);
  const pid = readPidFile(paths.pidFile);
  if (pid) await stopProcess(pid, paths.pidFile, stopGraceMs);
}

export function natsPid(dir: string): number | undefined {
  const paths = natsLayout(dir);
  const pid = readPidFile(paths.pidFile);
  return isOurProcess(pid, paths.pidFile) ? pid : undefined;
}

/** Readiness: a request-reply round trip through the server, not just an open port. */
export async function probeNats(url: string): Promise<void> {
  const connection = await connect({ servers: url, timeout: probeTimeoutMs, reconnect: false });
  try {
    const codec = StringCodec();
    const subject = `_wallet.stack.probe.${process.pid}.${Date.now()}`;
    const subscription = connection.subscribe(subject, {
      max: 1,
      callback: (_error, message) => message.respond(message.data),
    });
    await connection.flush();
    const reply = await connection.request(subject, codec.encode('ping'), { timeout: probeTimeoutMs });
    subscription.unsubscribe();
    if (codec.decode(reply.data) !== 'ping') throw new Error('nats probe got a wrong reply');
  } finally {
    await connection.close();
  }
}
