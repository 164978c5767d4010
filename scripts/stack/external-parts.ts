import { databaseNames } from './postgres.ts';
import { ensureDatabase, probePostgres, withDatabase } from './postgres-client.ts';
import type { KafkaState, NatsState, PostgresState } from './state.ts';

/**
 * Parts given by the environment are used as they are instead of being started: a shared
 * server in CI, a developer's own broker. Each returns undefined when its env is not set.
 */
export async function postgresFromEnv(): Promise<PostgresState | undefined> {
  const adminUrlFromEnv = process.env.DATABASE_ADMIN_URL;
  const usersUrl = process.env.USER_SERVICE_DATABASE_URL;
  const transactionsUrl = process.env.TRANSACTIONS_SERVICE_DATABASE_URL;
  if (usersUrl && transactionsUrl) {
    await probePostgres(usersUrl);
    await probePostgres(transactionsUrl);
    const adminUrl = adminUrlFromEnv ?? withDatabase(usersUrl, 'postgres');
    return external(adminUrl, { users: usersUrl, transactions: transactionsUrl });
  }
  if (!adminUrlFromEnv) return undefined;
  await probePostgres(adminUrlFromEnv);
  await ensureDatabase(adminUrlFromEnv, databaseNames.users);
  await ensureDatabase(adminUrlFromEnv, databaseNames.transactions);
  return external(adminUrlFromEnv, {
    users: withDatabase(adminUrlFromEnv, databaseNames.users),
    transactions: withDatabase(adminUrlFromEnv, databaseNames.transactions),
  });
}

export function natsFromEnv(): NatsState | undefined {
  const url = process.env.NATS_URL;
  return url ? { url, managed: false } : undefined;
}

export function kafkaFromEnv(): KafkaState | undefined {
  const brokers = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  // The version of a broker we did not start is not ours to know.
  return brokers.length ? { brokers, managed: false, version: 'external' } : undefined;
}

function external(adminUrl: string, databases: PostgresState['databases']): PostgresState {
  const port = Number(new URL(adminUrl).port || 5432);
  return { adminUrl, databases, port, managed: false };
}
