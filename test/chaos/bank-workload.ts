import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { serviceUrl } from '../../scripts/service-process.ts';
import type { StackState } from '../../scripts/stack/index.ts';
import { type PgbouncerState, startPgbouncer, stopPgbouncer } from '../../scripts/stack/pgbouncer.ts';
import { findFreePort } from '../../scripts/stack/ports.ts';
import { ensureDatabase, withDatabase } from '../../scripts/stack/postgres-client.ts';
import { startServiceBalancer, stopServiceBalancer } from '../../scripts/stack/service-balancer.ts';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import { RELAY_LEASE_MS } from '../../services/shared/src/outbox/outbox-relay.ts';
import { uniqueNamespace } from '../support/namespace.ts';
import { auditViolations } from './audit-checks.ts';
import { createRecorder, type Recorder, runChaosClient } from './bank-clients.ts';
import { type BankUser, createUserPlan, depositPlan, type Endpoints } from './bank-plans.ts';
import { createPools } from './bank-pools.ts';
import { type ChaosNetwork, closeNetwork, openReplicaRoutes, type ProxyRoute } from './chaos-network.ts';
import { CHECKER_OPTIONS_DEFAULT, checkHistory } from './checker.ts';
import type { History, Operation, OutboxRow, ReplicaCrashRecord, Violation } from './history.ts';
import { type FaultKind, planFaults, runNemesis } from './nemesis.ts';
import { type OperationPlan, runOperation } from './operation-runner.ts';
import { REPLICA_DOWNTIME_MS } from './process-faults.ts';
import { seededRandom } from './seeded-random.ts';
import { createReplica, type Replica, type ServiceName } from './service-replicas.ts';
import { countUnpublished, countUsersWithoutWallet, readKafkaEvents, readSnapshot } from './snapshot.ts';
import { formatSummary } from './summary.ts';

export type BankWorkloadOptions = {
  /** A stack this run may hurt: it kills its PostgreSQL, NATS and Kafka. Never a shared one. */
  stack: StackState;
  /** The proxies the Kafka brokers advertise (chaos-stack.ts); none when Kafka is reached directly. */
  kafkaRoutes?: readonly ProxyRoute[];
  /**
   * The chaos phase lasts at least this long, and on until every planned fault has healed (plus a
   * margin), at most CHAOS_OVERRUN_FACTOR_MAX times this long.
   */
  chaosDurationMs: number;
  clients: number;
  users: number;
  startingBalanceMinor: bigint;
  faultKinds: readonly FaultKind[];
  faultGapMs: number;
  seed: number;
  /** Upper bound on operations in the chaos phase, whatever the duration. */
  operationsMax: number;
  /** Replica logs go here. */
  workDir: string;
  /**
   * Deployed as `npm start -- --replicas 2` runs: clients reach the replicas only through HAProxy,
   * and the replicas reach PostgreSQL through PgBouncer (transaction pooling). Otherwise clients
   * spread their requests over the replicas themselves, and the replicas use PostgreSQL directly.
   */
  viaBalancer?: boolean;
  log: (line: string) => void;
};

export type BankReport = { history: History; violations: Violation[]; summary: string };

const REPLICAS_PER_SERVICE = 2;
/** Faults stay this far from the start and the end of the chaos phase. */
const FAULT_MARGIN_MS = 3_000;
/** Slow faults (a Kafka broker's JVM start on a busy machine) may stretch the phase this much. */
const CHAOS_OVERRUN_FACTOR_MAX = 3;
const SETUP_CONCURRENCY = 8;
const WALLETS_OPEN_TIMEOUT_MS = 60_000;
/**
 * A relay that sent a batch but could not mark it published (PostgreSQL was killed in between)
 * leaves its rows leased until the lease expires; another relay then sends them again. Quiet may
 * take that long after the last fault, plus the time to reconnect and resend.
 */
const QUIESCENCE_TIMEOUT_MS = RELAY_LEASE_MS + 60_000;
const QUIESCENCE_POLL_MS = 500;

type Cluster = {
  users: Replica[];
  transactions: Replica[];
  /** Every replica's own routes to PostgreSQL and NATS, and the Kafka brokers' shared ones. */
  network: ChaosNetwork;
  urls: { users: string; transactions: string };
  /** The services run with auth on; clients send this as a bearer token. */
  operatorToken: string;
  /** With viaBalancer: HAProxy's URL for each service. */
  balancer?: { users: string; transactions: string };
};

