import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../services/shared/src/db/pool.ts';
import { createUserCreatedHandler } from '../../services/transactions-service/src/messaging/user-created-consumer.ts';
import { call, waitFor } from '../support/index.ts';
import { createTestProducer, useTransactionsService } from './transactions-service-harness.ts';

const SILENT_LOG = { warn: () => {} };

describe('when the database goes away', () => {
  const tx = useTransactionsService('tx_resilience');

  it('Given a running service, When its database is dropped, Then readiness is 503 naming the database, liveness stays 200, and money commands get 503 not 500', async () => {
    // Given
    expect((await call(tx.service.url, 'GET', '/readyz')).status).toBe(200);

    // When
    await tx.database.drop();

    // Then
    const ready = await waitFor('readiness to fail', async () => {
      const response = await call(tx.service.url, 'GET', '/readyz');
      return response.status === 503 ? response : undefined;
    });
    expect(ready.headers['content-type']).toContain('application/problem+json');
    expect(ready.json).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      checks: { database: 'failing', kafka: 'ok' },
      failing: ['database'],
    });
    expect((await call(tx.service.url, 'GET', '/healthz')).status).toBe(200);
    const deposit = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: randomUUID(), amount: 1 },
    });
    expect([deposit.status, deposit.json.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    const history = await call(tx.service.url, 'GET', `/transactions?user_id=${randomUUID()}`);
    expect([history.status, history.json.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
  });

  it('Given no database, When a valid user-created event is handled, Then the handler fails so Kafka redelivers it instead of skipping it', async () => {
    // Given: a pool aimed at a database that does not exist
    const missing = new URL(tx.database.url);
    missing.pathname = `/missing_${randomUUID().slice(0, 8)}`;
    const pool = createPool({ connectionString: missing.toString(), applicationName: 'resilience-test' });
    const producer = await createTestProducer();
    const handle = createUserCreatedHandler({ pool, producer, namespace: 'unused.', log: SILENT_LOG });
    const userId = randomUUID();

    // When
    const handled = handle([
      {
        topic: 'user-created',
        partition: 0,
        offset: '0',
        key: userId,
        value: JSON.stringify({
          user_id: userId,
          email: 'a@example.com',
          created_at: new Date().toISOString(),
        }),
        headers: {},
        timestampMs: Date.now(),
      },
    ]);

    // Then
    await expect(handled).rejects.toMatchObject({ code: '3D000' });
    await producer.disconnect();
    await pool.end();
  });
});
