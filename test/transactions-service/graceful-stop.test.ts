import { describe, expect, it } from 'vitest';
import { call, waitFor } from '../support/index.ts';
import {
  balanceText,
  countRows,
  openWalletsDirectly,
  useTransactionsService,
} from './transactions-service-harness.ts';

const REQUEST_COUNT = 40;
const BACKEND_EXIT_TIMEOUT_MS = 3_000;

describe('graceful stop', () => {
  const tx = useTransactionsService('tx_graceful_stop');

  it('Given deposits in flight, When the service stops, Then every 200 is in the balance, none is a 500, and every event left through the outbox', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    let firstAnswered: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      firstAnswered = resolve;
    });
    const requests = Array.from({ length: REQUEST_COUNT }, () =>
      call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 1 } })
        .then((response) => {
          firstAnswered();
          return response.status;
        })
        // A request that reaches a closed listener never started: it moved nothing.
        .catch(() => 'refused'),
    );

    // When
    await answered;
    await tx.service.stop();
    const outcomes = await Promise.all(requests);

    // Then
    const succeeded = outcomes.filter((outcome) => outcome === 200).length;
    expect(outcomes.filter((outcome) => outcome !== 200 && outcome !== 503 && outcome !== 'refused')).toEqual(
      [],
    );
    expect(succeeded).toBeGreaterThan(0);
    expect(await balanceText(tx.pool, userId!)).toBe(`${succeeded}.00`);
    expect(await countRows(tx.pool, 'SELECT count(*) FROM outbox WHERE published_at IS NULL')).toBe(0);
    expect(await countRows(tx.pool, 'SELECT count(*) FROM outbox')).toBe(succeeded);
    // Then: nothing is left holding the database (a backend outlives its closed socket by a moment)
    await waitFor(
      'the service to leave no database connection',
      async () => {
        const open = await countRows(
          tx.pool,
          `SELECT count(*) FROM pg_stat_activity
          WHERE application_name = 'transactions-service' AND datname = current_database()`,
        );
        return open === 0 ? true : undefined;
      },
      BACKEND_EXIT_TIMEOUT_MS,
    );
  });
});
