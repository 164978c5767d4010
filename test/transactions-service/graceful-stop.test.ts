import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningTransactionsService } from '../../services/transactions-service/src/service.ts';
import { createTestDatabase, type TestDatabase, uniqueNamespace } from '../support/index.ts';
import {
  balanceText,
  call,
  countRows,
  openPool,
  openWalletsDirectly,
  startTestTransactionsService,
  waitFor,
} from './transactions-service-harness.ts';

const REQUEST_COUNT = 40;
const BACKEND_EXIT_TIMEOUT_MS = 3_000;

describe('graceful stop', () => {
  let database: TestDatabase;
  let service: RunningTransactionsService;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('tx_graceful_stop');
    service = await startTestTransactionsService(database.url, `${uniqueNamespace()}.`);
    pool = openPool(database.url);
  });

  afterAll(async () => {
    await service?.stop();
    await pool?.end();
    await database?.drop();
  });

  it('Given deposits in flight, When the service stops, Then every 200 is in the balance, none is a 500, and every event left through the outbox', async () => {
    // Given
    const [userId] = await openWalletsDirectly(pool, 1);
    let firstAnswered: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      firstAnswered = resolve;
    });
    const requests = Array.from({ length: REQUEST_COUNT }, () =>
      call(service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 1 } })
        .then((response) => {
          firstAnswered();
          return response.status;
        })
        // A request that reaches a closed listener never started: it moved nothing.
        .catch(() => 'refused'),
    );

    // When
    await answered;
    await service.stop();
    const outcomes = await Promise.all(requests);

    // Then
    const succeeded = outcomes.filter((outcome) => outcome === 200).length;
    expect(outcomes.filter((outcome) => outcome !== 200 && outcome !== 503 && outcome !== 'refused')).toEqual(
      [],
    );
    expect(succeeded).toBeGreaterThan(0);
    expect(await balanceText(pool, userId!)).toBe(`${succeeded}.00`);
    expect(await countRows(pool, 'SELECT count(*) FROM outbox WHERE published_at IS NULL')).toBe(0);
    expect(await countRows(pool, 'SELECT count(*) FROM outbox')).toBe(succeeded);
    // Then: nothing is left holding the database (a backend outlives its closed socket by a moment)
    await waitFor(
      'the service to leave no database connection',
      async () => {
        const open = await countRows(
          pool,
          `SELECT count(*) FROM pg_stat_activity
          WHERE application_name = 'transactions-service' AND datname = current_database()`,
        );
        return open === 0 ? true : undefined;
      },
      BACKEND_EXIT_TIMEOUT_MS,
    );
  });
});
