import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TOPICS, topicName } from '../../shared/src/contracts/events.ts';
import { BALANCE_QUEUE_GROUP, balanceSubject } from '../../shared/src/contracts/nats.ts';
import { migrateAtBoot } from '../../shared/src/db/migrate.ts';
import { createPool } from '../../shared/src/db/pool.ts';
import { closeHttp } from '../../shared/src/http/close-http.ts';
import type { HttpApp, LogStream } from '../../shared/src/http/create-http-app.ts';
import { createServiceMetrics } from '../../shared/src/http/metrics.ts';
import { databaseAnswers } from '../../shared/src/http/readiness.ts';
import { refreshServiceGauges } from '../../shared/src/http/service-gauges.ts';
import { createKafka } from '../../shared/src/messaging/kafka.ts';
import { connectNats, serveJson } from '../../shared/src/messaging/nats.ts';
import { trackNatsConnection } from '../../shared/src/messaging/nats-connection-state.ts';
import type { RunningConsumer } from '../../shared/src/messaging/supervised-consumer.ts';
import { createOutboxRelay } from '../../shared/src/outbox/outbox-relay.ts';
import { buildTransactionsApp, SERVICE_NAME, type TransactionsAppDeps } from './app.ts';
import type { TransactionsConfig } from './config.ts';
import { startHoldExpiry } from './hold-expiry.ts';
import { startIdempotencyCleanup } from './idempotency-cleanup.ts';
import { startLedgerCheckpoints } from './ledger-checkpoints.ts';
import { createBalanceHandler } from './messaging/balance-responder.ts';
import { ensureServiceTopics } from './messaging/ensure-service-topics.ts';
import { observeBalanceHandler, observeEventBatchHandler } from './messaging/observed-handlers.ts';
import { createUserByEmailClient } from './messaging/user-by-email-client.ts';
import { createUserCreatedHandler } from './messaging/user-created-consumer.ts';
import { configureMoneyBatching, moneyBatchSizeMetric } from './operations/money-command-batcher.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
export const MIGRATION_LOCK_NAME = 'transactions-service:migrations';

export type RunningTransactionsService = { app: HttpApp; url: string; stop(): Promise<void> };

/** What a caller may add to the config; tests pass a stream to read the service's log lines. */
export type TransactionsServiceOptions = { logStream?: LogStream };

type Closer = { name: string; close: () => Promise<unknown> };

/**
 * Starts one replica: database (migrated), Kafka topics, outbox relay, user-created consumer,
 * NATS balance responder, idempotency cleanup, hold expiry, ledger checkpoints, then HTTP. If any step fails, what already
 * started is closed again and the error is rethrown.
 */
