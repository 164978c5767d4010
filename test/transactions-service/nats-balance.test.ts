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

  it('Given many requests at once, some for the same wallet and some for none, When they share queries, Then each gets its own wallet', async () => {
    // Given three wallets with different balances
    const userIds = await openWalletsDirectly(tx.pool, 3);
    for (const [index, userId] of userIds.entries()) {
      const amount = index + 1;
      await call(tx.service.url, 'POST', '/addMoney', { json: { user_id: userId, amount } });
    }
    const missing = randomUUID();
    const asked = Array.from({ length: 120 }, (_, index) => [...userIds, missing][index % 4]!);

    // When all are asked at once (the responder batches what arrives together)
    const replies = await Promise.all(asked.map((userId) => ask({ user_id: userId.toUpperCase() })));

    // Then
    for (const [index, reply] of replies.entries()) {
      const userId = asked[index]!;
      if (userId === missing) {
        expect(reply).toEqual({ ok: false, code: 'WALLET_NOT_FOUND' });
      } else {
        const balance = `${userIds.indexOf(userId) + 1}.00`;
        expect(reply).toMatchObject({ ok: true, user_id: userId, balance, available_balance: balance });
      }
    }
  });
});
