import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { repoRoot } from '../../scripts/stack/paths.ts';
import { getStack } from './stack.ts';

/** `npm start` (scripts/start.ts) as a child process, with everything it printed so far. */
export type NpmStart = {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** SIGTERM unless it already exited; resolves once it has. */
  stop(): Promise<void>;
};

/**
 * Runs `npm start` as a user would (no dashboard), on the run's NATS and Kafka and the given
 * databases (so it starts no stack of its own), and resolves once it says it runs.
 */
export async function startNpmStart(options: {
  args: readonly string[];
  home: string;
  databases: { users: string; transactions: string };
  namespace: string;
  timeoutMs: number;
}): Promise<NpmStart> {
  const stack = getStack();
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'start.ts'), ...options.args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      WALLET_HOME: options.home,
      USER_SERVICE_DATABASE_URL: options.databases.users,
      TRANSACTIONS_SERVICE_DATABASE_URL: options.databases.transactions,
      NATS_URL: stack.nats.url,
      KAFKA_BROKERS: stack.kafka.brokers.join(','),
      WALLET_NAMESPACE: options.namespace,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await vi.waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${output}`);
      expect(output).toContain('[start] running');
    },
    { timeout: options.timeoutMs, interval: 250 },
  );
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