/**
 * The bank workload, Jepsen style: real replicas, real faults, a recorded history and a pure
 * checker. Bounded: the chaos phase ends at its duration or operation cap, every wait has a
 * timeout, and every process it started is stopped before it returns.
 */
export async function runBankWorkload(options: BankWorkloadOptions): Promise<BankReport> {
  mkdirSync(options.workDir, { recursive: true });
  const namespace = uniqueNamespace();
  const runId = `r${randomBytes(4).toString('hex')}`;
  const cluster = await startCluster(options, namespace);
  const supervisor = superviseCrashes(cluster, options.log);
  try {
    const endpoints: Endpoints = cluster.balancer
      ? {
          authorization: `Bearer ${cluster.operatorToken}`,
          users: [{ name: 'haproxy', url: cluster.balancer.users }],
          transactions: [{ name: 'haproxy', url: cluster.balancer.transactions }],
        }
      : {
          authorization: `Bearer ${cluster.operatorToken}`,
          users: cluster.users.map((replica) => ({ name: replica.spec.name, url: replica.url })),
          transactions: cluster.transactions.map((replica) => ({
            name: replica.spec.name,
            url: replica.url,
          })),
        };
    const recorder = createRecorder();
    const bankUsers = await setUp(options, endpoints, recorder, runId, cluster.urls);
    const chaosStartedAtMs = Date.now();
    const faults = await runChaos(options, cluster, endpoints, recorder, bankUsers, runId, chaosStartedAtMs);
    const chaosDurationMs = Date.now() - chaosStartedAtMs;
    options.log(`chaos phase over: ${recorder.count()} operations; waiting for quiescence`);
    await waitForQuiescence(cluster.urls, options.log);
    supervisor.stop();
    await Promise.all([...cluster.users, ...cluster.transactions].map((replica) => replica.stop()));
    const snapshot = await readSnapshot(cluster.urls);
    const topics = runTopics(namespace, snapshot.outbox);
    const expected = new Set(snapshot.outbox.map((row) => row.eventId));
    const kafka = await readKafkaEvents(options.stack.kafka.brokers, topics, expected);
    const history: History = {
      startTotalMinor: 0n,
      operations: recorder.operations,
      faults,
      snapshot,
      kafkaEventIds: kafka.eventIds,
      kafkaRecords: kafka.records,
      crashes: supervisor.crashes,
    };
    // The ledger audit (GET /audit's checks) on the same database: any finding is a violation.
    const violations = [
      ...checkHistory(history, CHECKER_OPTIONS_DEFAULT),
      ...(await auditViolations(cluster.urls.transactions, namespace)),
    ];
    const summary = formatSummary({
      operations: history.operations,
      faults,
      violations,
      chaosStartedAtMs,
      chaosDurationMs,
      crashes: supervisor.crashes,
      snapshot,
    });
    return { history, violations, summary };
  } finally {
    supervisor.stop();
    await Promise.all([...cluster.users, ...cluster.transactions].map((replica) => replica.kill()));
    await closeNetwork(replicaRoutesOnly(cluster.network));
    await stopFront(options);
  }
}

/** Where HAProxy and PgBouncer keep their files in a viaBalancer run. */
function frontDir(options: BankWorkloadOptions): string {
  return join(options.workDir, 'front');
}

async function stopFront(options: BankWorkloadOptions): Promise<void> {
  if (!options.viaBalancer) return;
  await stopServiceBalancer(frontDir(options));
  await stopPgbouncer(frontDir(options));
}

/** The chaos stack owns the Kafka brokers' proxies; the run closes only the ones it opened. */
function replicaRoutesOnly(network: ChaosNetwork): ChaosNetwork {
  return { routes: network.routes.filter((route) => route.replica !== undefined) };
}

/**
 * Like an orchestrator: a replica that exits on its own is recorded (the checker reports it) and
 * started again, so one crash does not hide everything after it.
 */
function superviseCrashes(cluster: Cluster, log: (line: string) => void) {
  const crashes: ReplicaCrashRecord[] = [];
  let supervising = true;
  for (const replica of [...cluster.users, ...cluster.transactions]) {
    replica.onCrash((crash) => {
      crashes.push(crash);
      log(`${crash.replica} CRASHED (code ${crash.exitCode}, signal ${crash.signal}); restarting it`);
      setTimeout(() => {
        if (!supervising) return;
        replica.start().catch((error: unknown) => log(`${crash.replica} restart failed: ${String(error)}`));
      }, REPLICA_DOWNTIME_MS);
    });
  }
  return {
    crashes,
    stop: () => {
      supervising = false;
    },
  };
}

