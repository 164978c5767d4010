import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { balanceReplySchema, balanceSubject } from '../../services/shared/src/contracts/nats.ts';
import { connectNats, type NatsConnection, requestJson } from '../../services/shared/src/messaging/nats.ts';
import { call, getStack } from '../support/index.ts';
import { openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

describe('NATS balance responder', () => {
  const tx = useTransactionsService('tx_nats');
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connectNats({ url: getStack().nats.url, name: 'transactions-test' });
  });

  afterAll(async () => {
    await nc?.drain();
  });

  const ask = async (payload: unknown) =>
    balanceReplySchema.parse(await requestJson(nc, balanceSubject(tx.namespace), payload));

  it('Given a wallet with 12.30, When its balance is requested, Then the reply carries "12.30"', async () => {
    // Given
    const [userId] = await openWalletsDirectly(tx.pool, 1);
    await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount: 12.3 } });

    // When
    const reply = await ask({ user_id: userId });

    // Then
    expect(reply).toEqual({
      ok: true,
      user_id: userId,
      balance: '12.30',
      held: '0.00',
      available_balance: '12.30',
      status: 'active',
    });
  });

  it('Given no wallet for a user, When its balance is requested, Then WALLET_NOT_FOUND', async () => {
    expect(await ask({ user_id: randomUUID() })).toEqual({ ok: false, code: 'WALLET_NOT_FOUND' });
  });

  it('Given garbage payloads, When sent, Then INVALID_REQUEST', async () => {
    for (const payload of [{ user_id: 'nope' }, {}, 'text', 42, null]) {
      expect(await ask(payload), JSON.stringify(payload)).toEqual({ ok: false, code: 'INVALID_REQUEST' });
    }
    // Not even JSON
    const raw = await nc.request(balanceSubject(tx.namespace), '{not json', { timeout: 2_000 });
    expect(JSON.parse(raw.string())).toEqual({ ok: false, code: 'INVALID_REQUEST' });
  });
});
