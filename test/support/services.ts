import { loadTransactionsConfig } from '../../services/transactions-service/src/config.ts';
import {
  type RunningTransactionsService,
  startTransactionsService,
  type TransactionsServiceOptions,
} from '../../services/transactions-service/src/service.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import {
  type RunningUserService,
  startUserService,
  type UserServiceOptions,
} from '../../services/user-service/src/service.ts';
import { TEST_OPERATOR_TOKEN } from './auth.ts';
import { createTestDatabase } from './databases.ts';
import { captureLogs, type LogCapture } from './log-capture.ts';
import { uniqueNamespace } from './namespace.ts';
import { getStack } from './stack.ts';

/**
 * The env of one replica of either service on this run's stack: its own database and namespace,
 * PORT 0 (the service reports the real one in `url`), quiet logs, the test operator token.
 */
export function serviceEnv(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const stack = getStack();
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    NATS_URL: stack.nats.url,
    WALLET_NAMESPACE: namespace,
    LOG_LEVEL: 'silent',
    WALLET_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    ...overrides,
  };
}

export async function startTestUserService(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
  options: UserServiceOptions = {},
): Promise<RunningUserService> {
  return startUserService(loadUserConfig(serviceEnv(databaseUrl, namespace, overrides)), options);
}

export async function startTestTransactionsService(
  databaseUrl: string,
  namespace: string,
  overrides: Record<string, string> = {},
  options: TransactionsServiceOptions = {},
): Promise<RunningTransactionsService> {
  return startTransactionsService(
    loadTransactionsConfig(serviceEnv(databaseUrl, namespace, overrides)),
    options,
  );
}

export type BothServices = {
  namespace: string;
  users: RunningUserService;
  transactions: RunningTransactionsService;
  usersLog: LogCapture;
  transactionsLog: LogCapture;
  usersDatabaseUrl: string;
  transactionsDatabaseUrl: string;
  /** Stops both services and drops both databases. */
  stop(): Promise<void>;
};

/**
 * Both services in-process over fresh databases and one namespace (a fresh one unless given),
 * each logging into a capture. Started together on purpose: both ensure the user-created topic
 * at the same moment, as they do in production.
 */
export async function startBothServices(
  label: string,
  overrides: Record<string, string> = {},
  options: { namespace?: string } = {},
): Promise<BothServices> {
  const namespace = options.namespace ?? `${uniqueNamespace()}.`;
  const [usersDatabase, transactionsDatabase] = await Promise.all([
    createTestDatabase(`${label}_users`),
    createTestDatabase(`${label}_tx`),
  ]);
  const usersLog = captureLogs();
  const transactionsLog = captureLogs();
  const started = await Promise.allSettled([
    startTestUserService(usersDatabase.url, namespace, overrides, { logStream: usersLog.stream }),
    startTestTransactionsService(transactionsDatabase.url, namespace, overrides, {
      logStream: transactionsLog.stream,
    }),
  ]);
  const [users, transactions] = started.map((result) =>
    result.status === 'fulfilled' ? result.value : undefined,
  ) as [RunningUserService | undefined, RunningTransactionsService | undefined];
  const stop = async () => {
    await Promise.allSettled([users?.stop(), transactions?.stop()]);
    await Promise.allSettled([usersDatabase.drop(), transactionsDatabase.drop()]);
  };
  const failed = started.find((result) => result.status === 'rejected');
  if (failed || !users || !transactions) {
    await stop();
    throw failed?.reason;
  }
  return {
    namespace,
    users,
    transactions,
    usersLog,
    transactionsLog,
    usersDatabaseUrl: usersDatabase.url,
    transactionsDatabaseUrl: transactionsDatabase.url,
    stop,
  };
}
