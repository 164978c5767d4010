import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  depositReversedEventSchema,
  holdCapturedEventSchema,
  holdEventSchema,
  moneyAddedEventSchema,
  moneyTransferredEventSchema,
  moneyWithdrawnEventSchema,
  TOPICS,
  topicName,
  transferReversedEventSchema,
  type WalletAfter,
  walletStatusEventSchema,
} from '../../services/shared/src/contracts/events.ts';
import { collectTopic, waitFor } from '../support/index.ts';
import { expectOk, moneyClient } from './money-operations-harness.ts';
import { openWalletsDirectly, useTransactionsService } from './transactions-service-harness.ts';

const SCHEMAS: Record<string, z.ZodType<object & { wallets?: WalletAfter[] }>> = {
  [TOPICS.moneyAdded]: moneyAddedEventSchema,
  [TOPICS.moneyTransferred]: moneyTransferredEventSchema,
  [TOPICS.moneyWithdrawn]: moneyWithdrawnEventSchema,
  [TOPICS.holdCreated]: holdEventSchema,
  [TOPICS.holdVoided]: holdEventSchema,
  [TOPICS.holdExpired]: holdEventSchema,
  [TOPICS.holdCaptured]: holdCapturedEventSchema,
  [TOPICS.transferReversed]: transferReversedEventSchema,
  [TOPICS.depositReversed]: depositReversedEventSchema,
  [TOPICS.walletFrozen]: walletStatusEventSchema,
  [TOPICS.walletUnfrozen]: walletStatusEventSchema,
  [TOPICS.walletClosed]: walletStatusEventSchema,
};

describe('money operation events', () => {
  const tx = useTransactionsService('tx_money_events');
  const api = moneyClient(tx);

  it('Given every kind of money command, When their events arrive, Then each matches its schema and per wallet the sequences run 1…n with the ledger balances', async () => {
    // Given
    const topics = Object.keys(SCHEMAS).map((topic) => topicName(tx.namespace, topic as never));
    const feed = await collectTopic(topics);
    const [alice, bob] = await openWalletsDirectly(tx.pool, 2);

    // When
    const deposit = await api.deposit(alice!, 100);
    expectOk(await api.withdraw(alice!, 10));
    const transfer = await api.transfer(alice!, bob!, 20);
    const captured = await api.hold(alice!, bob!, 15);
    expectOk(await api.capture(captured.json.hold_id, 5));
    const voided = await api.hold(alice!, bob!, 1);
    expectOk(await api.void(voided.json.hold_id));
    expectOk(await api.hold(alice!, bob!, 2, 1), 201);
    expectOk(await api.reverseTransfer(transfer.json.transfer_id, { amount: 3, reason: 'refund' }));
    expectOk(await api.reverseDeposit(deposit.json.transaction_id, { amount: 4 }));
    expectOk(await api.setStatus(bob!, 'freeze', 'review'));
    expectOk(await api.setStatus(bob!, 'unfreeze'));
    const expected = 13;

    // Then
    // Delivery is at least once (a resent claim, a reader's rebalance): an event counts once per id.
    const distinct = () => [
      ...new Map(feed.events.map((event) => [event.headers['event-id'], event])).values(),
    ];
    await waitFor(`${expected} events`, () => (distinct().length >= expected ? true : undefined));
    await feed.stop();
    expect(feed.events.every((event) => event.headers['event-id'])).toBe(true);
    const byType = new Map<string, number>();
    const seen = new Map<string, WalletAfter[]>();
    for (const event of distinct()) {
      const type = event.headers['event-type'] ?? '';
      byType.set(type, (byType.get(type) ?? 0) + 1);
      const schema = SCHEMAS[type];
      expect(schema, type).toBeDefined();
      const payload = schema!.parse(JSON.parse(event.value ?? ''));
      for (const wallet of payload.wallets ?? [])
        seen.set(wallet.user_id, [...(seen.get(wallet.user_id) ?? []), wallet]);
    }
    expect(Object.fromEntries(byType)).toEqual({
      'money-added': 1,
      'money-withdrawn': 1,
      'money-transferred': 1,
      'hold-created': 3,
      'hold-captured': 1,
      'hold-voided': 1,
      'hold-expired': 1,
      'transfer-reversed': 1,
      'deposit-reversed': 1,
      'wallet-frozen': 1,
      'wallet-unfrozen': 1,
    });
    for (const userId of [alice!, bob!]) {
      const { rows } = await tx.pool.query<{ seq: number; balance: string; held: string }>(
        'SELECT wallet_seq::int AS seq, new_balance::text AS balance, new_held::text AS held FROM transactions WHERE user_id = $1 ORDER BY wallet_seq',
        [userId],
      );
      const events = (seen.get(userId) ?? []).toSorted((a, b) => a.seq - b.seq);
      expect(events.map(({ seq, balance, held }) => ({ seq, balance, held }))).toEqual(rows);
      expect(rows.map((row) => row.seq)).toEqual(rows.map((_, index) => index + 1));
    }
  });
});
