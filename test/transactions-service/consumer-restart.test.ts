import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, stopKafka } from '../../scripts/stack/kafka.ts';
import {
  type BothServices,
  call,
  type ServicesOnOwnKafka,
  startServicesOnOwnKafka,
  waitFor,
  waitForWallet,
} from '../support/index.ts';

const KAFKA_TIMEOUT_MS = 120_000;
/** kafkajs' retry budget (8 retries, backoff up to 5 s, 3 s connection timeouts) runs out well within this. */
const CONSUMER_GIVES_UP_TIMEOUT_MS = 120_000;
/** From the broker answering again to a fresh consumer in the group: a restart delay (≤ 30 s) plus a join. */
const REJOIN_TIMEOUT_MS = 90_000;
const STOPPED_MESSAGE = 'the user-created consumer stopped';
const REJOINED_MESSAGE = 'the user-created consumer was restarted and has rejoined its group';

type Readiness = { status: number; consumer: string | undefined };

async function readiness(url: string): Promise<Readiness> {
  const response = await call(url, 'GET', '/readyz');
  return { status: response.status, consumer: response.json?.checks?.consumer };
}

function logged(services: BothServices, message: string): boolean {
  return services.transactionsLog.lines.some((line) => String(line.msg).startsWith(message));
}

describe('the user-created consumer after kafkajs gives up on it', () => {
  let dir = '';
  let services: BothServices;
  let own: ServicesOnOwnKafka | undefined;

  beforeAll(async () => {
    // A broker of this file's own: stopping the run's shared one would disturb the other files.
    own = await startServicesOnOwnKafka('consumer_restart', { LOG_LEVEL: 'warn' });
    ({ dir, services } = own);
  }, KAFKA_TIMEOUT_MS);

  afterAll(async () => {
    await own?.stop();
  }, KAFKA_TIMEOUT_MS);

  it(
    'Given a running consumer, When the broker stays away until kafkajs crashes the consumer and then comes back, Then readiness names the consumer failing, a fresh consumer rejoins, readiness is green again and a new user gets a wallet',
    async () => {
      // Given a consumer that opens wallets
      const { users, transactions } = services;
      await call(users.url, 'POST', '/createUser', { json: { email: 'before@example.com' } });
      await waitForWallet(users.url, 'before@example.com');
      expect(await readiness(transactions.url)).toEqual({ status: 200, consumer: 'ok' });

      // When the broker goes away for longer than kafkajs' retries…
      await stopKafka(dir);
      await waitFor(
        'kafkajs to give up on the consumer',
        () => (logged(services, STOPPED_MESSAGE) ? true : undefined),
        CONSUMER_GIVES_UP_TIMEOUT_MS,
      );

      // Then readiness is red and names the consumer
      await waitFor('readiness to name the consumer failing', async () => {
        const { status, consumer } = await readiness(transactions.url);
        return status === 503 && consumer === 'failing' ? true : undefined;
      });

      // When the broker answers again
      await startKafka({ dir, log: () => {} });

      // Then a fresh consumer joins the group and readiness turns green without restarting the service
      await waitFor(
        'the consumer to rejoin',
        () => (logged(services, REJOINED_MESSAGE) ? true : undefined),
        REJOIN_TIMEOUT_MS,
      );
      await waitFor(
        'transactions-service ready again',
        async () => ((await readiness(transactions.url)).status === 200 ? true : undefined),
        REJOIN_TIMEOUT_MS,
      );
      expect(await readiness(transactions.url)).toEqual({ status: 200, consumer: 'ok' });

      // …and a user created now gets a wallet
      await call(users.url, 'POST', '/createUser', { json: { email: 'after@example.com' } });
      await waitForWallet(users.url, 'after@example.com', REJOIN_TIMEOUT_MS);

      // …and the restart is counted where operators look
      const metrics = await call(transactions.url, 'GET', '/metrics');
      const restarts = /^wallet_kafka_consumer_restarts_total\{[^}]*\} (\d+)$/m.exec(metrics.text);
      expect(Number(restarts?.[1])).toBeGreaterThanOrEqual(1);
    },
    KAFKA_TIMEOUT_MS + CONSUMER_GIVES_UP_TIMEOUT_MS + 2 * REJOIN_TIMEOUT_MS,
  );
});
