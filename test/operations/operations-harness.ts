import { type ChildProcess, spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import { createTestDatabase, type TestDatabase, uniqueNamespace } from '../support/index.ts';
import { startTestTransactionsService } from '../transactions-service/transactions-service-harness.ts';
import { startTestUserService } from '../user-service/user-service-harness.ts';

const NATS_READY_TIMEOUT_MS = 10_000;
const PROCESS_EXIT_TIMEOUT_MS = 10_000;

/** Every JSON line a service logged, parsed; hand `stream` to the service as its log destination. */
export type LogCapture = {
  stream: { write(line: string): void };
  lines: Array<Record<string, unknown>>;
  /** The raw text, to check that something (a token) never appears anywhere. */
  text(): string;
};

export function captureLogs(): LogCapture {
  const raw: string[] = [];
  const lines: Array<Record<string, unknown>> = [];
  return {
    stream: {
      write(line: string) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
    lines,
    text: () => raw.join(''),
  };
}

export type BothServices = {
  namespace: string;
  users: RunningUserService;
  transactions: RunningTransactionsService;
  usersLog: LogCapture;
  transactionsLog: LogCapture;
  usersDatabaseUrl: string;
  transactionsDatabaseUrl: string;
  stop(): Promise<void>;
};

/** Both services in-process over fresh databases and one namespace, each logging into a capture. */
export async function startBothServices(
  label: string,
  overrides: Record<string, string> = {},
): Promise<BothServices> {
  const namespace = `${uniqueNamespace()}.`;
  const databases: TestDatabase[] = await Promise.all([
    createTestDatabase(`${label}_users`),
    createTestDatabase(`${label}_tx`),
  ]);
  const usersLog = captureLogs();
  const transactionsLog = captureLogs();
  let transactions: RunningTransactionsService | undefined;
  let users: RunningUserService | undefined;
  const stop = async () => {
    await Promise.allSettled([users?.stop(), transactions?.stop()]);
    await Promise.allSettled(databases.map((database) => database.drop()));
  };
  try {
    transactions = await startTestTransactionsService(databases[1]!.url, namespace, overrides, {
      logStream: transactionsLog.stream,
    });
    users = await startTestUserService(databases[0]!.url, namespace, overrides, {
      logStream: usersLog.stream,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    namespace,
    users,
    transactions,
    usersLog,
    transactionsLog,
    usersDatabaseUrl: databases[0]!.url,
    transactionsDatabaseUrl: databases[1]!.url,
    stop,
  };
}

/** A port nothing listens on right now (the kernel's pick, released at once). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export type PrivateNats = { url: string; start(): Promise<void>; stop(): Promise<void> };

/** A nats-server of this test's own on a fixed port, so it can be stopped and started again. */
export async function createPrivateNats(): Promise<PrivateNats> {
  const port = await findFreePort();
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    url,
    async start() {
      const binary = process.env.WALLET_NATS_SERVER_BIN ?? 'nats-server';
      child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      await waitUntilListening(port, NATS_READY_TIMEOUT_MS);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await withTimeout(exited, PROCESS_EXIT_TIMEOUT_MS, 'nats-server to exit');
    },
  };
}

async function waitUntilListening(port: number, timeoutMs: number): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadlineMs) throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One sample of the Prometheus text format: family name, labels and value. */
export type MetricSample = { name: string; labels: Record<string, string>; value: number };

/** Parses the Prometheus text exposition format (enough of it for prom-client's output). */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}
