import { describe, expect, it } from 'vitest';
import {
  moneyAddedEventSchema,
  moneyTransferredEventSchema,
  TOPICS,
  topicName,
} from '../../services/shared/src/contracts/events.ts';
import { call, collectTopic, waitFor } from '../support/index.ts';
import { countRows, openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('outbox events on Kafka', () => {
  const tx = useTransactionsService('tx_outbox');

  it('Given two wallets, When money is added and transferred, Then money-added and money-transferred arrive with the balances after, and every outbox row is published', async () => {
    // Given
    const added = await collectTopic(topicName(tx.namespace, TOPICS.moneyAdded));
    const transferred = await collectTopic(topicName(tx.namespace, TOPICS.moneyTransferred));
    const [aliceId, bobId] = await openWalletsDirectly(tx.pool, 2);

    // When
    const deposit = await call(tx.service.url, 'POST', '/addMoney', {
      json: { user_id: aliceId, amount: '40.10' },
      headers: { 'x-request-id': 'deposit-alice' },
    });
    const transfer = await call(tx.service.url, 'POST', '/transferMoney', {
      json: { from_user_id: aliceId, to_user_id: bobId, amount: 15.05 },
    });
    expect([deposit.status, transfer.status]).toEqual([200, 200]);

    // Then: money-added
    const addedEvent = await waitFor('money-added', () =>
      added.events.find((event) => event.key === aliceId),
    );
    expect(moneyAddedEventSchema.parse(JSON.parse(addedEvent.value ?? ''))).toMatchObject({
      transaction_id: deposit.json.transaction_id,
      user_id: aliceId,
      amount: '40.10',
      balance: '40.10',
    });
    expect(addedEvent.headers['event-id']).toMatch(UUID_PATTERN);
    expect(addedEvent.headers['event-type']).toBe('money-added');
    expect(addedEvent.headers['request-id']).toBe('deposit-alice');

    // Then: money-transferred
    const transferEvent = await waitFor('money-transferred', () =>
      transferred.events.find((event) => event.key === aliceId),
    );
    expect(moneyTransferredEventSchema.parse(JSON.parse(transferEvent.value ?? ''))).toMatchObject({
      transfer_id: transfer.json.transfer_id,
      from_user_id: aliceId,
      to_user_id: bobId,
      amount: '15.05',
      from_balance: '25.05',
      to_balance: '15.05',
    });
    expect(transferEvent.headers['event-id']).toMatch(UUID_PATTERN);
    expect(transferEvent.headers['event-type']).toBe('money-transferred');

    // Then: the relay marked everything
    await waitFor('published_at on every outbox row', async () =>
      (await countRows(tx.pool, 'SELECT count(*) FROM outbox WHERE published_at IS NULL')) === 0
        ? true
        : undefined,
    );
    expect(await countRows(tx.pool, 'SELECT count(*) FROM outbox')).toBe(2);
    await Promise.all([added.stop(), transferred.stop()]);
  });
});
