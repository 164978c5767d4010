import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { StackState } from '../scripts/stack/index.ts';
import { findFreePort } from '../scripts/stack/ports.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchClient, BenchUser } from './bench-requests.ts';
import { compiledServerScript, type ServiceName, sourceServerScript } from './compiled-services.ts';
import { type ReplicaSpec, type ServiceFront, startReplicatedServices } from './replicated-setup.ts';
import { createServiceProcess, type ServiceProcess } from './service-process.ts';

export const USERS_FUNDED = 200;
const FUNDING_AMOUNT = '1000000.00';
const SETUP_CONCURRENCY = 16;
const WALLETS_OPEN_TIMEOUT_MS = 60_000;

export type Services = Record<ServiceName, ServiceProcess> & {
  /** HAProxy and PgBouncer, when each service runs as several replicas (replicated-setup.ts). */
  front?: ServiceFront;
};

export type StartServicesOptions = {
  stack: StackState;
  operatorToken: string;
  bench: BenchOptions;
  logDir: string;
  /** Where the transactions-service writes its CPU profile, when profiling. */
  profileDir: string | undefined;
  log: (line: string) => void;
};

/**
 * One replica of each service as a process, as production runs them, with auth on; or with
 * --replicas N, N of each behind HAProxy with PgBouncer in front of PostgreSQL.
 */
export async function startServices(options: StartServicesOptions): Promise<Services> {
  const { stack } = options;
  const processSpec = benchProcessSpec(options);
  if (options.bench.replicas > 1)
    return startReplicatedServices({
      replicas: options.bench.replicas,
      dir: join(options.logDir, 'front'),
      databases: {
        users: stack.postgres.databases.users,
        transactions: stack.postgres.databases.transactions,
      },
      processSpec,
      log: options.log,
    });
  const services: Services = {
    'transactions-service': createServiceProcess(
      await processSpec('transactions-service', {
        name: 'transactions-service',
        database: { url: stack.postgres.databases.transactions },
        cpuProfile: true,
      }),
    ),
    'user-service': createServiceProcess(
      await processSpec('user-service', {
        name: 'user-service',
        database: { url: stack.postgres.databases.users },
        cpuProfile: false,
      }),
    ),
  };
  await services['transactions-service'].start();
  await services['user-service'].start();
  return services;
}

/** How the bench runs one service process: its script, env, node flags and a free port. */
function benchProcessSpec(options: StartServicesOptions): ReplicaSpec {
  const { stack, bench } = options;
  const env = {
    WALLET_OPERATOR_TOKEN: options.operatorToken,
    KAFKA_BROKERS: stack.kafka.brokers.join(','),
    NATS_URL: stack.nats.url,
    ...(bench.poolSize ? { DATABASE_POOL_SIZE: bench.poolSize } : {}),
    NODE_ENV: 'production',
  };
  return async (service, replica) => ({
    name: replica.name,
    script: bench.fromSource ? sourceServerScript(service) : compiledServerScript(service),
    port: await findFreePort(),
    env: {
      ...env,
      DATABASE_URL: replica.database.url,
      // Through PgBouncer in transaction pooling: no named prepared statements, and migrations'
      // session lock on a direct connection.
      ...(replica.database.migrationUrl
        ? { DATABASE_MIGRATION_URL: replica.database.migrationUrl, DATABASE_PREPARED_STATEMENTS: 'false' }
        : {}),
    },
    logDir: options.logDir,
    nodeFlags: [
      ...bench.serviceNodeFlags,
      ...(replica.cpuProfile && options.profileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`]
        : []),
    ],
  });
}

/**
 * The balancer goes first, so no request reaches a replica that is draining; PgBouncer last, as
 * the replicas flush their outbox through it while they stop.
 */
export async function stopServices(services: Services | undefined): Promise<void> {
  await services?.front?.stopBalancer();
  await services?.['transactions-service'].stop();
  await services?.['user-service'].stop();
  await services?.front?.stopPooler();
}

async function inParallel(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
}

/** Funded users for the money phases (not measured): created, their wallets open, money added. */
export async function setUpUsers(options: {
  client: BenchClient;
  services: Services;
  transactionsDbUrl: string;
  runId: string;
}): Promise<BenchUser[]> {
  const { client, runId } = options;
  const usersUrl = options.services['user-service'].url;
  const transactionsUrl = options.services['transactions-service'].url;
  const users: BenchUser[] = [];
  await inParallel(USERS_FUNDED, async (index) => {
    const email = `bench-${runId}-${index}@example.com`;
    const { status, json } = await client.call('POST', `${usersUrl}/createUser`, { email });
    if (status !== 201) throw new Error(`createUser answered ${status}: ${JSON.stringify(json)}`);
    users.push({ userId: (json as { user_id: string }).user_id, email });
  });
  await waitForWallets(
    options.transactionsDbUrl,
    users.map((user) => user.userId),
  );
  await inParallel(users.length, async (index) => {
    const body = { user_id: users[index]!.userId, amount: FUNDING_AMOUNT };
    const key = `${runId}-fund-${index}`;
    const { status } = await client.call('POST', `${transactionsUrl}/addMoney`, body, key);
    if (status !== 200) throw new Error(`funding answered ${status}`);
  });
  return users;
}

/**
 * Wallets open when the transactions-service has read the users' user-created events (counted by
 * id: the database may hold wallets of earlier runs, as npm start's does).
 */
async function waitForWallets(transactionsDbUrl: string, userIds: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: transactionsDbUrl });
  await client.connect();
  try {
    const deadlineMs = Date.now() + WALLETS_OPEN_TIMEOUT_MS;
    for (;;) {
      const { rows } = await client.query<{ count: string }>(
        'SELECT count(*)::text AS count FROM users WHERE user_id = ANY($1::uuid[])',
        [userIds],
      );
      if (Number(rows[0]?.count) >= userIds.length) return;
      if (Date.now() > deadlineMs) throw new Error('wallets did not open in time');
      await sleep(200);
    }
  } finally {
    await client.end();
  }
}
