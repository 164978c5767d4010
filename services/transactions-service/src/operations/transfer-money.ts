import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { type MoneyTransferredEvent, TOPICS, topicName } from '../../../shared/src/contracts/events.ts';
import type { transferMoneyResponseSchema } from '../../../shared/src/contracts/transactions-api.ts';
import type { Pool } from '../../../shared/src/db/pool.ts';
import { AppError } from '../../../shared/src/errors.ts';
import { BALANCE_MAX_MINOR, formatMinor, minorToNumber } from '../../../shared/src/money.ts';
import { enqueueEvent } from '../../../shared/src/outbox/enqueue-event.ts';
import { hashRequest } from '../idempotency-key.ts';
import { recordMovement } from '../repositories/transaction-repository.ts';
import { lockWallets } from '../repositories/wallet-repository.ts';
import { type Outcome, runIdempotent } from './run-idempotent.ts';
import { walletNotFound } from './wallet-not-found.ts';

export const TRANSFER_MONEY_SCOPE = 'POST /transferMoney';

export type TransferMoneyCommand = {
  fromUserId: string;
  toUserId: string;
  amountMinor: bigint;
  idempotencyKey: string | undefined;
  requestId: string;
};
export type TransferMoneyResponse = z.infer<typeof transferMoneyResponseSchema>;

/**
 * A transfer: a `transfer_out` row on the sender and a `transfer_in` row on the receiver sharing
 * one transfer id, both balances, and a `money-transferred` outbox event, in one transaction.
 */
export async function transferMoney(
  pool: Pool,
  namespace: string,
  command: TransferMoneyCommand,
): Promise<Outcome<TransferMoneyResponse>> {
  const { fromUserId, toUserId, amountMinor } = command;
  if (fromUserId === toUserId) throw new AppError('SAME_ACCOUNT', 'from_user_id and to_user_id must differ');
  const requestHash = hashRequest({
    from_user_id: fromUserId,
    to_user_id: toUserId,
    amount_minor: amountMinor,
  });
  const scope = { scope: TRANSFER_MONEY_SCOPE, key: command.idempotencyKey, requestHash };
  return runIdempotent(pool, scope, async (client) => {
    const balances = await lockWallets(client, [fromUserId, toUserId]);
    const fromBalanceMinor = balances.get(fromUserId);
    const toBalanceMinor = balances.get(toUserId);
    if (fromBalanceMinor === undefined) throw walletNotFound(fromUserId);
    if (toBalanceMinor === undefined) throw walletNotFound(toUserId);
    if (fromBalanceMinor < amountMinor) {
      throw new AppError(
        'INSUFFICIENT_FUNDS',
        `the sender's balance ${formatMinor(fromBalanceMinor)} is less than ${formatMinor(amountMinor)}`,
      );
    }
    if (toBalanceMinor + amountMinor > BALANCE_MAX_MINOR) {
      throw new AppError(
        'BALANCE_LIMIT_EXCEEDED',
        `the receiver's balance would exceed ${formatMinor(BALANCE_MAX_MINOR)}`,
      );
    }
    const transferId = randomUUID();
    const leg = { transferId, idempotencyKey: command.idempotencyKey ?? null };
    const sent = await recordMovement(client, {
      ...leg,
      id: randomUUID(),
      userId: fromUserId,
      kind: 'transfer_out',
      balanceChangeMinor: -amountMinor,
      counterpartyId: toUserId,
    });
    const received = await recordMovement(client, {
      ...leg,
      id: randomUUID(),
      userId: toUserId,
      kind: 'transfer_in',
      balanceChangeMinor: amountMinor,
      counterpartyId: fromUserId,
    });
    const event: MoneyTransferredEvent = {
      transfer_id: transferId,
      from_user_id: fromUserId,
      to_user_id: toUserId,
      amount: formatMinor(amountMinor),
      from_balance: formatMinor(sent.newBalanceMinor),
      to_balance: formatMinor(received.newBalanceMinor),
      occurred_at: sent.timestamp.toISOString(),
    };
    await enqueueEvent(client, {
      topic: topicName(namespace, TOPICS.moneyTransferred),
      key: fromUserId,
      type: TOPICS.moneyTransferred,
      payload: event,
      requestId: command.requestId,
    });
    return {
      transfer_id: transferId,
      from_user_id: fromUserId,
      to_user_id: toUserId,
      amount: minorToNumber(amountMinor),
      from_balance: minorToNumber(sent.newBalanceMinor),
      to_balance: minorToNumber(received.newBalanceMinor),
    };
  });
}