async function startCluster(options: BankWorkloadOptions, namespace: string): Promise<Cluster> {
  const { adminUrl } = options.stack.postgres;
  const names = { users: `chaos_${namespace}_users`, transactions: `chaos_${namespace}_transactions` };
  await ensureDatabase(adminUrl, names.users);
  await ensureDatabase(adminUrl, names.transactions);
  // Read at each use: a PostgreSQL that was killed may come back on another port (process-faults.ts).
  const { stack } = options;
  const urls = {
    get users() {
      return withDatabase(stack.postgres.adminUrl, names.users);
    },
    get transactions() {
      return withDatabase(stack.postgres.adminUrl, names.transactions);
    },
  };
  const operatorToken = options.stack.operatorToken ?? randomBytes(32).toString('hex');
  const network: ChaosNetwork = { routes: [...(options.kafkaRoutes ?? [])] };
  const common = {
    WALLET_OPERATOR_TOKEN: operatorToken,
    KAFKA_BROKERS: options.stack.kafka.brokers.join(','),
    WALLET_NAMESPACE: namespace,
    LOG_LEVEL: 'warn',
  };
  // PostgreSQL coming back on another port after a crash (only when its old one was taken) would
  // leave PgBouncer pointing at the old one: the run would then show it as errors, not hide it.
  const pooler = options.viaBalancer
    ? await startPgbouncer({ dir: frontDir(options), upstream: urls, log: options.log })
    : undefined;
  const replicas = async (service: ServiceName, prefix: keyof PgbouncerState['databases']) => {
    const list: Replica[] = [];
    for (let index = 1; index <= REPLICAS_PER_SERVICE; index++) {
      const name = `${prefix}-${index}`;
      const routes = pooler
        ? await openReplicaRoutes(network, name, options.stack, pooler.databases[prefix], () => pooler.port)
        : await openReplicaRoutes(network, name, options.stack, urls[prefix]);
      const pooled: Record<string, string> = pooler
        ? { DATABASE_MIGRATION_URL: urls[prefix], DATABASE_PREPARED_STATEMENTS: 'false' }
        : {};
      list.push(
        createReplica({
          name,
          service,
          port: await findFreePort(),
          env: { ...common, ...routes, ...pooled },
          logDir: options.workDir,
        }),
      );
    }
    return list;
  };
  const cluster: Cluster = {
    users: await replicas('user-service', 'users'),
    transactions: await replicas('transactions-service', 'transactions'),
    network,
    urls,
    operatorToken,
  };
  options.log(`starting ${REPLICAS_PER_SERVICE}+${REPLICAS_PER_SERVICE} replicas (namespace ${namespace})`);
  try {
    // transactions-service first: it creates the topics and its consumer opens wallets.
    await Promise.all(cluster.transactions.map((replica) => replica.start()));
    await Promise.all(cluster.users.map((replica) => replica.start()));
    if (options.viaBalancer) cluster.balancer = await startBalancer(options, cluster);
  } catch (error) {
    await Promise.all([...cluster.users, ...cluster.transactions].map((replica) => replica.kill()));
    await closeNetwork(replicaRoutesOnly(network));
    await stopFront(options);
    throw error;
  }
  return cluster;
}

/** HAProxy in front of the replicas, as `npm start -- --replicas 2` runs it. */
async function startBalancer(
  options: BankWorkloadOptions,
  cluster: Cluster,
): Promise<{ users: string; transactions: string }> {
  const ports = { users: await findFreePort(), transactions: await findFreePort() };
  const balanced = (name: string, port: number, replicas: Replica[]) => ({
    name,
    port,
    replicas: replicas.map((replica) => ({ name: replica.spec.name, port: replica.spec.port })),
  });
  await startServiceBalancer({
    dir: frontDir(options),
    services: [
      balanced('user-service', ports.users, cluster.users),
      balanced('transactions-service', ports.transactions, cluster.transactions),
    ],
    log: options.log,
  });
  return { users: serviceUrl(ports.users), transactions: serviceUrl(ports.transactions) };
}

/** Runs plans with bounded concurrency, recording each; returns the operations in plan order. */
async function runAll(plans: OperationPlan[], recorder: Recorder): Promise<Operation[]> {
  const results: Operation[] = new Array(plans.length);
  let next = 0;
  const worker = async () => {
    while (next < plans.length) {
      const index = next++;
      const operation = await runOperation(recorder.nextId(), plans[index]!);
      recorder.record(operation);
      results[index] = operation;
    }
  };
  await Promise.all(Array.from({ length: SETUP_CONCURRENCY }, worker));
  return results;
}

