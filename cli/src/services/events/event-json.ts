import { moneyText } from '../money/money-json.ts';
import type { WalletAfter, WalletEvent } from './wallet-event.ts';

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
    case 'money-withdrawn':
      return {
        ...meta,
        transaction_id: event.transactionId,
        user_id: event.userId,
        amount: moneyText(event.amountMinor),
        balance: moneyText(event.balanceMinor),
        wallets: event.wallets.map(walletAfterToJson),
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
        wallets: event.wallets.map(walletAfterToJson),
      };
    case 'hold-created':
    case 'hold-voided':
    case 'hold-expired':
    case 'hold-captured':
      return {
        ...meta,
        hold_id: event.holdId,
        from_user_id: event.fromUserId,
        to_user_id: event.toUserId,
        amount: moneyText(event.amountMinor),
        expires_at: event.expiresAt,
        ...(event.type === 'hold-captured'
          ? {
              transfer_id: event.transferId,
              captured_amount: moneyText(event.capturedMinor),
              released_amount: moneyText(event.releasedMinor),
            }
          : {}),
        wallets: event.wallets.map(walletAfterToJson),
      };
    case 'transfer-reversed':
      return {
        ...meta,
        reversal_id: event.reversalId,
        transfer_id: event.transferId,
        from_user_id: event.fromUserId,
        to_user_id: event.toUserId,
        amount: moneyText(event.amountMinor),
        reason: event.reason,
        wallets: event.wallets.map(walletAfterToJson),
      };
    case 'deposit-reversed':
      return {
        ...meta,
        reversal_id: event.reversalId,
        transaction_id: event.transactionId,
        user_id: event.userId,
        amount: moneyText(event.amountMinor),
        reason: event.reason,
        wallets: event.wallets.map(walletAfterToJson),
      };
    case 'wallet-frozen':
    case 'wallet-unfrozen':
    case 'wallet-closed':
      return { ...meta, user_id: event.userId, status: event.status, reason: event.reason };
  }
}

function walletAfterToJson(wallet: WalletAfter): Record<string, unknown> {
  return {
    user_id: wallet.userId,
    seq: wallet.seq,
    balance: moneyText(wallet.balanceMinor),
    held: moneyText(wallet.heldMinor),
    available_balance: moneyText(wallet.availableMinor),
  };
}

/** The user ids an event mentions, to name them before printing. */
export function userIdsOf(event: WalletEvent): string[] {
  return 'fromUserId' in event ? [event.fromUserId, event.toUserId] : [event.userId];
}
