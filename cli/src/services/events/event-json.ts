import { moneyText } from '../money/money-json.ts';
import type { WalletEvent } from './wallet-event.ts';

/** An event as --json prints it: snake_case like the services, money as exact decimal text. */
export function eventToJson(event: WalletEvent): Record<string, unknown> {
  const meta = {
    type: event.type,
    topic: event.topic,
    partition: event.partition,
    offset: event.offset,
    occurred_at: event.occurredAt,
  };
  switch (event.type) {
    case 'user-created':
      return { ...meta, user_id: event.userId, email: event.email };
    case 'money-added':
      return {
        ...meta,
        transaction_id: event.transactionId,
        user_id: event.userId,
        amount: moneyText(event.amountMinor),
        balance: moneyText(event.balanceMinor),
      };
    case 'money-transferred':
      return {
        ...meta,
        transfer_id: event.transferId,
        from_user_id: event.fromUserId,
        to_user_id: event.toUserId,
        amount: moneyText(event.amountMinor),
        from_balance: moneyText(event.fromBalanceMinor),
        to_balance: moneyText(event.toBalanceMinor),
      };
  }
}

/** The user ids an event mentions, to name them before printing. */
export function userIdsOf(event: WalletEvent): string[] {
  if (event.type === 'money-transferred') return [event.fromUserId, event.toUserId];
  return [event.userId];
}