/** Users, their wallets, and a known starting balance each; all recorded, no faults yet. */
async function setUp(
  options: BankWorkloadOptions,
  endpoints: Endpoints,
  recorder: Recorder,
  runId: string,
  urls: Cluster['urls'],
): Promise<BankUser[]> {
  const emails = Array.from({ length: options.users }, (_, index) => `bank-${runId}-${index}@example.com`);
  const created = await runAll(
    emails.map((email, index) => createUserPlan(endpoints, index, email, `${runId}-user-${index}`)),
    recorder,
  );
  const users: BankUser[] = [];
  for (const operation of created) {
    const userId = operation.result?.userId;
    if (operation.outcome !== 'ok' || !userId)
      throw new Error(`setup: createUser failed: ${JSON.stringify(operation.attempts)}`);
    users.push({ userId, email: operation.email! });
  }
  await waitUntilTrue(
    async () => (await countUsersWithoutWallet(urls)) === 0,
    WALLETS_OPEN_TIMEOUT_MS,
    'wallets open',
  );
  const deposits = await runAll(
    users.map((user, index) =>
      depositPlan(endpoints, index, user.userId, options.startingBalanceMinor, `${runId}-start-${index}`),
    ),
    recorder,
  );
  if (deposits.some((operation) => operation.outcome !== 'ok'))
    throw new Error('setup: a starting deposit failed');
  options.log(`set up ${users.length} users with ${options.startingBalanceMinor} minor units each`);
  return users;
}

async function runChaos(
  options: BankWorkloadOptions,
  cluster: Cluster,
  endpoints: Endpoints,
  recorder: Recorder,
  users: BankUser[],
  runId: string,
  startMs: number,
) {
  const hardEndMs = startMs + options.chaosDurationMs * CHAOS_OVERRUN_FACTOR_MAX;
  const plan = planFaults(options.chaosDurationMs, options.faultGapMs, FAULT_MARGIN_MS, options.faultKinds);
  const nemesis = runNemesis(
    {
      stack: options.stack,
      network: cluster.network,
      users: cluster.users,
      transactions: cluster.transactions,
      log: options.log,
    },
    plan,
    startMs,
    hardEndMs - FAULT_MARGIN_MS,
  );
  // The clients read their deadline at every operation: open-ended while faults still run, then
  // the planned end, or a margin after the last fault healed if that comes later.
  let endMs = hardEndMs;
  const nemesisOver = nemesis.finally(() => {
    endMs = Math.min(hardEndMs, Math.max(startMs + options.chaosDurationMs, Date.now() + FAULT_MARGIN_MS));
  });
  const operationsMax = recorder.count() + options.operationsMax;
  const pools = createPools();
  const clients = Array.from({ length: options.clients }, (_, client) =>
    runChaosClient({
      client,
      endpoints,
      users,
      runId,
      random: seededRandom(options.seed + client),
      recorder,
      pools,
      get deadlineMs() {
        return endMs;
      },
      operationsMax,
    }),
  );
  const [faults] = await Promise.all([nemesisOver, ...clients]);
  return faults;
}

/**
 * The topics to read back: every topic the outboxes wrote to (money, hold, reversal and wallet
 * events alike), and the original three even if a short run never used one.
 */
function runTopics(namespace: string, outbox: readonly OutboxRow[]): string[] {
  const topics = new Set(outbox.map((row) => row.topic));
  for (const topic of [TOPICS.userCreated, TOPICS.moneyAdded, TOPICS.moneyTransferred]) {
    topics.add(topicName(namespace, topic));
  }
  return [...topics];
}

/** Quiet: every outbox row published and every user's wallet open, for two polls in a row. */
async function waitForQuiescence(urls: Cluster['urls'], log: (line: string) => void): Promise<void> {
  let quietPolls = 0;
  const deadlineMs = Date.now() + QUIESCENCE_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    const unpublished = await countUnpublished(urls).catch(() => undefined);
    const walletless = await countUsersWithoutWallet(urls).catch(() => undefined);
    quietPolls = unpublished === 0 && walletless === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return;
    await sleep(QUIESCENCE_POLL_MS);
  }
  log(`not quiet after ${QUIESCENCE_TIMEOUT_MS} ms; checking anyway (the checker will say what is pending)`);
}

async function waitUntilTrue(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    if (await probe().catch(() => false)) return;
    await sleep(QUIESCENCE_POLL_MS);
  }
  throw new Error(`${what}: not after ${timeoutMs} ms`);
}
