import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaPid, startKafka } from '../../scripts/stack/kafka.ts';
import { TOPICS, topicName } from '../../services/shared/src/contracts/events.ts';
import {
  type BothServices,
  call,
  collectTopic,
  type ServicesOnOwnKafka,
  startServicesOnOwnKafka,
  waitFor,
  waitForWallet,
  withDatabase,
} from '../support/index.ts';

// Longer than kafkajs' whole retry budget (8 retries, backoff up to 5 s, 3 s connection
// timeouts): past it the client gives up on the consumer and on a send, and only our own
// supervision brings them back.
const OUTAGE_MS = 45_000;
// Issue 17 asks for 30 s; a busy 2-core machine gets some slack, the point is "not never".
const READY_AGAIN_TIMEOUT_MS = 60_000;
const KAFKA_TIMEOUT_MS = 120_000;

async function readyStatus(url: string): Promise<number> {
  return (await call(url, 'GET', '/readyz')).status;
}

async function unpublished(databaseUrl: string): Promise<number> {
  return withDatabase(databaseUrl, async (client) => {
    const { rows } = await client.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]?.count);
  });
}

describe('a Kafka outage longer than the client retries', () => {
  let dir = '';
  let brokers: string[] = [];
  let services: BothServices;
  let own: ServicesOnOwnKafka | undefined;

  beforeAll(async () => {
    own = await startServicesOnOwnKafka('kafka_outage');
    ({ dir, brokers, services } = own);
  }, KAFKA_TIMEOUT_MS);

  afterAll(async () => {
    await own?.stop();
  }, KAFKA_TIMEOUT_MS);

  it(
    'Given both services, When the broker is SIGKILLed for 45 s and comes back, Then both are ready again, every event written meanwhile reaches Kafka, and new users get wallets',
    async () => {
      // Given a user with a wallet
      const { users, transactions } = services;
      await call(users.url, 'POST', '/createUser', { json: { email: 'before@example.com' } });
      const before = JSON.parse(await waitForWallet(users.url, 'before@example.com'));

      // When the broker dies (no clean shutdown) and stays away past the retry budget…
      const pid = kafkaPid(dir);
      expect(pid).toBeDefined();
      process.kill(pid!, 'SIGKILL');
      await waitFor('the broker to be gone', async () => (kafkaPid(dir) === undefined ? true : undefined));
      // …while money moves and a user signs up (both land in the outboxes)
      const deposits: string[] = [];
      for (let index = 0; index < 5; index++) {
        const deposit = await call(transactions.url, 'POST', '/addMoney', {
          json: { user_id: before.user_id, amount: 1 },
        });
        expect(deposit.status, deposit.text).toBe(200);
        deposits.push(deposit.json.transaction_id as string);
      }
      const during = await call(users.url, 'POST', '/createUser', { json: { email: 'during@example.com' } });
      expect(during.status, during.text).toBe(201);
      await sleep(OUTAGE_MS);
      expect(await readyStatus(transactions.url)).toBe(503);
      await startKafka({ dir, log: () => {} });
      const backAtMs = Date.now();

      // Then both services are ready again without a restart
      await waitFor(
        'both services ready',
        async () =>
          (await readyStatus(users.url)) === 200 && (await readyStatus(transactions.url)) === 200
            ? true
            : undefined,
        READY_AGAIN_TIMEOUT_MS,
      );
      console.log(
        `both services ready ${((Date.now() - backAtMs) / 1000).toFixed(1)} s after the broker answered`,
      );
      // …the user who signed up during the outage and one who signs up now get wallets
      await waitForWallet(users.url, 'during@example.com');
      await call(users.url, 'POST', '/createUser', { json: { email: 'after@example.com' } });
      await waitForWallet(users.url, 'after@example.com');
      // …and every event written during the outage was published and is on Kafka
      await waitFor('empty outboxes', async () =>
        (await unpublished(services.usersDatabaseUrl)) +
          (await unpublished(services.transactionsDatabaseUrl)) ===
        0
          ? true
          : undefined,
      );
      const feed = await collectTopic(topicName(services.namespace, TOPICS.moneyAdded), brokers);
      await waitFor('the outage deposits on Kafka', () => {
        const ids = new Set(feed.events.map((event) => JSON.parse(event.value ?? '{}').transaction_id));
        return deposits.every((id) => ids.has(id)) ? true : undefined;
      });
      await feed.stop();
    },
    KAFKA_TIMEOUT_MS + OUTAGE_MS,
  );
});
