import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../services/shared/src/db/pool.ts';
import { createServiceMetrics } from '../../services/shared/src/http/metrics.ts';
import { createKafka } from '../../services/shared/src/messaging/kafka.ts';
import { connectNats } from '../../services/shared/src/messaging/nats.ts';
import { trackNatsConnection } from '../../services/shared/src/messaging/nats-connection-state.ts';
import { createOutboxRelay } from '../../services/shared/src/outbox/outbox-relay.ts';
import { buildUserApp } from '../../services/user-service/src/app.ts';
import { loadUserConfig } from '../../services/user-service/src/config.ts';
import type { RunningUserService } from '../../services/user-service/src/service.ts';
import {
  call,
  createTestDatabase,
  getStack,
  runServerUntilExit,
  serviceEnv,
  startTestUserService,
  TEST_AUTH_HEADERS,
  type TestDatabase,
  uniqueNamespace,
  withDatabase,
} from '../support/index.ts';

/** An address where nothing listens: port 1 on loopback refuses at once. */
const DEAD_ADDRESS = '127.0.0.1:1';
const EXIT_BAD_CONFIG = 2;

describe('user-service lifecycle', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('user_service_lifecycle');
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('Given a running service, When probed, Then /healthz and /readyz are 200 with every check ok', async () => {
    const service = await startTestUserService(database.url, uniqueNamespace());
    try {
      const health = await call(service.url, 'GET', '/healthz');
      expect(health.status).toBe(200);
      const ready = await call(service.url, 'GET', '/readyz');
      expect(ready.status).toBe(200);
      expect(ready.json).toEqual({
        status: 'ready',
        checks: { database: 'ok', kafka: 'ok', nats: 'ok', outbox_relay: 'ok' },
      });
    } finally {
      await service.stop();
    }
  });

  it('Given users just created, When the service stops, Then their events are published and the port is closed', async () => {
    // Given
    const service: RunningUserService = await startTestUserService(database.url, uniqueNamespace());
    const created = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        call(service.url, 'POST', '/createUser', { json: { email: `leaving${index}@example.com` } }),
      ),
    );
    expect(created.every((response) => response.status === 201)).toBe(true);

    // When
    await service.stop();
    await service.stop(); // a second stop is harmless

    // Then
    const pending = await withDatabase(database.url, async (client) =>
      Number((await client.query('SELECT count(*) FROM outbox WHERE published_at IS NULL')).rows[0].count),
    );
    expect(pending).toBe(0);
    await expect(call(service.url, 'GET', '/healthz')).rejects.toThrow();
  });

  it('Given dependencies that are down, When probed, Then /readyz is 503 naming them and requests get 503, not 500', async () => {
    // Given: an app over a dead database and Kafka, a closed NATS connection and a relay not started
    const config = loadUserConfig(
      serviceEnv(`postgres://nobody:x@${DEAD_ADDRESS}/none`, uniqueNamespace(), {
        KAFKA_BROKERS: DEAD_ADDRESS,
      }),
    );
    const pool = createPool({ connectionString: config.DATABASE_URL, applicationName: 'lifecycle-test' });
    const nc = await connectNats({ url: getStack().nats.url, name: 'lifecycle-test' });
    const natsState = trackNatsConnection(nc);
    await nc.close();
    const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'lifecycle-test' });
    const relay = createOutboxRelay({
      pool,
      producer: { send: async () => {}, sendAll: async () => {}, disconnect: async () => {} },
    });
    const app = await buildUserApp({
      config,
      pool,
      kafka,
      nc,
      natsState,
      relay,
      metrics: createServiceMetrics('user-service'),
    });
    try {
      // When
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      const create = await app.inject({
        method: 'POST',
        url: '/createUser',
        headers: TEST_AUTH_HEADERS,
        payload: { email: 'x@example.com' },
      });
      const balance = await app.inject({
        method: 'GET',
        url: '/getBalance?email=x@example.com',
        headers: TEST_AUTH_HEADERS,
      });

      // Then
      expect(ready.statusCode).toBe(503);
      expect(ready.json().code).toBe('SERVICE_UNAVAILABLE');
      expect(ready.json().failing.sort()).toEqual(['database', 'kafka', 'nats', 'outbox_relay']);
      expect(create.statusCode).toBe(503);
      expect(create.json().code).toBe('DATABASE_UNAVAILABLE');
      expect(balance.statusCode).toBe(503);
      expect(balance.json().code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await app.close();
      await pool.end();
    }
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['BALANCE_REQUEST_TIMEOUT_MS', { BALANCE_REQUEST_TIMEOUT_MS: '-5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
  ])('Given a bad %s, When the config is loaded, Then a ConfigError names it', (name, overrides) => {
    const env = { ...serviceEnv(database.url, 'x'), ...overrides };
    expect(() => loadUserConfig(env)).toThrow(new RegExp(`${name}:`));
  });

  it('Given a bad config, When server.ts starts, Then it prints the problem and exits 2', async () => {
    // When
    const { exitCode, stderr } = await runServerUntilExit('user-service', {
      ...process.env,
      ...serviceEnv(database.url, 'x'),
      NATS_URL: 'http://wrong',
    });

    // Then
    expect(exitCode).toBe(EXIT_BAD_CONFIG);
    expect(stderr).toContain('NATS_URL');
  });
});