export async function startTransactionsService(
  config: TransactionsConfig,
  options: TransactionsServiceOptions = {},
): Promise<RunningTransactionsService> {
  const namespace = config.WALLET_NAMESPACE;
  // Closed in reverse order of starting: HTTP first, the pool last.
  const closers: Closer[] = [];
  type StopLog = {
    debug(object: object, message: string): void;
    error(object: object, message: string): void;
  };
  const closeAll = async (log: StopLog | undefined) => {
    for (const closer of closers.toReversed()) {
      const startedMs = Date.now();
      await closer
        .close()
        .catch((error: unknown) => log?.error({ err: error }, `closing ${closer.name} failed`));
      log?.debug({ part: closer.name, tookMs: Date.now() - startedMs }, 'closed');
    }
  };

  const pool = createPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    applicationName: SERVICE_NAME,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
  });
  closers.push({ name: 'pool', close: () => pool.end() });
  try {
    await migrateAtBoot(pool, {
      directUrl: config.DATABASE_MIGRATION_URL,
      migrationsDir: MIGRATIONS_DIR,
      lockName: MIGRATION_LOCK_NAME,
      applicationName: SERVICE_NAME,
    });
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: SERVICE_NAME });
    closers.push({ name: 'kafka admin', close: () => kafka.disconnect() });
    await ensureServiceTopics(kafka, namespace);
    const producer = await kafka.createProducer();
    closers.push({ name: 'producer', close: () => producer.disconnect() });

    let app: HttpApp | undefined;
    const relay = createOutboxRelay({
      pool,
      producer,
      onError: (error) => app?.log.warn({ err: error }, 'outbox relay failed; retrying'),
    });
    const nc = await connectNats({ url: config.NATS_URL, name: SERVICE_NAME });
    closers.push({ name: 'nats', close: () => nc.drain() });
    const natsState = trackNatsConnection(nc);
    let consumer: RunningConsumer | undefined;
    const metrics = createServiceMetrics(SERVICE_NAME);
    configureMoneyBatching(pool, {
      concurrency: config.MONEY_BATCH_CONCURRENCY,
      maxSize: config.MONEY_BATCH_MAX_SIZE,
      onBatch: moneyBatchSizeMetric(metrics.registry),
    });

    const appDeps: TransactionsAppDeps = {
      pool,
      namespace,
      config,
      metrics,
      logStream: options.logStream,
      refreshGauges: () => refreshServiceGauges({ metrics, pool, relay, consumer }),
      onCommitted: () => relay.nudge(),
      readinessProbes: {
        database: () => databaseAnswers(pool),
        kafka: () => kafka.ping(),
        nats: () => natsState.isConnected(),
        consumer: () => consumer?.isRunning() ?? false,
        outbox_relay: () => relay.isRunning(),
      },
      findUserIdByEmail: createUserByEmailClient({ nc, natsState, namespace }),
    };
    app = await buildTransactionsApp(appDeps);
    const log = app.log;
    closers.push({ name: 'outbox relay', close: () => relay.stop() });
    relay.start();

    const subject = balanceSubject(namespace);
    serveJson(
      nc,
      subject,
      BALANCE_QUEUE_GROUP,
      observeBalanceHandler(createBalanceHandler(pool), { log, metrics, subject }),
    );

    consumer = await kafka.startSupervisedConsumer({
      groupId: `${namespace}${SERVICE_NAME}`,
      topics: [topicName(namespace, TOPICS.userCreated)],
      handleBatch: observeEventBatchHandler(
        createUserCreatedHandler({ pool, producer, namespace, log }),
        log,
      ),
      onRestartScheduled: ({ error, attempt, delayMs }) => {
        metrics.consumerRestarts.inc();
        log.warn(
          { err: error, attempt, delayMs },
          'the user-created consumer stopped (kafkajs gave up on it); a fresh one starts after a backoff',
        );
      },
      onRejoined: () => log.warn('the user-created consumer was restarted and has rejoined its group'),
    });
    const runningConsumer = consumer;
    closers.push({ name: 'consumer', close: () => runningConsumer.disconnect() });

    const cleanup = startIdempotencyCleanup({
      pool,
      intervalMs: config.IDEMPOTENCY_CLEANUP_INTERVAL_MS,
      onError: (error) => log.warn({ err: error }, 'idempotency key cleanup failed'),
    });
    closers.push({ name: 'idempotency cleanup', close: () => cleanup.stop() });

    const holdExpiry = startHoldExpiry({
      pool,
      namespace,
      intervalMs: config.HOLD_EXPIRY_INTERVAL_MS,
      onExpired: () => relay.nudge(),
      onError: (error) => log.warn({ err: error }, 'hold expiry sweep failed'),
    });
    closers.push({ name: 'hold expiry', close: () => holdExpiry.stop() });

    const checkpoints = startLedgerCheckpoints({
      pool,
      namespace,
      intervalMs: config.LEDGER_CHECKPOINT_INTERVAL_MS,
      onTaken: () => relay.nudge(),
      onError: (error) => log.warn({ err: error }, 'ledger checkpoint failed'),
    });
    closers.push({ name: 'ledger checkpoints', close: () => checkpoints.stop() });

    // app.close stops accepting, lets in-flight requests finish, and runs before everything else.
    closers.push({ name: 'http', close: () => closeHttp(app) });
    await app.listen({ host: config.HOST, port: config.PORT });
    const url = httpUrl(config.HOST, (app.server.address() as AddressInfo).port);
    log.info({ url, namespace }, 'transactions-service started');

    let stopping: Promise<void> | undefined;
    return {
      app,
      url,
      stop() {
        stopping ??= closeAll(log);
        return stopping;
      },
    };
  } catch (error) {
    await closeAll(undefined);
    throw error;
  }
}

function httpUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
