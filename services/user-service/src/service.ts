import path from 'node:path';
import { USER_BY_EMAIL_QUEUE_GROUP, userByEmailSubject } from '../../shared/src/contracts/nats.ts';
import { migrateAtBoot } from '../../shared/src/db/migrate.ts';
import type { Pool } from '../../shared/src/db/pool.ts';
import { createPool } from '../../shared/src/db/pool.ts';
import { closeHttp } from '../../shared/src/http/close-http.ts';
import type { HttpApp, LogStream } from '../../shared/src/http/create-http-app.ts';
import { createServiceMetrics } from '../../shared/src/http/metrics.ts';
import {
  createKafka,
  type EventProducer,
  ensureTopicsWithRetry,
  type KafkaClient,
} from '../../shared/src/messaging/kafka.ts';
import { connectNats, type NatsConnection, serveJson } from '../../shared/src/messaging/nats.ts';
import { trackNatsConnection } from '../../shared/src/messaging/nats-connection-state.ts';
import { createOutboxRelay, type OutboxRelay } from '../../shared/src/outbox/outbox-relay.ts';
import { buildUserApp, USER_SERVICE_NAME } from './app.ts';
import type { UserConfig } from './config.ts';
import { createUserByEmailHandler } from './messaging/user-by-email-responder.ts';
import { userCreatedTopic } from './messaging/user-created-event.ts';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, '..', 'migrations');
const MIGRATION_LOCK_NAME = 'user-service-migrations';

export type RunningUserService = {
  app: HttpApp;
  /** The address it listens on, e.g. http://127.0.0.1:41234 (the real port when PORT was 0). */
  url: string;
  /** Graceful: stop accepting, finish in-flight requests, flush the outbox, drain NATS, close all. */
  stop(): Promise<void>;
};

/** What a caller may add to the config; tests pass a stream to read the service's log lines. */
export type UserServiceOptions = { logStream?: LogStream };

type Resources = {
  pool: Pool;
  producer?: EventProducer;
  kafka?: KafkaClient;
  relay?: OutboxRelay;
  nc?: NatsConnection;
  app?: HttpApp;
};

/**
 * Starts one replica: database (migrated under an advisory lock), the user-created topic,
 * the outbox relay, NATS, then HTTP. Several replicas may run on one database.
 */
export async function startUserService(
  config: UserConfig,
  options: UserServiceOptions = {},
): Promise<RunningUserService> {
  const resources: Resources = {
    pool: createPool({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      applicationName: USER_SERVICE_NAME,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    }),
  };
  try {
    const url = await startResources(config, resources, options);
    let stopping: Promise<void> | undefined;
    return {
      app: resources.app!,
      url,
      stop: () => {
        stopping ??= stopResources(resources);
        return stopping;
      },
    };
  } catch (error) {
    await stopResources(resources).catch(() => {});
    throw error;
  }
}

async function startResources(
  config: UserConfig,
  resources: Resources,
  options: UserServiceOptions,
): Promise<string> {
  const { pool } = resources;
  await migrateAtBoot(pool, {
    directUrl: config.DATABASE_MIGRATION_URL,
    migrationsDir: MIGRATIONS_DIR,
    lockName: MIGRATION_LOCK_NAME,
    applicationName: USER_SERVICE_NAME,
  });
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: USER_SERVICE_NAME });
  resources.kafka = kafka;
  await ensureTopicsWithRetry(kafka, [{ topic: userCreatedTopic(config.WALLET_NAMESPACE) }]);
  resources.producer = await kafka.createProducer();
  resources.nc = await connectNats({ url: config.NATS_URL, name: USER_SERVICE_NAME });
  const metrics = createServiceMetrics(USER_SERVICE_NAME);
  let app: HttpApp | undefined;
  const relay = createOutboxRelay({
    pool,
    producer: resources.producer,
    onError: (error) => app?.log.warn({ err: error }, 'outbox relay could not publish; retrying'),
  });
  resources.relay = relay;
  app = await buildUserApp(
    {
      config,
      pool,
      kafka,
      nc: resources.nc,
      natsState: trackNatsConnection(resources.nc),
      relay,
      metrics,
    },
    options.logStream,
  );
  resources.app = app;
  relay.start();
  serveJson(
    resources.nc,
    userByEmailSubject(config.WALLET_NAMESPACE),
    USER_BY_EMAIL_QUEUE_GROUP,
    createUserByEmailHandler(pool),
  );
  const url = await app.listen({ host: config.HOST, port: config.PORT });
  app.log.info({ url, namespace: config.WALLET_NAMESPACE }, 'user-service started');
  return url;
}

/** In dependency order; each step runs even when an earlier one failed. */
async function stopResources(resources: Resources): Promise<void> {
  const steps: Array<() => Promise<unknown> | undefined> = [
    () => (resources.app ? closeHttp(resources.app) : undefined),
    () => resources.relay?.stop(),
    () => resources.nc?.drain(),
    () => resources.producer?.disconnect(),
    () => resources.kafka?.disconnect(),
    () => resources.pool.end(),
  ];
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, 'user-service did not stop cleanly');
}
